"""Committee forms for voting codes, letters and reminders, and the sentences for their refusals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, NumberRange, Optional


class CodesActionForm(FlaskForm):
    """A button that needs only a CSRF token (propose, confirm, withdraw)."""


class LettersForm(FlaskForm):
    """Print the letters of every voter in one language who still needs one."""

    language = HiddenField(validators=[AnyOf(["nl", "en"])])


class PersonLetterForm(FlaskForm):
    """Print one voter's letter with a new code, found by employee number."""

    employee_number = StringField(
        _l("Employee number"),
        validators=[DataRequired(_l("Enter the employee number of the voter.")), Length(max=64)],
    )


class PersonMailForm(FlaskForm):
    """Send one voter a new code by e-mail (after a bounce), optionally to a corrected address."""

    employee_number = StringField(
        _l("Employee number"),
        validators=[DataRequired(_l("Enter the employee number of the voter.")), Length(max=64)],
    )
    email = StringField(
        _l("Corrected e-mail address (optional)"),
        validators=[Optional(), Length(max=254), Email(_l("Enter a valid e-mail address, or leave it empty."))],
    )


class ReminderForm(FlaskForm):
    """Send a round of reminders; the round number makes a second click harmless."""

    round = IntegerField(validators=[InputRequired(), NumberRange(1, 1000)])


# Why no code could be minted (election.code_delivery.MintRefused), for the committee.
MINT_REFUSALS = {
    "not_issued": _l("Issue the voting codes first."),
    "voting_open": _l("Voting has opened: the list of voting codes is final, so no new code can be printed."),
    "offline_mode": _l("This election uses offline codes: print the letters on the offline computer."),
    "no_code": _l("This voter holds no voting code: issue the codes first."),
}

# Why reminders were refused (election.reminders.ReminderRefused).
REMINDER_REFUSALS = {
    "not_open": _l("Reminders can be sent only while voting is open."),
    "round": _l("This reminder round was already sent. Reload the page to send the next one."),
}

# Why a voter needs a letter (election.delivery_status.LetterNeeded.reason).
LETTER_REASONS = {
    "no_email": _l("no e-mail address"),
    "mail_failed": _l("e-mail failed"),
    "not_delivered": _l("not sent yet"),
}
