"""Checks on an election's set-up that must hold before it is announced (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from election.seat_count import SeatCountError, seat_count


@dataclass(frozen=True)
class GroupPlan:
    """An electoral group (kiesgroep) as the committee configured it."""

    name: str
    seats: int
    earmarked_seats: int = 0
    earmark_unit: str | None = None  # the department or location the earmarked seats are reserved for


@dataclass(frozen=True)
class SetupProblem:
    """Something in the set-up that blocks the announcement: a stable code, the field, a message."""

    code: str
    field: str
    message: str


def check_setup(
    *,
    headcount: int,
    seats: int,
    employer_consent: bool,
    voting_day: date,
    today: date,
    groups: list[GroupPlan],
    electoral_system: str,
    votes_per_voter: int | None,
) -> list[SetupProblem]:
    """Return every problem that stops this set-up from being announced (empty when it is ready)."""
    problems: list[SetupProblem] = []
    try:
        # WOR art. 6 lid 1: seat number from the headcount; another number needs employer consent.
        seat_count(headcount, seats, employer_consent=employer_consent)
    except SeatCountError as error:
        problems.append(SetupProblem("seats", "seats", str(error)))
    if voting_day <= today:
        problems.append(SetupProblem("voting_day_past", "voting_day", "the voting day must lie in the future"))
    if not groups:
        problems.append(SetupProblem("no_groups", "groups", "at least one electoral group is needed"))
    for group in groups:
        if group.seats < 1:
            problems.append(SetupProblem("group_without_seats", "groups", f"group {group.name} has no seats"))
        if not 0 <= group.earmarked_seats <= group.seats:
            problems.append(
                SetupProblem("earmarked", "groups", f"group {group.name}: earmarked seats must be within its seats")
            )
        if group.earmarked_seats > 0 and not group.earmark_unit:
            # Domain 4.3: seats are reserved for the candidates of a named unit; without one nobody could take them.
            problems.append(
                SetupProblem(
                    "earmark_without_unit",
                    "groups",
                    f"group {group.name}: earmarked seats need the department or location they are reserved for",
                )
            )
    # WOR art. 9 lid 3: each electoral group elects a number of seats fixed in the regulation.
    if groups and sum(g.seats for g in groups) != seats:
        problems.append(
            SetupProblem(
                "group_seats_sum",
                "groups",
                f"the groups have {sum(g.seats for g in groups)} seats together, the council {seats}",
            )
        )
    if electoral_system == "person" and votes_per_voter is not None:
        smallest = min((g.seats for g in groups), default=seats)
        if not 1 <= votes_per_voter <= smallest:
            # Domain 5.1: k is at most the number of seats and the same for every voter.
            problems.append(
                SetupProblem("votes_per_voter", "votes_per_voter", f"votes per voter must be between 1 and {smallest}")
            )
    return problems
