"""Time as an injectable effect: the real clock in production, a settable one in tests.

Stored times are UTC; dates are shown in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def as_utc(moment: datetime) -> datetime:
    """The same instant with UTC tzinfo; a naive value (as SQLite returns it) is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Clock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in the Netherlands, which is what legal deadlines count in."""
        return self.now().astimezone(AMSTERDAM).date()


class FixedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = as_utc(moment)

    def now(self) -> datetime:
        """The instant the test set."""
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move time forward, for example past a session timeout."""
        self.moment += delta
