"""The result e-mails are queued by a background run: complete, once per recipient, resumable after a crash."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from election import result_mailing
from election.background_jobs import JobLost
from election.models import AuditEntry, Election, OutboxMessage, RegisterPerson
from election.models.result import ResultMailing
from tests.helpers import csrf_token, sign_in
from tests.web.results_factory import announce, counted_election

STAFF = 300  # besides the twelve voters of the counted election


def _add_staff(app: Any, election_id: int, n: int = STAFF) -> None:
    """Staff outside the electoral groups (they vote nowhere, yet hear the result), each with an address."""
    with app.extensions["stembus_sessions"]() as db:
        for i in range(n):
            db.add(
                RegisterPerson(
                    election_id=election_id,
                    employee_number=f"s{i:04d}",
                    name=f"Staff {i}",
                    email=f"s{i:04d}@haven.example",
                    language="en" if i % 3 == 0 else "nl",
                    start_date=date(2020, 1, 1),
                    active=False,
                    passive=False,
                    updated_at=datetime.now(UTC),
                )
            )
        db.commit()


def _announced(app: Any) -> Any:
    ce = counted_election(app)
    announce(app, ce.election_id, ce.trustees[0])
    _add_staff(app, ce.election_id)
    return ce


def _request(app: Any, election_id: int) -> int:
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        job = result_mailing.request_mailing(
            db, election, "chair@example.org", app.config["CLOCK"].now(), page_url=None, contact=None
        )
        db.commit()
        return job.id


def _announcements(app: Any, election_id: int) -> Counter[str]:
    with app.extensions["stembus_sessions"]() as db:
        rows = db.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.election_id == election_id, OutboxMessage.kind == "result_announcement"
            )
        )
        return Counter(rows)


def _job(app: Any, job_id: int) -> ResultMailing:
    with app.extensions["stembus_sessions"]() as db:
        job = db.get(ResultMailing, job_id)
        assert job is not None
        db.expunge(job)
        return job


def test_a_run_that_died_part_way_is_resumed_and_every_person_is_queued_exactly_once(app):
    ce = _announced(app)
    factory, clock = app.extensions["stembus_sessions"], app.config["CLOCK"]
    job_id = _request(app, ce.election_id)
    staff_total = _job(app, job_id).total
    assert staff_total == STAFF + 12

    # A worker claims the run, queues the letters and two batches of staff, then its process dies.
    dead_token = result_mailing.claim(factory, job_id, clock.now())
    assert dead_token is not None
    dead = result_mailing.Runner(factory, job_id, dead_token, clock, batch_size=50)
    with app.app_context():
        dead.letters()
        assert dead.staff_batch() and dead.staff_batch()
    halfway = _job(app, job_id)
    assert (halfway.status, halfway.done, halfway.total) == ("running", 100, staff_total)
    assert result_mailing.claim(factory, job_id, clock.now()) is None  # nobody takes a live run

    clock.advance(result_mailing.STALE_AFTER + timedelta(seconds=1))
    token = result_mailing.claim(factory, job_id, clock.now())
    assert token is not None
    result_mailing.run_claimed(factory, job_id, token, clock, context=app.app_context, batch_size=50)
    with app.app_context(), pytest.raises(JobLost):  # the dead worker, should it wake, stores nothing more
        dead.staff_batch()

    done = _job(app, job_id)
    assert (done.status, done.done, done.total, done.attempts) == ("done", staff_total, staff_total, 2)
    sent_to = _announcements(app, ce.election_id)
    staff = {f"s{i:04d}@haven.example" for i in range(STAFF)}
    assert staff <= set(sent_to)
    assert max(sent_to.values()) == 1
    assert len(sent_to) == staff_total + 1  # and the one union with an address
    progress = result_mailing.progress(done, clock.now())
    assert progress["outcome"]["staff"] == staff_total and progress["outcome"]["unions"] == 1

    # Run twice: a new request after the first run queues nothing new.
    again = _request(app, ce.election_id)
    assert again != job_id
    token = result_mailing.claim(factory, again, clock.now())
    result_mailing.run_claimed(factory, again, token, clock, context=app.app_context, batch_size=50)  # type: ignore[arg-type]
    assert _job(app, again).status == "done"
    assert _announcements(app, ce.election_id) == sent_to
    with app.extensions["stembus_sessions"]() as db:
        logged = db.scalars(select(AuditEntry.action).where(AuditEntry.action == "result_mails_queued")).all()
    assert len(logged) == 2


def test_a_second_request_while_a_run_is_under_way_returns_that_run(app):
    ce = _announced(app)
    first = _request(app, ce.election_id)
    assert _request(app, ce.election_id) == first


def _wait_until_done(client: Any, url: str, seconds: float = 120.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        html = client.get(url).get_data(as_text=True)
        if "Done: all result e-mails are queued." in html or time.monotonic() > deadline:
            return html
        time.sleep(0.2)


def test_the_committee_page_shows_the_run_and_pressing_again_queues_nothing_twice(app, client):
    ce = _announced(app)
    sign_in(client, ce.accounts[0], app)
    base = f"/committee/elections/{ce.election_id}/results"
    token = csrf_token(client.get(base))
    answer = client.post(f"{base}/mail", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{base}/mail")
    html = _wait_until_done(client, f"{base}/mail")
    assert f"queued {STAFF + 12} of {STAFF + 12}" in html
    assert "Letters to candidates queued: 10" in html and "Announcements to unions queued: 1" in html
    first = _announcements(app, ce.election_id)

    client.post(f"{base}/mail", data={"csrf_token": csrf_token(client.get(f"{base}/mail"))})
    _wait_until_done(client, f"{base}/mail")
    assert _announcements(app, ce.election_id) == first and max(first.values()) == 1


def test_before_the_announcement_nothing_is_filed(app, client):
    ce = counted_election(app)
    sign_in(client, ce.accounts[0], app)
    base = f"/committee/elections/{ce.election_id}/results"
    page = client.post(f"{base}/mail", data={"csrf_token": csrf_token(client.get(base))}, follow_redirects=True)
    assert "Announce the result first" in page.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalars(select(ResultMailing)).all() == []
