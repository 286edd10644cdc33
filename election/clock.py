"""Time as an injectable effect: the real clock in production, a settable one in tests.

Stored times are UTC; dates are shown in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def as_utc(moment: datetime) -> datetime:
    """The same instant with UTC tzinfo; a naive value (as SQLite returns it) is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def dutch_date(moment: datetime) -> date:
    """The calendar date in the Netherlands of an instant (a naive value is UTC): legal days count there."""
    return as_utc(moment).astimezone(AMSTERDAM).date()


class Clock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in the Netherlands, which is what legal deadlines count in."""
        return self.now().astimezone(AMSTERDAM).date()

    def database_now(self, session: Any) -> datetime:
        """The database's current time: it decides whether voting is open, whichever web host asks.

        Several web hosts share one PostgreSQL; their own clocks may drift apart, the database's is
        one for all, so the voting window opens and closes at the same instant for every voter.
        """
        from election.db import database_time  # keeps this module free of SQLAlchemy at import

        shared = database_time(session)
        return self.now() if shared is None else shared


class FixedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = as_utc(moment)

    def now(self) -> datetime:
        """The instant the test set."""
        return self.moment

    def database_now(self, session: Any) -> datetime:
        """The instant the test set: in tests it stands in for the database's clock as well."""
        return self.moment

    def advance(self, delta: timedelta) -> None:
        """Move time forward, for example past a session timeout."""
        self.moment += delta
