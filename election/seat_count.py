"""Number of works council seats by company size (WOR art. 6 lid 1)."""

from __future__ import annotations

from dataclasses import dataclass

# WOR art. 6 lid 1: (smallest headcount of the band, seats), for companies under 1000 persons.
_BANDS: tuple[tuple[int, int], ...] = (
    (600, 13),
    (400, 11),
    (200, 9),
    (100, 7),
    (50, 5),
    (1, 3),
)
MAX_SEATS = 25


class SeatCountError(ValueError):
    """A headcount or seat override that the law does not allow."""


@dataclass(frozen=True)
class SeatCount:
    """The statutory seat number and the one the council uses, if it differs."""

    headcount: int
    statutory: int
    seats: int
    employer_consent: bool = False

    @property
    def overridden(self) -> bool:
        """True when the regulation sets a number other than the statutory one."""
        return self.seats != self.statutory


def statutory_seats(headcount: int) -> int:
    """Return the seats WOR art. 6 lid 1 gives a company where ``headcount`` persons work.

    Counts persons who normally work in the company, not FTE.
    """
    if isinstance(headcount, bool) or not isinstance(headcount, int) or headcount < 1:
        raise SeatCountError("headcount must be a whole number of at least 1")
    if headcount >= 1000:
        # WOR art. 6 lid 1: 15 seats from 1000 persons, two more per further 1000, at most 25.
        return min(MAX_SEATS, 15 + 2 * ((headcount - 1000) // 1000))
    for lowest, seats in _BANDS:
        if headcount >= lowest:
            return seats
    raise AssertionError("unreachable")  # pragma: no cover


def seat_count(headcount: int, override: int | None = None, *, employer_consent: bool = False) -> SeatCount:
    """Propose the seat number, applying an override only with the employer's consent.

    WOR art. 6 lid 1 lets the regulation set a different number when the employer agrees.
    """
    statutory = statutory_seats(headcount)
    if override is None or override == statutory:
        return SeatCount(headcount, statutory, statutory, employer_consent)
    if isinstance(override, bool) or not isinstance(override, int) or override < 1:
        raise SeatCountError("a seat override must be a whole number of at least 1")
    if not employer_consent:
        # WOR art. 6 lid 1: a deviating number of members needs the employer's consent.
        raise SeatCountError(f"{override} seats instead of the statutory {statutory} needs the employer's consent")
    return SeatCount(headcount, statutory, override, employer_consent)
