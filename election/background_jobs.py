"""Long work started from a web request: a job row, a claim token, a daemon thread and a heartbeat.

A request may not run for minutes (gunicorn recycles a worker after 60 s), so it files a job row
and claims it; the claiming process does the work in a daemon thread, writing its progress and a
heartbeat to that row, and the page shows the row. Under gunicorn any worker may answer a poll;
all of them read the same row. The claim is a conditional UPDATE, so exactly one process runs a
job. If that process dies, its heartbeat stops; once it is older than ``stale_after`` the next
poll, in whichever worker serves it, claims the job again with a new token, and the old runner,
should it still be alive, stops at its next write because its token no longer matches
(:class:`JobLost`). No extra service is needed.

A job table has the columns ``id``, ``status`` (``queued``, ``running``, ``done``, ``failed``),
``claim_token``, ``heartbeat_at`` and ``attempts``. Used by the server-side record checks
(:mod:`election.record_checks`) and by the result mailing (:mod:`election.result_mailing`).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from election.clock import Clock, as_utc

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0


class JobLost(Exception):
    """Another process took the job over (this one's heartbeat was seen as stale)."""


class JobRow(Protocol):
    """What the job functions read of a job row."""

    status: str
    heartbeat_at: datetime | None


def is_stale(job: JobRow, now: datetime, stale_after: timedelta) -> bool:
    """A running job whose runner has not been heard of for ``stale_after``."""
    return job.status == "running" and (job.heartbeat_at is None or as_utc(job.heartbeat_at) < now - stale_after)


def claim(
    factory: sessionmaker[Session],
    model: Any,
    job_id: int,
    now: datetime,
    stale_after: timedelta,
    **reset: Any,
) -> str | None:
    """Take the job for this process: a queued one, or a running one whose runner fell silent.

    ``reset`` are the values a fresh run starts from (a job that resumes where it stopped passes
    none). Returns the claim token, or ``None`` when another process holds the job or it has finished.
    """
    token = secrets.token_hex(16)
    with factory() as db:
        result = db.execute(
            update(model)
            .where(
                model.id == job_id,
                or_(
                    model.status == "queued",
                    (model.status == "running")
                    & (model.heartbeat_at.is_(None) | (model.heartbeat_at < now - stale_after)),
                ),
            )
            .values(status="running", claim_token=token, heartbeat_at=now, attempts=model.attempts + 1, **reset)
        )
        db.commit()
        return token if result.rowcount == 1 else None  # type: ignore[attr-defined]


def write_held(db: Session, model: Any, job_id: int, token: str, **values: Any) -> None:
    """Update the job row in ``db``'s transaction, only while this process still holds the job.

    Raises :class:`JobLost` otherwise; the caller then rolls back whatever else it did.
    """
    result = db.execute(update(model).where(model.id == job_id, model.claim_token == token).values(**values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise JobLost(job_id)


def write(factory: sessionmaker[Session], model: Any, job_id: int, token: str, **values: Any) -> None:
    """Update the job row in a transaction of its own, only while this process still holds the job."""
    with factory() as db:
        write_held(db, model, job_id, token, **values)
        db.commit()


class Heartbeat(threading.Thread):
    """Refreshes the job's heartbeat while the runner works (also through long silent stages)."""

    def __init__(self, factory: sessionmaker[Session], model: Any, job_id: int, token: str, clock: Clock) -> None:
        super().__init__(name=f"{model.__tablename__}-{job_id}-heartbeat", daemon=True)
        self.factory, self.model, self.job_id, self.token, self.clock = factory, model, job_id, token, clock
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                write(self.factory, self.model, self.job_id, self.token, heartbeat_at=self.clock.now())
            except JobLost:
                return
            except Exception:
                # A missed heartbeat only makes the job look stale sooner.
                log.warning("%s %s: heartbeat not written", self.model.__tablename__, self.job_id)


def run_in_thread(name: str, target: Callable[[], None]) -> threading.Thread:
    """Run ``target`` in a daemon thread of this process (the web server keeps serving)."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
