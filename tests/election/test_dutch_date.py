"""Legal days count in the Netherlands: an instant's date is the Dutch one, not the UTC one."""

from __future__ import annotations

from datetime import UTC, date, datetime

from election.clock import dutch_date


def test_late_evening_utc_is_already_the_next_day_in_the_netherlands():
    assert dutch_date(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == date(2026, 11, 25)  # CET, UTC+1
    assert dutch_date(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == date(2026, 7, 2)  # CEST, UTC+2
    assert dutch_date(datetime(2026, 11, 24, 22, 59, tzinfo=UTC)) == date(2026, 11, 24)


def test_a_naive_instant_is_taken_as_utc():
    assert dutch_date(datetime(2026, 11, 24, 23, 30)) == date(2026, 11, 25)
