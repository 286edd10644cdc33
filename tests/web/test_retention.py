"""`stembus retention run`: personal data go after the objection windows, the record after its period.

The command runs on the real clock, so each test moves the election's dates into the past (as if
the months had gone by) rather than moving time: 30 days after voting the objection windows are
closed but the three months of the record are not; 120 days after voting both have passed.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select, text

import admin.cli  # noqa: F401  (registers ``stembus retention``)
from election.cli import main
from election.invariants import CheckContext, check_database
from election.mail import queue_message
from election.models import (
    AuditEntry,
    BoardEntry,
    Candidacy,
    CandidateList,
    CredentialHolder,
    Election,
    ElectionCount,
    ElectionIdentity,
    OutboxMessage,
    PublishedRecordChunk,
    RegisterObjection,
    RegisterPerson,
    RetentionEvent,
    TradeUnion,
    VotingCredential,
)
from election.models.record import PublishedRecord
from election.models.result import ResultAnnouncement
from election.procedure import Phase
from election.record_publication import publish_record
from election.succession_store import stored_results
from tests.web.record_factory import make_result_election, take_step


def _run(app: Any, *options: str) -> tuple[int, Any, str]:
    env = {"STEMBUS_DATABASE_URL": app.config["STEMBUS_DATABASE_URL"], "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48)}
    result = CliRunner().invoke(main, ["retention", "run", *options], env=env, catch_exceptions=False)
    document = json.loads(result.stdout) if "--json" in options and result.stdout.strip() else result.stdout
    return result.exit_code, document, result.stderr if result.stderr_bytes is not None else ""


def _voted_days_ago(app: Any, election_id: int, days: int) -> None:
    """Move the election's voting day ``days`` into the real past, with the result's objection window."""
    today = datetime.now(UTC).date()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        election.voting_day = today - timedelta(days=days)
        election.term_end = today + timedelta(days=400)
        announcement = db.scalars(select(ResultAnnouncement).where(ResultAnnouncement.election_id == election_id)).one()
        announcement.objection_deadline = election.voting_day + timedelta(days=announcement.objection_days)
        db.commit()


def _final(app: Any, election_id: int) -> None:
    """Announce the result and, the objection window over with nothing filed, declare it final."""
    take_step(app, election_id, Phase.RESULT_ANNOUNCED)
    take_step(app, election_id, Phase.RESULT_FINAL)


def _personal_extras(app: Any, election_id: int) -> None:
    """Data a real election gathers besides the register: an objection, profiles, mail."""
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        person = db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election_id)).first()
        db.add(
            RegisterObjection(
                election_id=election_id,
                person_id=person.id,
                employee_number=person.employee_number,
                text="My start date is wrong.",
                filed_at=now,
                decision="rejected",
                reasons="The HR record shows the date.",
                decided_at=now,
            )
        )
        candidacy = db.scalars(
            select(Candidacy).join(CandidateList).where(CandidateList.election_id == election_id)
        ).first()
        candidacy.profile_nl = "Ik werk hier tien jaar."
        queue_message(
            db,
            dedupe_key=f"test-result-letter-{election_id}",
            recipient="voter@example.org",
            subject="Uitslag",
            text="Beste collega, ...",
            kind="result_letter",
            election_id=election_id,
            now=now,
        )
        db.commit()


def _counts(app: Any, election_id: int) -> dict[str, int]:
    tables = {
        "register": RegisterPerson,
        "credential_holders": CredentialHolder,
        "objections": RegisterObjection,
        "board": BoardEntry,
        "credentials": VotingCredential,
        "outbox": OutboxMessage,
        "events": RetentionEvent,
    }
    with app.extensions["stembus_sessions"]() as db:
        out = {
            name: int(db.scalar(select(func.count()).select_from(model).where(model.election_id == election_id)))
            for name, model in tables.items()
        }
        out["audit"] = int(db.scalar(select(func.count()).select_from(AuditEntry)))
        out["mail_with_body"] = int(
            db.scalar(
                select(func.count()).where(OutboxMessage.election_id == election_id, OutboxMessage.body_text != "")
            )
        )
        out["union_emails"] = int(
            db.scalar(select(func.count()).where(TradeUnion.election_id == election_id, TradeUnion.email.is_not(None)))
        )
        return out


def test_the_run_refuses_before_the_windows_end_and_a_dry_run_changes_nothing(app):
    ce = make_result_election(app)
    eid = ce.election_id
    _personal_extras(app, eid)
    before = _counts(app, eid)
    assert before["credential_holders"] and before["objections"] and before["mail_with_body"]

    code, stdout, stderr = _run(app, "--election", str(eid))
    assert code == 1 and "refused, nothing deleted" in stderr and "kept until" in stderr
    assert f"election {eid} (Haven Logistiek BV):" in stdout and "personal data: kept (" in stdout
    assert "has not declared the result final" in stderr
    assert _counts(app, eid) == before

    _final(app, eid)
    _voted_days_ago(app, eid, 30)  # the windows have closed; the record's three months have not
    before = _counts(app, eid)
    code, doc, _ = _run(app, "--election", str(eid), "--dry-run", "--json")
    assert code == 0 and doc["dry_run"] is True
    personal, record = doc["elections"][0]["parts"]
    assert personal["due"] is True and personal["items"]["register_people"] > 0
    assert personal["items"]["credential_links"] == before["credential_holders"]
    assert record["due"] is False and record["blockers"][0]["code"] == "not_yet"
    assert _counts(app, eid) == before


def test_personal_data_go_after_the_windows_and_the_record_after_its_period(app, client):
    ce = make_result_election(app)
    eid = ce.election_id
    _personal_extras(app, eid)
    _final(app, eid)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, eid)
        record = publish_record(db, election, "chair@example.org", app.config["CLOCK"].now())
        uuid = db.scalars(select(ElectionIdentity.uuid).where(ElectionIdentity.election_id == eid)).one()
        seats_before = db.scalars(select(ElectionCount.seats).where(ElectionCount.election_id == eid)).one()
        candidate_names = {
            p.name for p in db.scalars(select(RegisterPerson).join(Candidacy, Candidacy.person_id == RegisterPerson.id))
        }
        db.commit()
    before = _counts(app, eid)

    # The board accepts no DELETE while the record must be kept.
    engine = app.extensions["stembus_engine"]
    with engine.connect() as connection:
        try:
            connection.execute(text("DELETE FROM board_entry WHERE election_id = :e"), {"e": eid})
            raise AssertionError("the board accepted a DELETE")
        except Exception as exc:  # the driver's own error class differs per database
            assert "append-only" in str(exc)
        connection.rollback()

    _voted_days_ago(app, eid, 30)
    code, doc, _ = _run(app, "--json")
    assert code == 0
    after = _counts(app, eid)
    assert after["credential_holders"] == 0 and after["objections"] == 0 and after["mail_with_body"] == 0
    assert after["union_emails"] == 0 and after["events"] == 1
    assert (after["board"], after["credentials"]) == (before["board"], before["credentials"])  # the record stays
    with app.extensions["stembus_sessions"]() as db:
        people = list(db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == eid)))
        # Only candidates keep a row: their name (on the published result) and nothing else.
        assert people and {p.name for p in people} == candidate_names
        assert all(p.email == "" and p.employee_number.startswith("removed-") and p.token_hash is None for p in people)
        assert all(c.profile_nl == "" for c in db.scalars(select(Candidacy)))
        assert db.scalars(select(ElectionCount.seats).where(ElectionCount.election_id == eid)).one() == seats_before
        assert stored_results(db, db.get(Election, eid))  # succession still reads the result
    assert client.get(f"/record/{uuid}/record.zip").status_code == 200
    outcomes = check_database(app.extensions["stembus_sessions"], CheckContext(now=datetime.now(UTC)))
    assert all(o.ok for o in outcomes if o.name.startswith(("record.", "retention."))), [
        (o.name, o.breaches) for o in outcomes if not o.ok
    ]

    # Idempotent: a second run finds nothing left and logs nothing new.
    code, doc, _ = _run(app, "--election", str(eid), "--json")
    assert code == 0 and sum(doc["elections"][0]["parts"][0]["items"].values()) == 0
    assert _counts(app, eid) == after

    _voted_days_ago(app, eid, 120)  # the three months of the record have passed too
    code, _, _ = _run(app, "--election", str(eid))
    assert code == 0
    gone = _counts(app, eid)
    assert gone["board"] == 0 and gone["credentials"] == 0 and gone["events"] == 2
    with app.extensions["stembus_sessions"]() as db:
        stored = db.get(PublishedRecord, record.id)
        assert stored.destroyed_at is not None and stored.sha256 == record.sha256
        assert db.scalar(select(func.count()).where(PublishedRecordChunk.record_id == record.id)) == 0
        assert db.scalars(select(ElectionCount.seats).where(ElectionCount.election_id == eid)).one() == seats_before
    assert client.get(f"/record/{uuid}").status_code == 404
    assert client.get(f"/record/{uuid}/record.zip").status_code == 404
    code, _, _ = _run(app, "--election", str(eid))
    assert code == 0 and _counts(app, eid) == gone


def test_due_dates_follow_the_regulation() -> None:
    from election.retention import due_dates

    election = Election(
        organisation="X",
        term_end=date(2027, 1, 1),
        voting_day=date(2026, 3, 10),
        voting_days=1,
        headcount=100,
        seats=5,
        electoral_system="list",
        phase="result_final",
        regulation=json.dumps({"result_objection_days": 14, "retention_months": 6, "personal_data_grace_days": 5}),
    )
    personal, record = due_dates(election)
    assert personal == date(2026, 3, 10) + timedelta(days=14 + 1 + 5)
    assert record == date(2026, 9, 11)
