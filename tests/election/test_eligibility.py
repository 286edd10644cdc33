"""Voting rights on the voting day: WOR art. 1 lid 3 sub a, 1 lid 4, 6 lid 2-5."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from election.eligibility import (
    Art64Lists,
    EmploymentKind,
    PersonFacts,
    add_months,
    assess,
    describe,
)
from election.regulation import Regulation

REG = Regulation()
V = date(2027, 5, 15)


def rights(start: date, v: date = V, reg: Regulation = REG, **kw: object) -> tuple[bool, bool]:
    e = assess(PersonFacts("1", start, **kw), v, reg)  # type: ignore[arg-type]
    return e.active, e.passive


def test_employee_gets_rights_on_exactly_three_months_of_service() -> None:
    assert rights(date(2027, 2, 15)) == (True, True)


def test_employee_one_day_short_of_three_months_has_no_rights() -> None:
    assert rights(date(2027, 2, 16)) == (False, False)
    e = assess(PersonFacts("1", date(2027, 2, 16)), V, REG)
    assert e.reasons == ("active_term_not_met", "passive_term_not_met")


def test_three_months_before_the_31st_clamps_to_the_end_of_february() -> None:
    v = date(2027, 5, 31)
    assert rights(date(2027, 2, 28), v) == (True, True)
    assert rights(date(2027, 3, 1), v) == (False, False)


def test_leap_year_february_has_29_days() -> None:
    v = date(2028, 5, 31)
    assert rights(date(2028, 2, 29), v) == (True, True)
    assert rights(date(2028, 3, 1), v) == (False, False)


def test_year_end_is_crossed_when_counting_back() -> None:
    v = date(2027, 2, 10)
    assert rights(date(2026, 11, 10), v) == (True, True)
    assert rights(date(2026, 11, 11), v) == (False, False)


def test_agency_worker_gets_rights_after_eighteen_months() -> None:
    v = date(2027, 3, 15)
    assert rights(date(2020, 1, 1), v, kind=EmploymentKind.AGENCY_WORKER, agency_since=date(2025, 9, 15)) == (
        True,
        True,
    )
    e = assess(PersonFacts("1", date(2020, 1, 1), EmploymentKind.AGENCY_WORKER, agency_since=date(2025, 9, 16)), v, REG)
    assert (e.active, e.passive) == (False, False)
    assert "agency_worker_under_term" not in e.reasons
    assert "active_term_not_met" in e.reasons


def test_agency_worker_under_fifteen_months_does_not_count_yet() -> None:
    e = assess(PersonFacts("1", date(2026, 1, 1), EmploymentKind.AGENCY_WORKER), date(2027, 3, 15), REG)
    assert not e.active and "agency_worker_under_term" in e.reasons


def test_agency_worker_without_agency_date_counts_from_the_start_date() -> None:
    assert rights(date(2025, 9, 15), date(2027, 3, 15), kind=EmploymentKind.AGENCY_WORKER) == (True, True)


def test_bestuurder_is_excluded_whatever_the_service() -> None:
    e = assess(PersonFacts("1", date(2000, 1, 1), bestuurder=True), V, REG)
    assert (e.active, e.passive, e.reasons) == (False, False, ("bestuurder",))
    assert "WOR art. 1 lid 4" in describe(e.reasons)[0]


def test_person_who_leaves_before_the_voting_day_has_no_rights() -> None:
    assert rights(date(2000, 1, 1), end_date=V - timedelta(days=1)) == (False, False)
    assert rights(date(2000, 1, 1), end_date=V) == (True, True)


def test_person_starting_after_the_voting_day_has_no_rights() -> None:
    e = assess(PersonFacts("1", V + timedelta(days=1)), V, Regulation(active_months=0, passive_months=0))
    assert not e.active and "not_started" in e.reasons


def test_intern_needs_an_art_6_4_inclusion() -> None:
    facts = PersonFacts("7", date(2020, 1, 1), EmploymentKind.INTERN)
    assert not assess(facts, V, REG).active
    by_number = assess(facts, V, REG, Art64Lists(included=frozenset({"7"})))
    assert by_number.active and by_number.reasons == ("included_art_6_4",)
    by_kind = assess(facts, V, REG, Art64Lists(included_kinds=frozenset({EmploymentKind.INTERN})))
    assert by_kind.passive


def test_art_6_4_exclusion_wins_over_inclusion() -> None:
    lists = Art64Lists(included=frozenset({"7"}), excluded=frozenset({"7"}))
    e = assess(PersonFacts("7", date(2020, 1, 1)), V, REG, lists)
    assert (e.active, e.reasons) == (False, ("excluded_art_6_4",))


def test_regulation_may_set_different_terms_for_active_and_passive_rights() -> None:
    # WOR art. 6 lid 5: the council may deviate, even to zero.
    reg = Regulation(active_months=0, passive_months=12)
    assert rights(V, reg=reg) == (True, False)
    assert rights(date(2026, 5, 15), reg=reg) == (True, True)


def test_old_six_month_regulation_is_honoured_when_configured() -> None:
    reg = Regulation(active_months=6, passive_months=12, agency_worker_months=24)
    assert rights(date(2027, 2, 15), reg=reg) == (False, False)
    assert rights(date(2026, 11, 15), reg=reg) == (True, False)


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(-400, 400))
def test_add_months_moves_whole_months_and_clamps(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + timedelta(days=1)).day == 1)


@given(st.dates(date(2000, 1, 1), date(2060, 12, 31)), st.dates(date(2000, 1, 1), date(2060, 12, 31)))
def test_rights_switch_on_exactly_at_the_cutoff(start: date, v: date) -> None:
    active, _ = rights(start, v)
    assert active == (start <= add_months(v, -3))
