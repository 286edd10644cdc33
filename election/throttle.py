"""Failure throttling shared by all workers: a fixed window per key, stored in the database.

Used where an attacker could otherwise spread guesses over several gunicorn workers or hosts:
committee sign-in per address, and voting codes. Keys are hashed so no address is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from election.clock import as_utc
from election.models.throttle import ThrottleCounter


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failures per ``window`` for one key."""

    name: str
    failures: int
    window: timedelta


def throttle_key(limit: Limit, subject: str) -> str:
    """The stored key for ``subject`` under ``limit``: a hash, so the subject itself is not kept."""
    return f"{limit.name}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


def _current(db: Session, key: str, limit: Limit, now: datetime) -> ThrottleCounter | None:
    row = db.get(ThrottleCounter, key, populate_existing=True)
    if row is not None and now - as_utc(row.window_start) >= limit.window:
        return None
    return row


def is_blocked(db: Session, limit: Limit, subject: str, now: datetime) -> bool:
    """True when ``subject`` used up its failures in the current window."""
    row = _current(db, throttle_key(limit, subject), limit, now)
    return row is not None and row.count >= limit.failures


def any_blocked(db: Session, checks: Iterable[tuple[Limit, str]], now: datetime) -> bool:
    """True when any ``(limit, subject)`` pair used up its failures; one query for all of them."""
    limits = {throttle_key(limit, subject): limit for limit, subject in checks}
    query = select(ThrottleCounter).where(ThrottleCounter.key.in_(limits)).execution_options(populate_existing=True)
    for row in db.scalars(query):
        limit = limits[row.key]
        if now - as_utc(row.window_start) < limit.window and row.count >= limit.failures:
            return True
    return False


def record_failure(db: Session, limit: Limit, subject: str, now: datetime) -> None:
    """Count one failure for ``subject`` (atomic increment; a new window starts when the old one ended)."""
    key = throttle_key(limit, subject)
    if _current(db, key, limit, now) is None:
        stale = db.get(ThrottleCounter, key)
        if stale is not None:
            stale.window_start, stale.count = now, 1
            db.flush()
            return
        try:
            with db.begin_nested():
                db.add(ThrottleCounter(key=key, window_start=now, count=1))
            return
        except IntegrityError:
            pass  # another worker created it first: fall through to the increment
    db.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key)
        .values(count=ThrottleCounter.count + 1)
        .execution_options(synchronize_session=False)
    )


def failures(db: Session, limit: Limit, subject: str, now: datetime) -> int:
    """Failures counted for ``subject`` in the current window (for tests and the operator)."""
    row = _current(db, throttle_key(limit, subject), limit, now)
    return 0 if row is None else row.count


__all__ = ["Limit", "any_blocked", "failures", "is_blocked", "record_failure"]
