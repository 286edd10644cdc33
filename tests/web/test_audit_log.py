"""The audit log is append-only in the database and its hash chain exposes tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from election import audit_log
from election.models import AuditEntry


def _three_entries(db_session):
    for action in ("announce", "freeze_register", "publish_lists"):
        audit_log.record(db_session, "chair@example.org", action, election_id=1, reason="test")
    db_session.commit()
    return db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()


def test_intact_chain_verifies(db_session):
    assert audit_log.verify_chain(_three_entries(db_session)) == []


def test_database_refuses_to_update_or_delete_audit_entries(db_session):
    _three_entries(db_session)
    with pytest.raises(DatabaseError):
        db_session.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2"))
        db_session.commit()
    db_session.rollback()
    with pytest.raises(DatabaseError):
        db_session.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
        db_session.commit()
    db_session.rollback()


def test_edited_entry_breaks_the_chain(db_session):
    entries = _three_entries(db_session)
    db_session.expunge_all()
    entries[1].actor = "someone else"
    breaches = audit_log.verify_chain(entries)
    assert [(b.seq, b.problem) for b in breaches] == [(2, "entry hash does not match its contents")]


def test_removed_entry_breaks_the_chain(db_session):
    entries = _three_entries(db_session)
    breaches = audit_log.verify_chain([entries[0], entries[2]])
    assert {b.seq for b in breaches} == {3}
