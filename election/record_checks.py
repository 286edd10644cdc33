"""The verifier's checks run on the server, for the auditor's convenience, as a background job.

The checks are exactly those of ``stembus verify`` (``crypto.verifier``: the same check functions,
the same seat allocator), run on the frozen record bytes. They remain a convenience: the
independent verifier, run by the auditor on their own machine, is the authority.

**Why a job row, a thread and a heartbeat.** Verifying a large record takes minutes, longer than a
request may (gunicorn recycles a worker after 60 s). So a request only files a ``RecordCheck`` row
and claims it; the claiming process verifies in a daemon thread, writing its stage, progress and a
heartbeat to that row, and the page polls a small JSON status view (:mod:`election.background_jobs`
explains the claim and the take-over of a job whose process died; a check taken over starts over).
The thread verifies in one process (``jobs=1``): forking a process pool from a threaded web worker
is unsafe, and the web server must keep serving.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import record as rc
from crypto import verify_tally as vt
from crypto.record_schema import RecordError
from crypto.verifier import DEFAULT_CHUNK, check_board, check_setup
from crypto.verify_report import Report
from election import audit_log
from election import background_jobs as jobs
from election.clock import Clock
from election.models import Election
from election.models.record import PublishedRecord, RecordCheck
from election.record_publication import record_of, write_record

STALE_AFTER = timedelta(seconds=60)
PROGRESS_SECONDS = 0.5
STAGES = ("queued", "starting", "reading", "setup", "board", "tally", "done")

Progress = Callable[[str, int], None]


# Another process took the job over (this one's heartbeat was seen as stale).
CheckLost = jobs.JobLost


# --- the checks themselves --------------------------------------------------------------------------


class _CountingReader(rc.RecordReader):
    """A record reader that reports each board line it hands to the verifier."""

    def __init__(self, path: str | Path, on_line: Callable[[int], None]) -> None:
        super().__init__(path)
        self._on_line = on_line

    def iter_board_lines(self) -> Iterator[tuple[int, bytes]]:
        for number, raw in super().iter_board_lines():
            self._on_line(number)
            yield number, raw


def verify_with_progress(path: str | Path, progress: Progress, *, jobs: int = 1) -> Report:
    """``crypto.verifier.verify_record`` step for step, reporting the stage and board lines read.

    The same check functions in the same order with the same seat allocator as ``stembus verify``;
    a test holds the two reports equal. Raises ``RecordError`` when the record cannot be read.
    """
    from election.cli_verify import allocate_seats

    report = Report()
    with _CountingReader(path, lambda n: progress("board", n)) as record:
        progress("setup", 0)
        setup = check_setup(record, report)
        if setup is None:
            report.skip_rest("the record's set-up (version, manifest, keys or credentials) is not valid")
            return report
        findings = check_board(record, setup, report, jobs, False, DEFAULT_CHUNK)
        progress("tally", findings.entries)
        vt.check_tally(record, setup.manifest, setup.keys, findings, report, allocate_seats, setup.election_hash)
    report.summary = {
        "election": setup.manifest.election_id,
        "election_hash": setup.election_hash.hex(),
        "board_entries": findings.entries,
        "board_head": findings.head.hex() if findings.head else None,
        "ballots": findings.counted,
        "challenged": findings.challenged,
    }
    report.skip_rest("an earlier check failed")
    return report


# --- the job --------------------------------------------------------------------------------------


def is_stale(job: RecordCheck, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    """A running job whose runner has not been heard of for ``stale_after``."""
    return jobs.is_stale(job, now, stale_after)


def latest_check(db: Session, election_id: int) -> RecordCheck | None:
    """The election's most recent check, if any."""
    query = select(RecordCheck).where(RecordCheck.election_id == election_id).order_by(RecordCheck.id.desc())
    return db.scalars(query.limit(1)).first()


