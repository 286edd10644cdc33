"""The rules of the nomination pre-round (nominatieactie), as plain functions on plain data.

A nomination has no legal effect: it is never a candidacy and never a condition for one (domain 7;
rendement 2015, SER/CBM after the 2013 change: an OR may ask staff to nominate, but may impose no
requirement on candidacy). Nothing here is consulted by the candidacy rules.

When the round must end. Candidacy opens first for union lists, on the day of the announcement
(SER model timetable, ``union_candidacy_opens``), in sequential and in simultaneous mode alike;
free lists open then or later. The round therefore ends at the latest on the day *before*
``union_candidacy_opens``. Choosing the earlier of the two openings means that (a) a nomination
never runs into, and so can never look like part of, the candidacy procedure, and (b) every
nominee is approached with the whole of both the union period and the free-list period still
ahead, so neither way of standing is favoured (Hague Court of Appeal 2018 on equal chances for
free lists). The nominated data are deleted when candidacy closes: after the later of the union
and the free-list deadline (domain 7, GDPR storage limitation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from election.timeline import Timeline

Scope = Literal["organisation", "group"]
Status = Literal["not_yet", "open", "closed", "purged"]

MAX_PER_PERSON = 10
MAX_THRESHOLD = 50
MAX_MOTIVATION = 300
MAX_INVITATION_TEXT = 4000
MIN_QUERY = 2
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class RoundSettings:
    """What the committee chooses for a round."""

    opens_on: date
    closes_on: date
    max_per_person: int
    self_nomination: bool
    scope: Scope
    threshold: int
    invitation_nl: str
    invitation_en: str


@dataclass(frozen=True)
class Problem:
    """A refused setting: the field it concerns, a stable code and the value that matters."""

    field: str
    code: str
    value: str = ""


def latest_close(timeline: Timeline) -> date:
    """The last day the round may run: the day before union candidacy opens (see module docs)."""
    return timeline["union_candidacy_opens"] - timedelta(days=1)


def candidacy_closes(timeline: Timeline) -> date:
    """The last day of candidacy: the later of the union and the free-list deadline."""
    return max(timeline["union_lists_deadline"], timeline["free_lists_deadline"])


def check_settings(settings: RoundSettings, today: date, timeline: Timeline) -> list[Problem]:
    """Everything wrong with ``settings`` for a round set up ``today``; empty when they can be saved."""
    problems: list[Problem] = []
    last = latest_close(timeline)
    if settings.opens_on < today:
        problems.append(Problem("opens_on", "in_past", today.isoformat()))
    if settings.closes_on < settings.opens_on:
        problems.append(Problem("closes_on", "before_opening", settings.opens_on.isoformat()))
    if settings.closes_on > last:
        # Domain 7 and 8 item 30: a pre-round, finished before candidacy opens.
        problems.append(Problem("closes_on", "after_candidacy_opens", last.isoformat()))
    if not 1 <= settings.max_per_person <= MAX_PER_PERSON:
        problems.append(Problem("max_per_person", "out_of_range", str(MAX_PER_PERSON)))
    if not 1 <= settings.threshold <= MAX_THRESHOLD:
        problems.append(Problem("threshold", "out_of_range", str(MAX_THRESHOLD)))
    if settings.scope not in ("organisation", "group"):
        problems.append(Problem("scope", "unknown", settings.scope))
    for field in ("invitation_nl", "invitation_en"):
        text = getattr(settings, field)
        if not text.strip():
            problems.append(Problem(field, "empty"))
        elif len(text) > MAX_INVITATION_TEXT:
            problems.append(Problem(field, "too_long", str(MAX_INVITATION_TEXT)))
    return problems


def round_status(opens_on: date, closes_on: date, today: date, last_day: date, purged: bool) -> Status:
    """Where a round stands ``today``; it never runs past ``last_day`` even if the voting day moved."""
    if purged:
        return "purged"
    if today < opens_on:
        return "not_yet"
    if today <= min(closes_on, last_day):
        return "open"
    return "closed"


def purge_due(timeline: Timeline, today: date) -> bool:
    """True once candidacy has closed: the nominations must then be deleted (domain 7; GDPR)."""
    return today > candidacy_closes(timeline)


def refusal_to_add(
    already_chosen: int, maximum: int, *, eligible: bool, is_self: bool, duplicate: bool
) -> str | None:
    """Why one more nomination cannot be stored (a stable code), or None when it can."""
    if is_self:
        return "self"
    if not eligible:
        # Domain 8 item 30: only colleagues who may stand (passive voting right, WOR art. 6 lid 3).
        return "not_eligible"
    if duplicate:
        return "duplicate"
    if already_chosen >= maximum:
        return "limit"
    return None


def shown(count: int, threshold: int) -> bool:
    """Whether a count may be shown to the committee: small counts stay hidden (domain 7, privacy)."""
    return count >= threshold


def clean_motivation(text: str) -> str:
    """A motivation as stored: one line, trimmed; ValueError when it is longer than allowed."""
    one_line = " ".join(text.split())
    if len(one_line) > MAX_MOTIVATION:
        raise ValueError("motivation too long")
    return one_line
