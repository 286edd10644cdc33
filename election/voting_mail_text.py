"""The wording of the e-mails voters get during voting: their voting code, and a reminder to vote.

Both are written in the voter's own language (Dutch unless the register says English). The code
e-mail is written when it is queued with :data:`CODE_MARK` where the code goes; the code is filled
in only at the moment the e-mail is handed to the mail system (:mod:`election.code_delivery`).
Rendering needs a Flask application context (translations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

# Where the code goes in a queued code e-mail. It is no code (codes have no brackets) and it is
# passed as a value, never translated.
CODE_MARK = "[[voting-code]]"


@dataclass(frozen=True)
class MailText:
    """A subject and a plain-text body in one language."""

    subject: str
    text: str


def booth_link(booth_url: str, code: str) -> str:
    """The booth address carrying ``code`` in the URL fragment, which browsers never send to a server."""
    return f"{booth_url}#code={code}"


def _moment(value: datetime) -> str:
    return str(format_datetime(value, "EEEE d MMMM y, HH:mm"))


def code_mail(
    language: str, *, name: str, organisation: str, group: str, booth_url: str, opens: datetime, closes: datetime
) -> MailText:
    """The e-mail that brings a voter their code, with :data:`CODE_MARK` standing for the code."""
    with force_locale(language):
        subject = _("Your voting code for the works council election of %(org)s", org=organisation)
        text = _(
            "Dear %(name)s,\n\n"
            "You may vote in the works council election of %(org)s, electoral group %(group)s. "
            "Voting opens on %(opens)s and closes on %(closes)s (Dutch time).\n\n"
            "This link opens the voting page with your voting code filled in:\n%(link)s\n\n"
            "You can also open %(booth)s and type your voting code:\n%(code)s\n\n"
            "The code is personal: do not pass it on. Your vote is secret: nobody, the election "
            "committee included, can see what you voted.\n\n"
            "If you received this e-mail more than once, or also a letter with a code, only the code "
            "you received last works.\n\n"
            "The election committee",
            name=name,
            org=organisation,
            group=group,
            opens=_moment(opens),
            closes=_moment(closes),
            link=booth_link(booth_url, CODE_MARK),
            booth=booth_url,
            code=CODE_MARK,
        )
    return MailText(str(subject), str(text))


def reminder_mail(language: str, *, name: str, organisation: str, booth_url: str, closes: datetime) -> MailText:
    """A reminder to vote; it carries no code, only where to vote and whom to ask for a new code."""
    with force_locale(language):
        subject = _("Reminder: vote in the works council election of %(org)s", org=organisation)
        text = _(
            "Dear %(name)s,\n\n"
            "When this reminder was sent you had not voted yet in the works council election of "
            "%(org)s. Voting closes on %(closes)s (Dutch time).\n\n"
            "To vote, open the link in the e-mail or letter with your voting code, or open %(booth)s "
            "and type the code.\n\n"
            "Lost your code? Ask the election committee for a new one. If you have voted in the "
            "meantime, you can ignore this message.\n\n"
            "The election committee",
            name=name,
            org=organisation,
            closes=_moment(closes),
            booth=booth_url,
        )
    return MailText(str(subject), str(text))