def request_check(db: Session, election: Election, actor: str, now: datetime) -> RecordCheck:
    """File a check of the frozen record, or return the one already waiting or running for it."""
    record = record_of(db, election.id)
    if record is None or record.destroyed_at is not None:
        raise LookupError("the election has no frozen record to check")
    current = latest_check(db, election.id)
    if current is not None and current.record_sha256 == record.sha256 and current.status in ("queued", "running"):
        return current
    job = RecordCheck(
        election_id=election.id,
        record_sha256=record.sha256,
        status="queued",
        requested_by=actor,
        requested_at=now,
        stage="queued",
        total=record.board_entries,
    )
    db.add(job)
    db.flush()
    audit_log.record(db, actor, "record_check_requested", election.id, check=job.id, sha256=record.sha256)
    return job


def claim(
    factory: sessionmaker[Session], job_id: int, now: datetime, stale_after: timedelta = STALE_AFTER
) -> str | None:
    """Take the job for this process: a queued one, or a running one whose runner fell silent.

    Returns the claim token, or ``None`` when another process holds the job or it has finished.
    A check taken over starts from the beginning.
    """
    return jobs.claim(factory, RecordCheck, job_id, now, stale_after, stage="starting", done=0)


def _write(factory: sessionmaker[Session], job_id: int, token: str, **values: Any) -> None:
    """Update the job row only while this process still holds it."""
    jobs.write(factory, RecordCheck, job_id, token, **values)


def run_claimed(factory: sessionmaker[Session], job_id: int, token: str, clock: Clock) -> None:
    """Run a claimed job to its end: copy the frozen bytes, verify, store the report.

    Never raises: a failure is written to the job (``failed`` with the reason); a job taken over
    by another process is left to that process.
    """
    heartbeat = jobs.Heartbeat(factory, RecordCheck, job_id, token, clock)
    heartbeat.start()
    try:
        _run(factory, job_id, token, clock)
    except CheckLost:
        return
    except Exception as exc:
        try:
            _write(
                factory,
                job_id,
                token,
                status="failed",
                stage="done",
                error=f"{type(exc).__name__}: {exc}"[:500],
                finished_at=clock.now(),
            )
        except Exception:
            return
    finally:
        heartbeat.stopped.set()


def _run(factory: sessionmaker[Session], job_id: int, token: str, clock: Clock) -> None:
    last = [0.0]

    def progress(stage: str, done: int) -> None:
        now = time.monotonic()
        if stage == "board" and now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        _write(factory, job_id, token, stage=stage, done=done, heartbeat_at=clock.now())

    with tempfile.TemporaryDirectory(prefix="stembus-check-") as tmp:
        path = Path(tmp) / "record.zip"
        progress("reading", 0)
        with factory() as db:
            job = db.get(RecordCheck, job_id)
            record = db.scalars(
                select(PublishedRecord).where(PublishedRecord.election_id == (job.election_id if job else -1))
            ).one_or_none()
            if job is None or record is None or record.sha256 != job.record_sha256 or record.destroyed_at:
                raise LookupError("the frozen record this check was asked for is no longer stored")
            write_record(db, record, path)
        try:
            report = verify_with_progress(path, progress)
        except RecordError as exc:
            _write(
                factory,
                job_id,
                token,
                status="done",
                stage="done",
                valid=False,
                error=f"the record cannot be read: {exc}"[:500],
                finished_at=clock.now(),
            )
            return
    _write(
        factory,
        job_id,
        token,
        status="done",
        stage="done",
        valid=report.valid,
        done=int(report.summary.get("board_entries", 0)) if report.summary else 0,
        report=json.dumps(report.to_dict(), ensure_ascii=False),
        finished_at=clock.now(),
    )


def start(factory: sessionmaker[Session], job_id: int, clock: Clock) -> threading.Thread | None:
    """Claim the job and run it in a daemon thread of this process; ``None`` if someone else has it."""
    token = claim(factory, job_id, clock.now())
    if token is None:
        return None
    return jobs.run_in_thread(f"record-check-{job_id}", lambda: run_claimed(factory, job_id, token, clock))


def status(job: RecordCheck, now: datetime) -> dict[str, Any]:
    """The JSON the auditor page polls: state, stage and progress of one check."""
    percent = None
    if job.total:
        percent = 100 if job.status == "done" else min(99, int(100 * job.done / job.total))
    return {
        "id": job.id,
        "status": "stale" if is_stale(job, now) else job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "valid": job.valid,
        "finished": job.status in ("done", "failed"),
        "error": job.error,
    }
