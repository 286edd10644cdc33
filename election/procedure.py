"""The election procedure as a state machine: which step may follow which, and from when.

The phases follow the SER model timetable (domain notes, section 8 item 2). A step is refused when
it is out of order or comes before the date the timetable allows; the refusal names the basis and
the earliest date. Consequential steps (announcing, freezing the register, publishing the lists,
opening voting, closing voting and counting) need a second committee member to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from election.timeline import Timeline, compute_timeline


class Phase(Enum):
    """Where an election stands in the procedure, in the order the steps are taken."""

    DRAFT = "draft"
    ANNOUNCED = "announced"
    REGISTER_OPEN_FOR_OBJECTION = "register_open_for_objection"
    REGISTER_FINAL = "register_final"
    UNION_CANDIDACY = "union_candidacy"
    FREE_CANDIDACY = "free_candidacy"
    CANDIDACY = "candidacy"
    LIST_REVIEW = "list_review"
    LISTS_PUBLISHED = "lists_published"
    LISTS_FINAL = "lists_final"
    NO_VOTE_NEEDED = "no_vote_needed"
    VOTING = "voting"
    COUNTED = "counted"
    RESULT_ANNOUNCED = "result_announced"
    RESULT_FINAL = "result_final"
    INSTALLED = "installed"
    ARCHIVED = "archived"


P = Phase
TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    P.DRAFT: frozenset({P.ANNOUNCED}),
    P.ANNOUNCED: frozenset({P.REGISTER_OPEN_FOR_OBJECTION}),
    P.REGISTER_OPEN_FOR_OBJECTION: frozenset({P.REGISTER_FINAL}),
    P.REGISTER_FINAL: frozenset({P.UNION_CANDIDACY, P.CANDIDACY}),
    P.UNION_CANDIDACY: frozenset({P.FREE_CANDIDACY}),
    P.FREE_CANDIDACY: frozenset({P.LIST_REVIEW}),
    P.CANDIDACY: frozenset({P.LIST_REVIEW}),
    P.LIST_REVIEW: frozenset({P.LISTS_PUBLISHED}),
    P.LISTS_PUBLISHED: frozenset({P.LISTS_FINAL}),
    # Domain 2.1 step 8b: with no more candidates than seats there is no vote.
    P.LISTS_FINAL: frozenset({P.NO_VOTE_NEEDED, P.VOTING}),
    P.NO_VOTE_NEEDED: frozenset({P.RESULT_ANNOUNCED}),
    P.VOTING: frozenset({P.COUNTED}),
    P.COUNTED: frozenset({P.RESULT_ANNOUNCED}),
    P.RESULT_ANNOUNCED: frozenset({P.RESULT_FINAL}),
    P.RESULT_FINAL: frozenset({P.INSTALLED}),
    P.INSTALLED: frozenset({P.ARCHIVED}),
    P.ARCHIVED: frozenset(),
}

# Steps whose effect cannot be taken back quietly: a second committee member confirms them.
CONSEQUENTIAL: frozenset[tuple[Phase, Phase]] = frozenset(
    {
        (P.DRAFT, P.ANNOUNCED),
        (P.REGISTER_OPEN_FOR_OBJECTION, P.REGISTER_FINAL),
        (P.LIST_REVIEW, P.LISTS_PUBLISHED),
        (P.LISTS_FINAL, P.VOTING),
        (P.VOTING, P.COUNTED),
    }
)

# For each phase: the timeline step that must have been reached, the day offset after it, and why.
_EARLIEST: dict[Phase, tuple[str, int, str]] = {
    P.REGISTER_OPEN_FOR_OBJECTION: (
        "date_objection_end",
        1,
        "SER model timetable: objections against the date come first",
    ),
    P.REGISTER_FINAL: ("register_objection_end", 1, "SER model timetable: one week to object to the register"),
    P.FREE_CANDIDACY: (
        "free_candidacy_opens",
        0,
        "SER model: free lists follow the union period; WOR art. 9 lid 2 sub b",
    ),
    P.LIST_REVIEW: ("free_lists_deadline", 1, "regulation: lists may be filed up to the free-list deadline"),
    P.LISTS_PUBLISHED: ("lists_published", 0, "SER Q&A: all lists are published together on the set date"),
    P.LISTS_FINAL: ("list_objection_end", 1, "regulation: objection window on the published lists"),
    P.NO_VOTE_NEEDED: ("list_objection_end", 1, "regulation: objection window on the published lists"),
    P.VOTING: ("voting_opens", 0, "election date set by the works council; WOR art. 9 lid 1"),
    P.COUNTED: ("voting_closes", 0, "voting closes at the end of the voting period"),
    P.RESULT_FINAL: ("result_objection_end", 1, "regulation: objection window on the result"),
    P.INSTALLED: ("term_end", 0, "WOR art. 12: the new council takes office at the term end"),
    P.ARCHIVED: ("retention_end", 0, "SER model art. 14: ballots kept at least three months"),
}


class StepRefused(Exception):
    """A procedure step that may not be taken (yet), with the rule and the earliest date."""

    def __init__(
        self,
        message: str,
        *,
        basis: str,
        earliest: date | None = None,
        current: Phase | None = None,
        target: Phase | None = None,
        code: str = "refused",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.basis = basis
        self.earliest = earliest
        self.current = current
        self.target = target


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


def precedes(earlier: Phase, later: Phase) -> bool:
    """True when ``earlier`` comes before ``later`` in the procedure (NO_VOTE_NEEDED sits beside VOTING)."""
    return PHASE_ORDER.index(earlier) < PHASE_ORDER.index(later)


def allowed_next(current: Phase, timeline: Timeline | None = None) -> frozenset[Phase]:
    """Return the phases that may follow ``current`` (narrowed by the candidacy mode if known)."""
    nxt = TRANSITIONS[current]
    if current is P.REGISTER_FINAL and timeline is not None:
        mode = timeline.regulation.candidacy_mode
        return frozenset({P.UNION_CANDIDACY if mode == "sequential" else P.CANDIDACY})
    return nxt


def check_transition(current: Phase, target: Phase, today: date, timeline: Timeline) -> None:
    """Refuse a step that is out of order or too early; return quietly when it may be taken.

    Announcing after the announcement date is refused too, because every later term would be
    shortened: the committee must postpone the voting day instead.
    """
    if target not in allowed_next(current, timeline):
        options = ", ".join(sorted(p.value for p in allowed_next(current, timeline))) or "none"
        raise StepRefused(
            f"cannot go from {current.value} to {target.value}; next may be: {options}",
            code="out_of_order",
            basis="SER model timetable: the steps of the procedure follow each other in order",
            current=current,
            target=target,
        )
    if target is P.ANNOUNCED and today > timeline["announce"]:
        raise StepRefused(
            f"the announcement was due on {timeline['announce']}; postpone the voting day first",
            code="announcement_overdue",
            basis=f"SER model timetable: announcement {timeline.regulation.announce_weeks} weeks before the voting day",
            current=current,
            target=target,
        )
    rule = _EARLIEST.get(target)
    if rule is None:
        return
    key, offset, basis = rule
    step_date = timeline.get(key)
    if step_date is None:
        return
    earliest = step_date + timedelta(days=offset)
    if today < earliest:
        raise StepRefused(
            f"{target.value} is possible from {earliest.isoformat()}, not on {today.isoformat()}",
            code="too_early",
            basis=basis,
            earliest=earliest,
            current=current,
            target=target,
        )


def needs_confirmation(current: Phase, target: Phase) -> bool:
    """True when the step needs a second committee member's confirmation."""
    return (current, target) in CONSEQUENTIAL


