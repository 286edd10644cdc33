"""Committee forms for the election set-up, the procedure and decisions on objections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from election.list_links import LINK_GROUP_MAX, LINK_GROUP_PATTERN


class ElectionForm(FlaskForm):
    """Organisation, dates, size and electoral system of an election."""

    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    term_end = DateField(_l("End of the sitting council's term"), validators=[DataRequired()])
    voting_day = DateField(_l("Voting day (first day of voting)"), validators=[DataRequired()])
    voting_days = IntegerField(_l("Number of voting days"), default=1, validators=[DataRequired(), NumberRange(1, 14)])
    headcount = IntegerField(
        _l("Persons who normally work in the company"), validators=[DataRequired(), NumberRange(min=1)]
    )
    seats = IntegerField(
        _l("Seats (leave empty for the number the law gives)"), validators=[Optional(), NumberRange(1, 99)]
    )
    employer_consent_seats = BooleanField(_l("The employer consents to a different number of seats"))
    electoral_system = SelectField(
        _l("Electoral system"),
        choices=[
            SelectChoice("list", _l("List system (lijstenstelsel)")),
            SelectChoice("person", _l("Person system (personenstelsel)")),
        ],
    )
    votes_per_voter = IntegerField(
        _l("Votes per voter (person system; empty means one per seat)"), validators=[Optional(), NumberRange(1, 99)]
    )
    link_group = StringField(
        _l("Link code of elections held together (optional)"),
        validators=[
            Optional(),
            Length(max=LINK_GROUP_MAX),
            Regexp(LINK_GROUP_PATTERN, message=_l("Use letters, digits, spaces, dots, hyphens and underscores.")),
        ],
    )


class GroupForm(FlaskForm):
    """One electoral group (kiesgroep)."""

    name = StringField(_l("Name of the electoral group"), validators=[DataRequired(), Length(max=100)])
    seats = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1)])
    earmarked_seats = IntegerField(_l("Earmarked seats"), default=0, validators=[Optional(), NumberRange(min=0)])
    earmark_unit_field = SelectField(
        _l("Earmarked seats are for candidates of this"),
        choices=[
            SelectChoice("", _l("(no earmarked seats)")),
            SelectChoice("department", _l("Department")),
            SelectChoice("location", _l("Location")),
        ],
        default="",
    )
    earmark_unit_value = StringField(
        _l("Name of the department or location, as in the register"), validators=[Length(max=200)]
    )

    def validate_earmark_unit_field(self, field: SelectField) -> None:
        """Earmarked seats need the unit they are reserved for (domain 4.3)."""
        if (self.earmarked_seats.data or 0) > 0 and not field.data:
            raise ValidationError(_l("Choose whether the earmarked seats are for a department or a location."))

    def validate_earmark_unit_value(self, field: StringField) -> None:
        """Earmarked seats need the name of their department or location."""
        if (self.earmarked_seats.data or 0) > 0 and not (field.data or "").strip():
            raise ValidationError(_l("Give the department or location the earmarked seats are for."))


class UnionForm(FlaskForm):
    """A union with members in the company, to be invited to submit lists."""

    name = StringField(_l("Name of the union"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(check_deliverability=False)])
    postal_address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=500)])


class RegulationForm(FlaskForm):
    """The terms and methods of the works council's regulation that the software applies."""

    active_months = IntegerField(_l("Months in service for the right to vote"), validators=[NumberRange(0, 60)])
    passive_months = IntegerField(_l("Months in service for the right to stand"), validators=[NumberRange(0, 60)])
    agency_worker_months = IntegerField(
        _l("Months after which an agency worker counts as working in the company"), validators=[NumberRange(0, 60)]
    )
    candidacy_mode = SelectField(
        _l("Union and free lists"),
        choices=[
            SelectChoice("sequential", _l("one after the other")),
            SelectChoice("simultaneous", _l("at the same time")),
        ],
    )
    free_list_deadline_weeks = IntegerField(
        _l("Free lists close this many weeks before the voting day"), validators=[NumberRange(3, 6)]
    )
    remainder_method = SelectField(
        _l("Remaining seats"),
        choices=[
            SelectChoice("largest_remainders", _l("largest remainders")),
            SelectChoice("dhondt", _l("largest averages (D'Hondt)")),
        ],
    )
    remainder_threshold = StringField(_l("Share of the quota a list needs for a remaining seat (e.g. 0 or 2/3)"))
    preference_threshold = StringField(
        _l("Share of the quota for preference votes to beat the list order (empty: list order only)")
    )
    surplus_seats = SelectField(
        _l("Seats a list cannot fill"),
        choices=[SelectChoice("vacant", _l("stay vacant")), SelectChoice("redistribute", _l("go to the other lists"))],
    )
    repair_window_days = IntegerField(_l("Days to repair a defect in a list"), validators=[NumberRange(1, 14)])
    art64_included = TextAreaField(
        _l("Employee numbers added to the electorate by agreement of employer and council (WOR art. 6 lid 4)"),
        validators=[Optional(), Length(max=20000)],
    )
    art64_excluded = TextAreaField(
        _l("Employee numbers excluded from the electorate by that agreement (WOR art. 6 lid 4)"),
        validators=[Optional(), Length(max=20000)],
    )
    trustees = IntegerField(_l("Committee members holding a key share"), validators=[NumberRange(1, 15)])
    decryption_threshold = IntegerField(_l("Key shares needed for the count"), validators=[NumberRange(1, 15)])
    voting_channel = SelectField(
        _l("How staff vote"),
        choices=[
            SelectChoice("digital", _l("online")),
            SelectChoice("hybrid", _l("online, and on paper for those who ask")),
            SelectChoice("paper", _l("on paper only")),
        ],
    )
    code_mode = SelectField(
        _l("Who makes the voting codes"),
        choices=[
            SelectChoice("server", _l("Stembus, which forgets each code once it is handed to delivery")),
            SelectChoice("offline", _l("a committee member on an offline computer (stembus codes generate)")),
        ],
    )
    voter_second_factor = BooleanField(_l("Voters also type a one-time code sent to their e-mail address"))


class StepForm(FlaskForm):
    """Propose a procedure step (the target comes from the URL)."""


class ExtendVotingForm(FlaskForm):
    """Close the vote later than announced, with the reason staff will be told."""

    closes = DateTimeLocalField(
        _l("New closing time (Amsterdam time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    reason = TextAreaField(_l("Reason (made known to all staff)"), validators=[DataRequired(), Length(max=2000)])


class PostponeForm(FlaskForm):
    """Move the voting day, with the reason staff will be told."""

    voting_day = DateField(_l("New voting day"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (made known to all staff)"), validators=[DataRequired(), Length(max=2000)])


class ObjectionDecisionForm(FlaskForm):
    """The committee's decision on an objection (against a list, a candidate or the result), with reasons."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("upheld", _l("Uphold the objection")),
            SelectChoice("rejected", _l("Reject the objection")),
        ],
        validators=[DataRequired()],
    )
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=4000)])
