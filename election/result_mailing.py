"""Queueing the result e-mails as a background job: the letters, the announcement to staff and unions.

Domain 8 item 22: the result is made known to staff, candidates and unions. A large company has
tens of thousands of people in the register, too many e-mails to queue inside one web request. So
the committee's button files a :class:`~election.models.result.ResultMailing` job and a daemon
thread queues the e-mails (:mod:`election.background_jobs`: a claim, a heartbeat, the take-over of
a job whose process died). The letters to candidates and the unions' announcements go first, in one
transaction; then the staff in batches, each batch committed together with the job's progress
(``done`` of ``total``, and the last person handled). A run taken over after a crash resumes after
that person, and every e-mail has one dedupe key per recipient, so whatever is run twice, resumed
or requested again, each recipient's e-mail is queued exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from threading import Thread
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from election import audit_log
from election import background_jobs as jobs
from election.clock import Clock
from election.models import Election
from election.models.result import ResultMailing
from election.result_letters import (
    AnnouncementContext,
    MailRefused,
    announcement_texts,
    next_staff,
    queue_candidate_letters,
    queue_staff_announcements,
    queue_union_announcements,
    staff_to_announce,
)
from election.result_objections import announcement_of
from election.result_store import official_report

STALE_AFTER = timedelta(seconds=60)
BATCH = 200  # staff e-mails queued per transaction

# What a run needs around it to render texts (the web application's context for gettext and PDFs).
Context = Callable[[], AbstractContextManager[Any]]


def latest_mailing(db: Session, election_id: int) -> ResultMailing | None:
    """The election's most recent mailing run, if any."""
    query = select(ResultMailing).where(ResultMailing.election_id == election_id).order_by(ResultMailing.id.desc())
    return db.scalars(query.limit(1)).first()


def request_mailing(
    db: Session, election: Election, actor: str, now: datetime, *, page_url: str | None, contact: str | None
) -> ResultMailing:
    """File a run that queues the result e-mails, or return the one waiting or running already.

    Raises :class:`~election.result_letters.MailRefused` ``not_announced`` before the step to
    RESULT_ANNOUNCED.
    """
    if announcement_of(db, election.id) is None:
        raise MailRefused("not_announced")
    current = latest_mailing(db, election.id)
    if current is not None and current.status in ("queued", "running"):
        return current
    job = ResultMailing(
        election_id=election.id,
        status="queued",
        requested_by=actor,
        requested_at=now,
        page_url=page_url,
        contact=contact,
        stage="queued",
        done=0,
        total=staff_to_announce(db, election.id),
        after_person_id=0,
        outcome="{}",
    )
    db.add(job)
    db.flush()
    audit_log.record_at(db, now, actor, "result_mailing_requested", election.id, mailing=job.id, staff=job.total)
    return job


def is_stale(job: ResultMailing, now: datetime) -> bool:
    """A running job whose process has not been heard of for ``STALE_AFTER``."""
    return jobs.is_stale(job, now, STALE_AFTER)


def claim(factory: sessionmaker[Session], job_id: int, now: datetime) -> str | None:
    """Take the job for this process (a queued one, or one whose process fell silent); keeps its progress."""
    return jobs.claim(factory, ResultMailing, job_id, now, STALE_AFTER)