def check_confirmation(current: Phase, target: Phase, proposed_by: str, confirmed_by: str | None) -> None:
    """Refuse a consequential step that lacks a confirmation by a different committee member."""
    if not needs_confirmation(current, target):
        return
    if not confirmed_by or confirmed_by == proposed_by:
        raise StepRefused(
            f"{target.value} needs confirmation by a second committee member",
            code="second_member",
            basis="four-eyes rule for consequential steps (FNV/Vakmedianet code: committee of at least three)",
            current=current,
            target=target,
        )


@dataclass(frozen=True)
class Postponement:
    """A moved voting day: the new timetable, the reason and which dates changed."""

    old_voting_day: date
    new_voting_day: date
    reason: str
    timeline: Timeline
    changed: tuple[tuple[str, date | None, date], ...]


# Before voting starts the whole timetable can still move.
_POSTPONABLE = frozenset(p for p in Phase if precedes(p, P.NO_VOTE_NEEDED))


def postpone(current: Phase, timeline: Timeline, new_voting_day: date, reason: str, today: date) -> Postponement:
    """Move the voting day to a later date, recompute every deadline, and list what changed.

    Bedrijfscommissie 2016: a short postponement to repair irregularities is lawful unless the
    regulation forbids it, and its reason must be made known, so a reason is required.
    """
    reg = timeline.regulation
    if not reg.postponement_allowed:
        raise StepRefused(
            "the regulation does not allow postponement",
            basis="regulation (WOR art. 10)",
            current=current,
            code="postponement_not_allowed",
        )
    if not reason.strip():
        raise StepRefused(
            "a postponement needs a reason that is made known to all staff",
            code="reason_required",
            basis="bedrijfscommissie 2016: the reason must be communicated",
            current=current,
        )
    if current not in _POSTPONABLE:
        raise StepRefused(
            f"the voting day cannot move once the election is {current.value}",
            code="too_late_to_move",
            basis="SER model timetable",
            current=current,
        )
    if new_voting_day <= timeline.voting_day:
        raise StepRefused(
            f"a postponement moves the voting day later than {timeline.voting_day}",
            code="not_later",
            basis="bedrijfscommissie 2016: postponement, not advancement",
            earliest=timeline.voting_day + timedelta(days=1),
            current=current,
        )
    new = compute_timeline(
        new_voting_day,
        reg,
        term_end=timeline.term_end,
        today=today,
        voting_days=(timeline["voting_closes"] - timeline.voting_day).days + 1,
    )
    changed = tuple((s.key, timeline.get(s.key), s.date) for s in new.steps if timeline.get(s.key) != s.date)
    return Postponement(timeline.voting_day, new_voting_day, reason.strip(), new, changed)
