"""The committee's checklist (draaiboek): each dated step with its status today (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from election.procedure import Phase
from election.timeline import Timeline

DUE_SOON = timedelta(days=7)

# The phase whose arrival completes each timetable step.
COMPLETED_BY: dict[str, Phase] = {
    "announce": Phase.ANNOUNCED,
    "union_invitation": Phase.ANNOUNCED,
    "union_candidacy_opens": Phase.ANNOUNCED,
    "date_objection_end": Phase.REGISTER_OPEN_FOR_OBJECTION,
    "register": Phase.REGISTER_OPEN_FOR_OBJECTION,
    "register_objection_end": Phase.REGISTER_FINAL,
    "free_candidacy_opens": Phase.FREE_CANDIDACY,
    "union_lists_deadline": Phase.LIST_REVIEW,
    "free_lists_deadline": Phase.LIST_REVIEW,
    "repair_deadline": Phase.LISTS_PUBLISHED,
    "lists_published": Phase.LISTS_PUBLISHED,
    "list_objection_end": Phase.LISTS_FINAL,
    "voting_opens": Phase.VOTING,
    "voting_closes": Phase.COUNTED,
    "result_objection_end": Phase.RESULT_FINAL,
    "term_end": Phase.INSTALLED,
    "retention_end": Phase.ARCHIVED,
}

_ORDER = {phase: index for index, phase in enumerate(Phase)}
# Simultaneous candidacy reaches the free-list step with the combined CANDIDACY phase.
_EQUIVALENT = {Phase.CANDIDACY: Phase.FREE_CANDIDACY}
_VOTING_STEPS = {"voting_opens", "voting_closes"}


class Status(Enum):
    """Where a step stands: done, not applicable, late, due within a week, or later."""

    DONE = "done"
    NOT_NEEDED = "not_needed"
    LATE = "late"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the draaiboek."""

    key: str
    date: date
    basis: str
    status: Status


def _reached(phase: Phase, needed: Phase) -> bool:
    phase = _EQUIVALENT.get(phase, phase)
    if phase is Phase.NO_VOTE_NEEDED:
        phase = Phase.LISTS_FINAL
    return _ORDER[phase] >= _ORDER[needed]


def checklist(timeline: Timeline, phase: Phase, today: date) -> list[ChecklistItem]:
    """Every step of the timetable, marked done, late, due or upcoming for ``today``."""
    items = []
    for step in timeline.steps:
        needed = COMPLETED_BY.get(step.key)
        if phase is Phase.NO_VOTE_NEEDED and step.key in _VOTING_STEPS:
            # Domain 2.1 step 8b: no more candidates than seats, so no vote is held.
            status = Status.NOT_NEEDED
        elif needed is not None and _reached(phase, needed):
            status = Status.DONE
        elif step.date < today:
            status = Status.LATE
        elif step.date - today <= DUE_SOON:
            status = Status.DUE
        else:
            status = Status.UPCOMING
        items.append(ChecklistItem(step.key, step.date, step.basis, status))
    return items
