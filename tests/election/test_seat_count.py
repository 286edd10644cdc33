"""WOR art. 6 lid 1: seats by the number of persons working in the company."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from election.seat_count import SeatCountError, seat_count, statutory_seats


@pytest.mark.parametrize(
    ("headcount", "seats"),
    [
        (1, 3),
        (49, 3),
        (50, 5),
        (99, 5),
        (100, 7),
        (199, 7),
        (200, 9),
        (399, 9),
        (400, 11),
        (599, 11),
        (600, 13),
        (999, 13),
        (1000, 15),
        (1999, 15),
        (2000, 17),
        (2999, 17),
        (3000, 19),
        (5999, 23),
        (6000, 25),
        (10000, 25),
        (1_000_000, 25),
    ],
)
def test_statutory_seats_at_every_band_boundary(headcount: int, seats: int) -> None:
    assert statutory_seats(headcount) == seats


@pytest.mark.parametrize("headcount", [0, -1, -1000])
def test_headcount_of_zero_or_less_is_refused(headcount: int) -> None:
    with pytest.raises(SeatCountError):
        statutory_seats(headcount)


@given(st.integers(1, 20_000))
def test_seats_never_shrink_as_the_company_grows(n: int) -> None:
    assert 3 <= statutory_seats(n) <= statutory_seats(n + 1) <= 25
    assert statutory_seats(n) % 2 == 1


def test_different_seat_number_needs_employer_consent() -> None:
    with pytest.raises(SeatCountError, match="consent"):
        seat_count(120, override=9)
    count = seat_count(120, override=9, employer_consent=True)
    assert (count.statutory, count.seats, count.overridden) == (7, 9, True)


def test_override_equal_to_the_statute_needs_no_consent() -> None:
    assert not seat_count(120, override=7).overridden


def test_override_must_be_a_positive_number() -> None:
    with pytest.raises(SeatCountError):
        seat_count(120, override=0, employer_consent=True)
