"""The stored bulletin board: appending under a lock on the head, reading it back, finding a ballot.

Entries are made by ``crypto.board.next_entry`` from the last stored entry, inside the caller's
transaction. On PostgreSQL the head is locked with a transaction-scoped advisory lock per
election, so concurrent appends queue up; on SQLite writers are serialised by the database and
the unique ``(election_id, seq)`` constraint refuses a lost race, which the caller retries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crypto import board as bd
from election.models.voting import BoardEntry, ElectionIdentity

_LOCK_NAMESPACE = 0x5374_0000  # "St": keeps our advisory locks apart from anyone else's
_BATCH = 500  # board rows fetched per round trip when streaming the whole board
_CLOSED_HEAD_TYPES = frozenset({bd.CLOSE, bd.TALLY, bd.SHARE, bd.RESULT, bd.PAPER_COUNT})
# Entries that only an open board takes (crypto.board.check_next allows them before ``close`` only).
_VOTING_TYPES = frozenset({bd.BALLOT, bd.CHALLENGED} | bd.RETIRING_TYPES | bd.ADDING_TYPES)


class BoardClosed(Exception):
    """The board already has its ``close`` entry: no ballot or credential change may follow it."""


def lock_head(db: Session, election_id: int) -> None:
    """Hold the board's head until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_NAMESPACE + election_id})


def to_entry(row: BoardEntry) -> bd.Entry:
    """The crypto form of a stored entry."""
    return bd.Entry(row.seq, bytes.fromhex(row.prev_hash), row.type, bytes.fromhex(row.payload_hash), row.time)


def last_entry(db: Session, election_id: int) -> BoardEntry | None:
    """The newest entry of the election's board."""
    query = select(BoardEntry).where(BoardEntry.election_id == election_id).order_by(BoardEntry.seq.desc()).limit(1)
    return db.scalars(query).first()


def head_hash(db: Session, election_id: int) -> str | None:
    """The hash of the last entry (the board's head), hex; ``None`` for an empty board."""
    last = last_entry(db, election_id)
    return None if last is None else bd.entry_hash(to_entry(last)).hex()


def append_entry(
    db: Session,
    identity: ElectionIdentity,
    entry_type: str,
    digest: bytes,
    payload: Any,
    now: datetime,
    *,
    group_key: str | None = None,
    tracking_code: str | None = None,
    counted_credential: str | None = None,
) -> BoardEntry:
    """Append one entry after the current head, inside the caller's transaction."""
    assert identity.election_hash is not None, "the board starts when voting opens"
    lock_head(db, identity.election_id)
    last = last_entry(db, identity.election_id)
    if entry_type in _VOTING_TYPES and closed_at_head(last):
        # The caller saw voting open, but the close was appended while it waited for the head.
        raise BoardClosed(identity.election_id)
    previous = None if last is None else to_entry(last)
    entry = bd.next_entry(previous, bytes.fromhex(identity.election_hash), entry_type, digest, bd.format_time(now))
    if previous is not None and entry.time < previous.time:  # never let time run backwards on the board
        entry = bd.next_entry(previous, bytes.fromhex(identity.election_hash), entry_type, digest, previous.time)
    row = BoardEntry(
        election_id=identity.election_id,
        seq=entry.seq,
        prev_hash=entry.prev_hash.hex(),
        type=entry.type,
        payload_hash=entry.payload_hash.hex(),
        time=entry.time,
        payload=bd.canonical_json(payload).decode("utf-8"),
        group_key=group_key,
        tracking_code=tracking_code,
        counted_credential=counted_credential,
    )
    db.add(row)
    db.flush()
    return row


def retire_credential(
    db: Session,
    identity: ElectionIdentity,
    entry_type: str,
    payload: Any,
    credential: str,
    group_key: str,
    now: datetime,
) -> BoardEntry:
    """Take a public credential out of use on the board: append ``entry_type`` in the credential's slot.

    The entry (``credential_revoked`` for a replaced code, ``credential_disabled`` after a paper
    vote) claims the credential's place in the unique ``(election, counted_credential)`` constraint,
    the place its ballot would take: a ballot under that credential and its retirement cannot both
    be stored. The caller catches ``IntegrityError`` (inside a savepoint) and decides what it means.
    """
    return append_entry(
        db,
        identity,
        entry_type,
        bd.payload_hash(entry_type, payload),
        payload,
        now,
        group_key=group_key,
        counted_credential=credential,
    )


