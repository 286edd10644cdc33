"""Append to and check the committee's hash-chained audit log.

Each entry's hash covers the previous entry's hash, so removing, reordering or editing any entry
breaks every hash after it. The database refuses UPDATE and DELETE on the table (see the migration).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from election.clock import as_utc
from election.models.audit import AuditEntry

GENESIS = "0" * 64
_LABEL = b"stembus/v1/audit"


def _canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    seq: int, at: datetime, actor: str, action: str, election_id: int | None, details: str, prev: str
) -> str:
    """The SHA-256 hash that chains one audit entry to its predecessor."""
    parts = [str(seq), as_utc(at).isoformat(), actor, action, str(election_id or ""), details, prev]
    h = hashlib.sha256(_LABEL)
    for part in parts:
        data = part.encode()
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return h.hexdigest()


def record(session: Session, actor: str, action: str, election_id: int | None = None, **details: Any) -> AuditEntry:
    """Append one committee action to the log inside the caller's transaction, stamped by the wall clock."""
    return record_at(session, datetime.now(UTC), actor, action, election_id, **details)


def record_at(
    session: Session, at: datetime, actor: str, action: str, election_id: int | None = None, **details: Any
) -> AuditEntry:
    """Append one committee action that happened ``at`` (the application's clock) to the log.

    Callers that have the moment of the action use this: the official report shows those times
    for the steps of the procedure, so they must follow the application's clock, not the server's.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two workers cannot both extend the same head.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one_or_none()
    seq = (last.seq + 1) if last else 1
    prev = last.entry_hash if last else GENESIS
    at = as_utc(at).replace(microsecond=0)
    body = _canonical(details)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        election_id=election_id,
        details=body,
        prev_hash=prev,
        entry_hash=entry_hash(seq, at, actor, action, election_id, body, prev),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreach:
    """Where the audit chain stops being consistent, and why."""

    seq: int
    problem: str


def verify_chain(entries: Iterable[AuditEntry]) -> list[ChainBreach]:
    """Re-derive every hash in order; return each place where the chain does not hold."""
    breaches: list[ChainBreach] = []
    expected_prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            breaches.append(ChainBreach(entry.seq, f"expected entry {expected_seq}"))
        if entry.prev_hash != expected_prev:
            breaches.append(ChainBreach(entry.seq, "previous hash does not match"))
        again = entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.election_id, entry.details, entry.prev_hash
        )
        if again != entry.entry_hash:
            breaches.append(ChainBreach(entry.seq, "entry hash does not match its contents"))
        expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
    return breaches
