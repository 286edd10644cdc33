"""The election record: frozen once, published by the committee, downloadable by anyone, checked on the server.

The election is real (ballots cast, board closed, trustees' shares verified, seats allocated). The
record the public downloads must be the committee's record byte for byte, must hash to what the
pages show, and must pass the independent verifier; the server-side checks run as a background
job that any web process can take over when the one running it falls silent.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from crypto.verifier import verify_record
from election import record_checks as rchk
from election.cli_verify import allocate_seats
from election.count_record import record_zip
from election.invariants import CheckContext, check_database
from election.models import Election, ElectionIdentity, RecordCheck, Role
from election.models.record import PublishedRecord, PublishedRecordChunk
from election.procedure import Phase
from election.record_publication import freeze_record, record_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.record_factory import make_result_election, take_step
from tests.web.voting_factory import make_voting_election


def _uuid(app: Any, election_id: int) -> str:
    with app.extensions["stembus_sessions"]() as db:
        return db.scalars(select(ElectionIdentity.uuid).where(ElectionIdentity.election_id == election_id)).one()


def _wait_for(client: Any, url: str, seconds: float = 180.0) -> dict[str, Any]:
    """Poll the status JSON as the page does, until the run has finished."""
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get(url)
        assert answer.status_code == 200, answer.status_code
        status = answer.get_json()
        if status["finished"]:
            return dict(status)
        assert time.monotonic() < deadline, f"the check did not finish: {status}"
        time.sleep(0.2)


def test_the_record_is_frozen_published_downloaded_and_checked(app, client, tmp_path):
    ce = make_result_election(app)
    eid = ce.election_id
    page_url = f"/committee/elections/{eid}/record"
    uuid = _uuid(app, eid)
    assert client.get(f"/record/{uuid}").status_code == 404  # nothing public before publication

    auditor = make_member(app, Role.AUDITOR, "auditor@example.org")
    sign_in(client, auditor, app)
    page = client.get(page_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    with app.extensions["stembus_sessions"]() as db:
        record = record_of(db, eid)
        assert record is not None
        committee_bytes, committee_hash = record_zip(db, db.get(Election, eid))
    # Frozen on first use: the same bytes as the committee's download, and the hash on the page.
    assert record.sha256 == committee_hash and record.sha256 in html
    assert "independent verifier is the authority" in html and f"stembus verify election-{eid}-record.zip" in html
    overview = json.loads(record.overview)
    assert overview["committee"]["joint_key"] in html and overview["board"]["head"] in html
    assert "Noord" in html and "Reserve 1" in html and "Ballots counted" in html
    download = client.get(f"{page_url}/record.zip")
    assert download.status_code == 200 and download.data == committee_bytes
    assert client.get(f"{page_url}/record.zip.sha256").get_data(as_text=True) == (
        f"{committee_hash}  election-{eid}-record.zip\n"
    )

    # An auditor cannot publish; the chair can, once, and the record is then public without a login.
    token = csrf_token(page)
    assert client.post(f"{page_url}/publish", data={"csrf_token": token}).status_code == 403

    chair = next(a for a in ce.accounts if a.id == ce.trustees[0])
    sign_in(client, chair, app)
    page = client.get(page_url)
    assert "once the committee has announced the result" in page.get_data(as_text=True)
    refused = client.post(f"{page_url}/publish", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Announce the result first" in refused.get_data(as_text=True)
    assert client.get(f"/record/{uuid}").status_code == 404
    take_step(app, eid, Phase.RESULT_ANNOUNCED)
    page = client.get(page_url)
    assert "Publish the record" in page.get_data(as_text=True)
    page = client.post(f"{page_url}/publish", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert f"Its SHA-256 is {committee_hash}" in page.get_data(as_text=True)
    again = client.post(f"{page_url}/publish", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "already been published" in again.get_data(as_text=True)

    client.post("/auth/logout", data={"csrf_token": csrf_token(again)})
    public = client.get(f"/record/{uuid}")
    assert public.status_code == 200 and committee_hash in public.get_data(as_text=True)
    zipped = client.get(f"/record/{uuid}/record.zip")
    assert zipped.status_code == 200 and hashlib.sha256(zipped.data).hexdigest() == committee_hash
    assert zipped.headers["X-Content-SHA256"] == committee_hash
    companion = client.get(f"/record/{uuid}/record.zip.sha256").get_data(as_text=True)
    assert companion == f"{committee_hash}  election-record-{uuid}.zip\n"
    # The published bytes pass the independent verifier.
    (tmp_path / "record.zip").write_bytes(zipped.data)
    report = verify_record(tmp_path / "record.zip", seat_allocator=allocate_seats, jobs=1)
    assert report.valid, report.render()

    # The server-side checks: started by the auditor, followed through the status JSON, shown on the page.
    sign_in(client, auditor, app)
    page = client.get(page_url)
    started = client.post(f"{page_url}/checks", data={"csrf_token": csrf_token(page)})
    assert started.status_code == 302
    with app.extensions["stembus_sessions"]() as db:
        job = rchk.latest_check(db, eid)
        assert job is not None and job.record_sha256 == committee_hash
    status = _wait_for(client, f"{page_url}/checks/{job.id}")
    assert status["status"] == "done" and status["valid"] is True and status["percent"] == 100
    html = client.get(page_url).get_data(as_text=True)
    assert "Every check passed." in html and "The seat allocation recomputes from the counts" in html


def test_a_check_whose_process_fell_silent_is_taken_over_by_the_next_poll(app, client):
    ce = make_result_election(app)
    eid = ce.election_id
    clock = app.config["CLOCK"]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, eid)
        freeze_record(db, election, "test", clock.now())
        job = rchk.request_check(db, election, "test", clock.now())
        db.commit()
        job_id = job.id
    factory = app.extensions["stembus_sessions"]
    dead_token = rchk.claim(factory, job_id, clock.now())  # a worker claims it, then dies
    assert dead_token is not None
    assert rchk.claim(factory, job_id, clock.now()) is None  # nobody else may take a live job

    auditor = make_member(app, Role.AUDITOR, "auditor@example.org")
    sign_in(client, auditor, app)
    url = f"/committee/elections/{eid}/record/checks/{job_id}"
    assert client.get(url).get_json()["status"] == "running"  # still within its heartbeat window
    clock.advance(rchk.STALE_AFTER + timedelta(seconds=1))
    status = _wait_for(client, url)
    assert status["status"] == "done" and status["valid"] is True
    with app.extensions["stembus_sessions"]() as db:
        assert db.get(RecordCheck, job_id).attempts == 2
    with pytest.raises(rchk.CheckLost):  # the silent worker, should it wake, may no longer write
        rchk._write(factory, job_id, dead_token, stage="board")
    assert client.get(f"/committee/elections/{eid}/record/checks/{job_id + 99}").status_code == 404


def test_stembus_check_notices_changed_record_bytes(app):
    ce = make_result_election(app)
    clock = app.config["CLOCK"]
    with app.extensions["stembus_sessions"]() as db:
        freeze_record(db, db.get(Election, ce.election_id), "test", clock.now())
        db.commit()
    factory = app.extensions["stembus_sessions"]
    context = CheckContext(now=clock.now())
    names = ["record.frozen_bytes_unchanged", "record.board_unchanged_since_frozen"]
    assert all(o.ok for o in check_database(factory, context, names))
    with app.extensions["stembus_sessions"]() as db:
        record = db.scalars(select(PublishedRecord)).one()
        chunk = db.scalars(select(PublishedRecordChunk).where(PublishedRecordChunk.record_id == record.id)).first()
        data = bytearray(chunk.data)
        data[100] ^= 1
        db.execute(text("UPDATE published_record_chunk SET data = :d WHERE id = :i"), {"d": bytes(data), "i": chunk.id})
        db.commit()
    outcome = {o.name: o for o in check_database(factory, context, names)}
    assert not outcome["record.frozen_bytes_unchanged"].ok
    assert f"record of election {ce.election_id}" in outcome["record.frozen_bytes_unchanged"].breaches[0]
    assert outcome["record.board_unchanged_since_frozen"].ok


def test_before_the_result_there_is_no_record_to_publish_or_check(app, client):
    ve = make_voting_election(app)
    chair = make_member(app, Role.CHAIR, "chair@example.org")
    sign_in(client, chair, app)
    url = f"/committee/elections/{ve.election_id}/record"
    page = client.get(url)
    assert page.status_code == 200 and "once the count has its result" in page.get_data(as_text=True)
    token = csrf_token(page)
    refused = client.post(f"{url}/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "Announce the result first" in refused.get_data(as_text=True)
    refused = client.post(f"{url}/checks", data={"csrf_token": token}, follow_redirects=True)
    assert "no frozen record to check" in refused.get_data(as_text=True)
    assert client.get(f"{url}/record.zip").status_code == 404
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalars(select(PublishedRecord)).all() == []
