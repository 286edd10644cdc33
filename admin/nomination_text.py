"""The sentences people read about the nomination pre-round, from the stable codes the rules use."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from election.nomination_rules import MAX_MOTIVATION, Problem


def settings_problem(problem: Problem) -> str:
    """A refused setting of the round as a sentence that names what is wrong."""
    value = problem.value
    when = format_date(date.fromisoformat(value), "long") if problem.field in ("opens_on", "closes_on") else ""
    messages = {
        ("opens_on", "in_past"): _("The round cannot start in the past (today is %(date)s).", date=when),
        ("closes_on", "before_opening"): _("The last day cannot come before the first day (%(date)s).", date=when),
        ("closes_on", "after_candidacy_opens"): _(
            "The round must end before candidacy opens: %(date)s is the last possible day.", date=when
        ),
        ("max_per_person", "out_of_range"): _("Choose a number from 1 to %(n)s.", n=value),
        ("threshold", "out_of_range"): _("Choose a number from 1 to %(n)s.", n=value),
        ("scope", "unknown"): _("Choose whom people can nominate."),
    }
    if problem.code == "empty":
        return _("Write the invitation text.")
    if problem.code == "too_long":
        return _("The text is too long: at most %(n)s characters.", n=value)
    return str(messages.get((problem.field, problem.code), problem.code))


def status_text(status: str | None) -> str:
    """Where the round stands, in words."""
    texts = {
        None: _("No nomination round has been set up."),
        "not_yet": _("The round has not started yet."),
        "open": _("The round is open."),
        "closed": _("The round has closed."),
        "purged": _("The nominations have been deleted; only the counts remain."),
    }
    return str(texts.get(status, status or ""))


def nomination_refusal(code: str, closes_on: date, maximum: int) -> str:
    """Why a nomination was not stored, in words; nothing was changed."""
    texts = {
        "self": _("You cannot nominate yourself this way. Tick “I have the OR factor myself” instead."),
        "not_eligible": _(
            "This colleague cannot be nominated: only colleagues who may stand as a candidate, within the "
            "round's scope, can be nominated."
        ),
        "unknown": _("This colleague was not found. Search again and choose from the list."),
        "duplicate": _("You have already nominated this colleague."),
        "limit": _("You can nominate at most %(n)s colleagues. Remove one first if you want to choose another.",
                   n=maximum),
        "closed": _("The nomination round closed on %(date)s: nominations can no longer be made or changed.",
                    date=format_date(closes_on, "long")),
        "not_yet": _("The nomination round has not started yet."),
        "motivation": _("A motivation can be at most %(n)s characters.", n=MAX_MOTIVATION),
    }
    return str(texts.get(code, code))


def invitation_refusal(code: str) -> str:
    """Why a nominee could not be invited."""
    texts = {
        "closed": _("Invitations can be sent after the round has closed and until candidacy closes."),
        "unknown": _("This nominee was not found."),
        "hidden": _("Only nominees shown in the results can be invited."),
        "declined": _("This colleague has declined further messages."),
        "already": _("This colleague has already been invited."),
    }
    return str(texts.get(code, code))
