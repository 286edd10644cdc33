"""Forms for submitting lists, consenting, co-submitting and objecting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from election.list_store import PROFILE_MAX

TOKEN = [DataRequired(), Length(max=100)]


class TokenForm(FlaskForm):
    """The personal code, for browsers without scripts or a code copied by hand."""

    token = StringField(_l("Your personal code"), validators=TOKEN)


class UnionDeclaration:
    """The art. 9 lid 2 sub a conditions as check boxes (mixed into the union and paper forms)."""

    members_in_company = BooleanField(_l("The union has members in the company who are entitled to vote."))
    statutory_aim = BooleanField(_l("Its statutory aim is to represent its members’ interests as employees."))
    legal_capacity_two_years = BooleanField(_l("It has had full legal capacity for at least two years."))
    active_in_company_or_sector = BooleanField(_l("It is active in the company or in its sector."))
    members_consulted = BooleanField(_l("It consulted its members in the company about this list."))


class UnionListForm(FlaskForm, UnionDeclaration):
    """A union's list for one electoral group."""

    token = HiddenField(validators=TOKEN)
    group = SelectField(_l("Electoral group"), coerce=int)
    name = StringField(_l("Name of the list"), validators=[Optional(), Length(max=200)])
    candidates = TextAreaField(
        _l("Candidates in list order: one employee number per line"), validators=[DataRequired(), Length(max=20000)]
    )


class FreeListForm(FlaskForm):
    """A free list, submitted by an employee with the right to vote."""

    token = HiddenField(validators=TOKEN)
    name = StringField(_l("Name of the list"), validators=[DataRequired(), Length(max=200)])
    candidates = TextAreaField(
        _l("Candidates in list order: one employee number per line"), validators=[DataRequired(), Length(max=20000)]
    )
    declaration = RadioField(
        _l("Your declaration (WOR art. 9 lid 2 sub b)"),
        choices=[
            SelectChoice("non_member", _l("I am not a member of a union that submitted a list.")),
            SelectChoice("member", _l("I cannot declare that: a co-submitter below declares it instead.")),
        ],
        validators=[DataRequired(_l("Choose your declaration."))],
    )
    co_submitters = TextAreaField(
        _l("Co-submitters: one employee number per line (optional)"), validators=[Optional(), Length(max=2000)]
    )


class SearchForm(FlaskForm):
    """Find a colleague who may stand, by employee number or part of the name."""

    token = HiddenField(validators=TOKEN)
    group = HiddenField()
    q = StringField(_l("Employee number or part of the name"), validators=[DataRequired(), Length(min=3, max=100)])


class WithdrawForm(FlaskForm):
    """Take one candidate off the list: before the deadline, or during repair one the defect notice names."""

    token = HiddenField(validators=TOKEN)
    candidacy = IntegerField(_l("Candidate"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class ConsentForm(FlaskForm):
    """The candidate's answer, with an optional short profile."""

    token = HiddenField(validators=TOKEN)
    answer = RadioField(
        _l("Do you agree to stand as a candidate on this list?"),
        choices=[SelectChoice("agree", _l("Yes, I agree")), SelectChoice("decline", _l("No, I decline"))],
        validators=[DataRequired(_l("Choose yes or no."))],
    )
    profile_nl = TextAreaField(
        _l("A few sentences about you, in Dutch (optional)"), validators=[Length(max=PROFILE_MAX)]
    )
    profile_en = TextAreaField(
        _l("A few sentences about you, in English (optional)"), validators=[Length(max=PROFILE_MAX)]
    )
    photo = FileField(_l("Photo (optional; JPEG or PNG, at most 2 MB)"))


class SupportForm(FlaskForm):
    """A co-submitter's answer."""

    token = HiddenField(validators=TOKEN)
    answer = RadioField(
        _l("Do you co-submit this list?"),
        choices=[SelectChoice("agree", _l("Yes, I co-submit it")), SelectChoice("decline", _l("No"))],
        validators=[DataRequired(_l("Choose yes or no."))],
    )
    non_member = BooleanField(_l("I am not a member of a union that submitted a list."))


class ListObjectionForm(FlaskForm):
    """An objection against a published list or candidate, by someone in the register."""

    token = StringField(_l("Your personal code from the electoral register link"), validators=TOKEN)
    target = SelectField(_l("What do you object to?"))
    text = TextAreaField(_l("Your objection and its grounds"), validators=[DataRequired(), Length(max=4000)])
