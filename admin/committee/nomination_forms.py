"""Committee forms for the nomination pre-round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

from election.nomination_rules import MAX_INVITATION_TEXT, MAX_PER_PERSON, MAX_THRESHOLD


class RoundForm(FlaskForm):
    """The settings of the nomination round."""

    opens_on = DateField(_l("First day of the round"), validators=[DataRequired()])
    closes_on = DateField(_l("Last day of the round"), validators=[DataRequired()])
    max_per_person = IntegerField(
        _l("How many colleagues one person may nominate"), default=3,
        validators=[InputRequired(), NumberRange(1, MAX_PER_PERSON)],
    )
    self_nomination = BooleanField(_l("Offer “I have the OR factor myself”"), default=True)
    scope = SelectField(
        _l("Whom people can nominate"),
        choices=[
            SelectChoice("organisation", _l("colleagues in the whole organisation")),
            SelectChoice("group", _l("colleagues in their own electoral group")),
        ],
    )
    threshold = IntegerField(
        _l("Show a count only from this number of nominations"), default=3,
        validators=[InputRequired(), NumberRange(1, MAX_THRESHOLD)],
    )
    invitation_nl = TextAreaField(
        _l("Invitation text in Dutch"), validators=[DataRequired(), Length(max=MAX_INVITATION_TEXT)]
    )
    invitation_en = TextAreaField(
        _l("Invitation text in English"), validators=[DataRequired(), Length(max=MAX_INVITATION_TEXT)]
    )


class LettersForm(FlaskForm):
    """Print the letters with personal codes for people without e-mail, in one language."""

    language = HiddenField(validators=[AnyOf(["nl", "en"])])


class NominationActionForm(FlaskForm):
    """An empty form: a button that needs a CSRF token."""
