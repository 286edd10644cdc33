"""The legal timetable counted back from the voting day (SER model defaults)."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from election.regulation import CandidacyMode, Regulation
from election.timeline import compute_timeline, voting_window

V = date(2027, 3, 15)  # a Monday


def test_sample_voting_day_gives_the_ser_model_dates() -> None:
    tl = compute_timeline(V)
    expected = {
        "announce": date(2026, 12, 14),
        "union_invitation": date(2026, 12, 14),
        "date_objection_end": date(2026, 12, 21),
        "register": date(2027, 1, 11),
        "register_objection_end": date(2027, 1, 18),
        "union_lists_deadline": date(2027, 2, 1),
        "free_candidacy_opens": date(2027, 2, 2),
        "free_lists_deadline": date(2027, 2, 15),
        "repair_deadline": date(2027, 2, 17),
        "lists_published": date(2027, 2, 22),
        "list_objection_end": date(2027, 3, 1),
        "voting_opens": V,
        "voting_closes": V,
        "result_objection_end": date(2027, 3, 29),
        "retention_end": date(2027, 6, 15),
    }
    assert {k: tl[k] for k in expected} == expected
    assert all(s.basis for s in tl.steps)
    assert [s.date for s in tl.steps] == sorted(s.date for s in tl.steps)


def test_json_document_has_the_fixed_keys() -> None:
    doc = compute_timeline(V).to_dict()
    keys = {s["key"] for s in doc["steps"]}
    assert {
        "announce",
        "union_invitation",
        "date_objection_end",
        "register",
        "register_objection_end",
        "union_lists_deadline",
        "free_lists_deadline",
        "lists_published",
        "voting_opens",
        "voting_closes",
    } <= keys
    assert doc["voting_day"] == "2027-03-15"
    assert isinstance(doc["warnings"], list)


def test_longer_union_period_is_flagged_after_the_2018_hague_ruling() -> None:
    codes = [w.code for w in compute_timeline(V).warnings]
    assert "union_period_longer" in codes


def test_simultaneous_candidacy_with_equal_deadlines_raises_no_warning() -> None:
    reg = Regulation(candidacy_mode="simultaneous", free_list_deadline_weeks=6)
    tl = compute_timeline(V, reg)
    assert tl["free_candidacy_opens"] == tl["announce"]
    assert tl.warnings == ()


def test_voting_period_of_several_days() -> None:
    tl = compute_timeline(V, voting_days=4)
    assert tl["voting_closes"] == date(2027, 3, 18)
    assert tl["result_objection_end"] == date(2027, 4, 1)


def test_voting_day_in_the_past_is_a_warning() -> None:
    codes = [w.code for w in compute_timeline(V, today=date(2027, 4, 1)).warnings]
    assert "voting_day_in_past" in codes


def test_late_announcement_is_a_warning() -> None:
    codes = [w.code for w in compute_timeline(V, today=date(2027, 1, 1)).warnings]
    assert "announcement_overdue" in codes


def test_weekend_voting_day_is_a_warning() -> None:
    codes = [w.code for w in compute_timeline(date(2027, 3, 13)).warnings]
    assert "voting_day_weekend" in codes


def test_voting_too_close_to_term_end_is_a_warning_by_default() -> None:
    tl = compute_timeline(V, term_end=V + timedelta(days=10))
    assert [w.code for w in tl.warnings][-1] == "voting_too_close_to_term_end"
    assert tl.errors == ()
    assert tl["term_end"] == V + timedelta(days=10)


def test_voting_too_close_to_term_end_is_an_error_when_the_regulation_says_so() -> None:
    reg = Regulation(term_end_severity="error")
    tl = compute_timeline(V, reg, term_end=V + timedelta(days=13))
    assert [e.code for e in tl.errors] == ["voting_too_close_to_term_end"]
    assert compute_timeline(V, reg, term_end=V + timedelta(days=14)).errors == ()


def test_voting_after_term_end_is_reported() -> None:
    reg = Regulation(term_end_severity="error")
    tl = compute_timeline(V, reg, term_end=V, voting_days=2)
    assert [e.code for e in tl.errors] == ["voting_after_term_end"]


def test_timetable_crosses_the_year_end() -> None:
    tl = compute_timeline(date(2027, 1, 5))
    assert tl["announce"] == date(2026, 10, 6)
    assert tl["lists_published"] == date(2026, 12, 15)


def test_retention_end_clamps_to_a_leap_day() -> None:
    tl = compute_timeline(date(2027, 11, 30))
    assert tl["retention_end"] == date(2028, 2, 29)


def test_voting_window_in_winter_time_and_summer_time() -> None:
    opens, closes = voting_window(compute_timeline(date(2027, 3, 26), voting_days=4), time(8, 0), time(20, 0))
    assert opens.utcoffset() == timedelta(hours=1)  # CET before 28 March 2027
    assert closes.utcoffset() == timedelta(hours=2)  # CEST after the change
    # Aware datetimes in one zone subtract as wall time; elapsed time needs UTC.
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == timedelta(days=3, hours=11)


def test_voting_window_on_the_autumn_change_day() -> None:
    opens, closes = voting_window(compute_timeline(date(2027, 10, 31)), time(2, 30), time(20))
    assert opens.utcoffset() == timedelta(hours=2)  # the first 02:30 is still summer time
    assert closes.utcoffset() == timedelta(hours=1)
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == timedelta(hours=18, minutes=30)


def test_voting_window_moves_a_skipped_hour_forward() -> None:
    opens, _ = voting_window(compute_timeline(date(2027, 3, 28)), time(2, 30), time(20))
    assert (opens.hour, opens.minute) == (3, 30)
    assert opens.utcoffset() == timedelta(hours=2)


def test_voting_window_across_new_year() -> None:
    opens, closes = voting_window(compute_timeline(date(2027, 12, 31), voting_days=2))
    assert opens.year == 2027 and closes.date() == date(2028, 1, 1)


def test_zero_voting_days_is_refused() -> None:
    with pytest.raises(ValueError, match="voting_days"):
        compute_timeline(V, voting_days=0)


@given(
    st.dates(date(2020, 1, 1), date(2040, 12, 31)), st.sampled_from(["sequential", "simultaneous"]), st.integers(3, 6)
)
def test_steps_keep_their_legal_order_for_any_voting_day(
    v: date,
    mode: CandidacyMode,
    free_weeks: int,
) -> None:
    if mode == "sequential" and free_weeks == 6:
        free_weeks = 5
    reg = Regulation(candidacy_mode=mode, free_list_deadline_weeks=free_weeks, publication_weeks=min(3, free_weeks - 1))
    tl = compute_timeline(v, reg)
    chain = [
        "announce",
        "date_objection_end",
        "register",
        "register_objection_end",
        "union_lists_deadline",
        "lists_published",
        "list_objection_end",
        "voting_opens",
        "voting_closes",
        "result_objection_end",
        "retention_end",
    ]
    dates = [tl[k] for k in chain]
    assert dates == sorted(dates)
    assert tl["union_lists_deadline"] <= tl["free_lists_deadline"] < tl["lists_published"]
    assert tl["repair_deadline"] <= tl["lists_published"]
