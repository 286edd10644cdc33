"""Active and passive voting rights (actief en passief kiesrecht) on the voting day.

Since 1 January 2022 both rights need three months of work in the company (WOR art. 6 lid 2 and 3)
and an agency worker (uitzendkracht) counts as working in the company after fifteen months
(WOR art. 1 lid 3 sub a), so gets both rights after eighteen. The regulation may set other terms
(WOR art. 6 lid 5). All terms are read from the :class:`~election.regulation.Regulation`.

Months are counted on the calendar: "n months of service on V" means the person started on or
before ``add_months(V, -n)``, the same day of the month n months before V, moved back to the last
day of that month when it has fewer days (V = 31 May, n = 3 gives 28 or 29 February).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache

from election.regulation import Regulation


class EmploymentKind(Enum):
    """How a person works for the company; only the first two count under WOR art. 1 by default."""

    EMPLOYEE = "employee"
    AGENCY_WORKER = "agency_worker"
    INTERN = "intern"
    FREELANCER = "freelancer"
    OTHER = "other"


# Reason codes, stable for programs, each with a sentence for the committee.
REASONS: dict[str, str] = {
    "bestuurder": "the bestuurder is not represented by the works council (WOR art. 1 lid 4)",
    "excluded_art_6_4": "excluded by agreement of employer and works council (WOR art. 6 lid 4)",
    "included_art_6_4": "included by agreement of employer and works council (WOR art. 6 lid 4)",
    "not_working_in_company": "no employment contract with the company (WOR art. 1 lid 2)",
    "not_started": "starts after the voting day",
    "left_before_voting_day": "leaves the company before the voting day",
    "agency_worker_under_term": "agency worker not yet counted as working in the company (WOR art. 1 lid 3 sub a)",
    "active_term_not_met": "too short in the company for the active voting right (WOR art. 6 lid 2)",
    "passive_term_not_met": "too short in the company for the passive voting right (WOR art. 6 lid 3)",
}


def add_months(day: date, months: int) -> date:
    """Move ``day`` by whole calendar months, clamping to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What eligibility depends on, as the HR export gives it."""

    employee_number: str
    start_date: date
    kind: EmploymentKind = EmploymentKind.EMPLOYEE
    bestuurder: bool = False
    end_date: date | None = None
    # For an agency worker: since when they work in the company through the agency.
    agency_since: date | None = None


@dataclass(frozen=True)
class Art64Lists:
    """Persons or kinds added to or taken from the electorate by employer and council jointly.

    WOR art. 6 lid 4 lets them widen or narrow the electorate, e.g. to admit interns or freelancers.
    An exclusion wins over an inclusion.
    """

    included: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    included_kinds: frozenset[EmploymentKind] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The two voting rights of one person on V, and the reason codes behind them."""

    active: bool
    passive: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cutoffs:
    """The latest start dates that still give each right on a voting day."""

    active: date
    passive: date
    agency_counted: date
    agency_active: date
    agency_passive: date


@lru_cache(maxsize=64)
def cutoffs(voting_day: date, regulation: Regulation) -> Cutoffs:
    """Return the last start dates that still qualify on ``voting_day`` (cached per V)."""
    # WOR art. 6 lid 2 and 3: the terms are counted up to the voting day.
    agency = regulation.agency_worker_months
    return Cutoffs(
        active=add_months(voting_day, -regulation.active_months),
        passive=add_months(voting_day, -regulation.passive_months),
        agency_counted=add_months(voting_day, -agency),
        # WOR art. 1 lid 3 sub a + art. 6 lid 2/3: 15 months to count, then 3 months of service.
        agency_active=add_months(voting_day, -(agency + regulation.active_months)),
        agency_passive=add_months(voting_day, -(agency + regulation.passive_months)),
    )


_EMPTY: Art64Lists = Art64Lists()
_BOTH = Eligibility(True, True)


def assess(
    person: PersonFacts,
    voting_day: date,
    regulation: Regulation,
    art64: Art64Lists | None = None,
) -> Eligibility:
    """Decide whether ``person`` may vote and stand on ``voting_day``, with reason codes.

    A person with no right gets every reason code that applies; a person admitted only through
    an art. 6 lid 4 inclusion carries ``included_art_6_4``.
    """
    lists = art64 or _EMPTY
    cut = cutoffs(voting_day, regulation)
    reasons: list[str] = []
    number = person.employee_number
    if person.bestuurder:
        # WOR art. 1 lid 4: the bestuurder is excluded from works council representation.
        return Eligibility(False, False, ("bestuurder",))
    if number in lists.excluded:
        # WOR art. 6 lid 4: excluded by agreement.
        return Eligibility(False, False, ("excluded_art_6_4",))
    if person.end_date is not None and person.end_date < voting_day:
        reasons.append("left_before_voting_day")
    start = person.start_date
    active_cut, passive_cut = cut.active, cut.passive
    kind = person.kind
    included = number in lists.included or kind in lists.included_kinds
    if kind is EmploymentKind.AGENCY_WORKER:
        start = person.agency_since or person.start_date
    if kind is EmploymentKind.AGENCY_WORKER and not included:
        if start > cut.agency_counted:
            # WOR art. 1 lid 3 sub a: counted only after fifteen months.
            reasons.append("agency_worker_under_term")
        active_cut, passive_cut = cut.agency_active, cut.agency_passive
    elif kind is not EmploymentKind.EMPLOYEE and not included:
        # WOR art. 1 lid 2: only persons with an employment contract work in the company.
        reasons.append("not_working_in_company")
    if included:
        reasons.append("included_art_6_4")
    if start > voting_day:
        reasons.append("not_started")
    active = passive = True
    # WOR art. 6 lid 2: active right after the configured months in the company.
    if start > active_cut:
        active = False
        reasons.append("active_term_not_met")
    # WOR art. 6 lid 3: passive right after the configured months in the company.
    if start > passive_cut:
        passive = False
        reasons.append("passive_term_not_met")
    blocking = {"left_before_voting_day", "agency_worker_under_term", "not_working_in_company", "not_started"}
    if blocking.intersection(reasons):
        active = passive = False
    if not reasons:
        return _BOTH
    return Eligibility(active, passive, tuple(reasons))


def describe(reasons: Collection[str]) -> list[str]:
    """Turn reason codes into sentences for the committee (unknown codes are passed through)."""
    return [REASONS.get(code, code) for code in reasons]