def entries(db: Session, election_id: int, *, after: int = -1, limit: int | None = None) -> Iterator[BoardEntry]:
    """The board in order, from ``after + 1`` on, streamed in batches so a large board never sits in memory."""
    query = (
        select(BoardEntry).where(BoardEntry.election_id == election_id, BoardEntry.seq > after).order_by(BoardEntry.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    yield from db.scalars(query.execution_options(yield_per=_BATCH))


def entry_listing(db: Session, election_id: int, *, upto: int, count: int) -> list[Any]:
    """Up to ``count`` entries from number ``upto`` down, without payloads (a page of the public board).

    Numbers run on without gaps from 0, so a page is a range on the ``(election_id, seq)`` index.
    """
    query = (
        select(BoardEntry.seq, BoardEntry.type, BoardEntry.tracking_code, BoardEntry.time)
        .where(BoardEntry.election_id == election_id, BoardEntry.seq <= upto, BoardEntry.seq > upto - count)
        .order_by(BoardEntry.seq.desc())
    )
    return list(db.execute(query).all())


def closed_at_head(last: BoardEntry | None) -> bool:
    """Whether a board whose newest entry is ``last`` is closed, without another query.

    The chain rules (``crypto.board.check_next``) allow these types only at or after ``close`` and
    every other type only before it, so the newest entry tells.
    """
    return last is not None and last.type in _CLOSED_HEAD_TYPES


def find_by_tracking_code(db: Session, election_id: int, code: str) -> list[BoardEntry]:
    """Ballot and challenged entries whose short tracking code is ``code`` (grouped, upper case)."""
    query = select(BoardEntry).where(BoardEntry.election_id == election_id, BoardEntry.tracking_code == code)
    return list(db.scalars(query.order_by(BoardEntry.seq)))


def counted_ballot_of(db: Session, election_id: int, credential: str) -> BoardEntry | None:
    """The counted ballot cast under a public credential, if any."""
    query = select(BoardEntry).where(BoardEntry.election_id == election_id, BoardEntry.counted_credential == credential)
    return db.scalars(query).first()


def is_closed(db: Session, election_id: int) -> bool:
    """Whether the board has its ``close`` entry: no ballot can be added any more."""
    query = select(BoardEntry.id).where(BoardEntry.election_id == election_id, BoardEntry.type == bd.CLOSE)
    return db.scalars(query.limit(1)).first() is not None


def ballot_cast_under(db: Session, election_id: int, credential: str) -> bool:
    """Whether a counted ballot is on the board under this public credential (yes or no, never which)."""
    entry = counted_ballot_of(db, election_id, credential)
    return entry is not None and entry.type == bd.BALLOT


def board_lines(db: Session, election_id: int) -> Iterator[str]:
    """The whole board, entries with their payloads, as the lines of the record's ``board.jsonl``."""
    for row in entries(db, election_id):
        line = {**to_entry(row).to_dict(), "payload": json.loads(row.payload)}
        yield bd.canonical_json(line).decode("utf-8") + "\n"


def ballots_per_group(db: Session, election_id: int) -> dict[str, int]:
    """Counted ballots per manifest group id (for turnout and the ``close`` entry)."""
    query = (
        select(BoardEntry.group_key, func.count(BoardEntry.id))
        .where(BoardEntry.election_id == election_id, BoardEntry.type == bd.BALLOT)
        .group_by(BoardEntry.group_key)
    )
    return {str(k): int(n) for k, n in db.execute(query).all()}


def verify_stored_chain(db: Session, election_id: int, election_hash: bytes) -> list[str]:
    """Re-check the stored chain and every payload hash; returns the problems (empty: intact)."""
    problems: list[str] = []
    state = bd.ChainState()
    chain_broken = False
    for row in entries(db, election_id):
        if not chain_broken:
            try:
                bd.check_next(state, to_entry(row), election_hash)
            except bd.BoardError as exc:
                problems.append(str(exc))
                chain_broken = True
        payload = row.payload.encode("utf-8")
        is_ballot = row.type == bd.BALLOT
        expected = bd.ballot_hash(payload) if is_ballot else bd.payload_hash(row.type, json.loads(payload))
        if expected.hex() != row.payload_hash:
            problems.append(f"entry {row.seq}: the payload does not match its payload hash")
    if state.head is None and not chain_broken:
        problems.append("the board is empty")
    return problems