class Runner:
    """Does a claimed run step by step, each step one transaction that also records the progress.

    Every step raises :class:`~election.background_jobs.JobLost` (and stores nothing) once another
    process has taken the job over.
    """

    def __init__(
        self, factory: sessionmaker[Session], job_id: int, token: str, clock: Clock, *, batch_size: int = BATCH
    ) -> None:
        self.factory, self.job_id, self.token, self.clock, self.batch_size = factory, job_id, token, clock, batch_size
        self._texts: dict[str, tuple[str, str]] | None = None

    def _announcement(self, db: Session, job: ResultMailing) -> AnnouncementContext:
        election = db.get(Election, job.election_id)
        assert election is not None
        report = official_report(db, election, self.clock.now(), with_record=False)
        if report.announced_at is None:
            raise MailRefused("not_announced")
        return AnnouncementContext(report, job.page_url, job.contact)

    def _job(self, db: Session) -> ResultMailing:
        job = db.get(ResultMailing, self.job_id)
        if job is None or job.claim_token != self.token:
            raise jobs.JobLost(self.job_id)
        return job

    def _record(self, db: Session, **values: Any) -> None:
        jobs.write_held(db, ResultMailing, self.job_id, self.token, heartbeat_at=self.clock.now(), **values)
        db.commit()

    def letters(self) -> None:
        """Queue the letters to the candidates and the announcement to the unions (skipped once done)."""
        with self.factory() as db:
            job = self._job(db)
            if job.stage not in ("queued", "letters"):
                return
            election = db.get(Election, job.election_id)
            assert election is not None
            announcement = self._announcement(db, job)
            now = self.clock.now()
            outcome = queue_candidate_letters(
                db, election, announcement.report, now=now, page_url=job.page_url, contact=job.contact
            )
            outcome |= queue_union_announcements(db, election, announcement, now=now)
            outcome |= {"staff": 0, "staff_by_post": 0}
            self._record(db, stage="staff", outcome=json.dumps(outcome))

    def staff_batch(self) -> bool:
        """Queue the announcement to the next batch of staff; ``False`` when nobody is left."""
        with self.factory() as db:
            job = self._job(db)
            people = next_staff(db, job.election_id, job.after_person_id, self.batch_size)
            if not people:
                return False
            if self._texts is None:
                self._texts = announcement_texts(self._announcement(db, job))
            queued = queue_staff_announcements(db, job.election_id, self._texts, people, now=self.clock.now())
            outcome = json.loads(job.outcome)
            outcome["staff"] += queued
            outcome["staff_by_post"] += len(people) - queued
            self._record(
                db,
                done=job.done + len(people),
                after_person_id=people[-1].id,
                total=max(job.total, job.done + len(people)),
                outcome=json.dumps(outcome),
            )
            return True

    def finish(self) -> None:
        """Mark the run done and log what it queued."""
        with self.factory() as db:
            job = self._job(db)
            now = self.clock.now()
            outcome = json.loads(job.outcome)
            audit_log.record_at(db, now, job.requested_by, "result_mails_queued", job.election_id, **outcome)
            self._record(db, status="done", stage="done", total=job.done, finished_at=now)

    def run(self) -> None:
        """The whole run, from wherever the job stands."""
        self.letters()
        while self.staff_batch():
            pass
        self.finish()


def run_claimed(
    factory: sessionmaker[Session],
    job_id: int,
    token: str,
    clock: Clock,
    *,
    context: Context = nullcontext,
    batch_size: int = BATCH,
) -> None:
    """Run a claimed job to its end inside ``context``, with a heartbeat.

    Never raises: a failure is written to the job (``failed`` with the reason); a job taken over
    by another process is left to that process.
    """
    heartbeat = jobs.Heartbeat(factory, ResultMailing, job_id, token, clock)
    heartbeat.start()
    try:
        with context():
            Runner(factory, job_id, token, clock, batch_size=batch_size).run()
    except jobs.JobLost:
        return
    except Exception as exc:
        reason = exc.code if isinstance(exc, MailRefused) else f"{type(exc).__name__}: {exc}"
        try:
            jobs.write(
                factory, ResultMailing, job_id, token, status="failed", error=reason[:500], finished_at=clock.now()
            )
        except Exception:
            return
    finally:
        heartbeat.stopped.set()


def start(
    factory: sessionmaker[Session], job_id: int, clock: Clock, *, context: Context = nullcontext
) -> Thread | None:
    """Claim the job and run it in a daemon thread of this process; ``None`` if someone else has it."""
    token = claim(factory, job_id, clock.now())
    if token is None:
        return None
    return jobs.run_in_thread(
        f"result-mailing-{job_id}", lambda: run_claimed(factory, job_id, token, clock, context=context)
    )


def progress(job: ResultMailing, now: datetime) -> dict[str, Any]:
    """What the committee page shows of a run: its state, staff handled of all, and the outcome so far."""
    return {
        "id": job.id,
        "status": "stale" if is_stale(job, now) else job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "finished": job.status in ("done", "failed"),
        "outcome": json.loads(job.outcome or "{}"),
        "error": job.error,
    }
