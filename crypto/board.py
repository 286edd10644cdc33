"""The bulletin board: an append-only, hash-chained log of everything the election publishes.

Every entry commits to the previous one through ``prev_hash``; the first entry's ``prev_hash`` is the
genesis hash, which is bound to the election identity, so a board cannot be replayed under another
election. An entry never holds its payload, only ``payload_hash``; the election record keeps the
payload beside the entry and a verifier recomputes the hash.

Guarantees:

* ``entry_hash`` is a SHA-256 over a fixed, length-prefixed byte encoding with its own domain label
  (``docs/election-record.md`` gives it byte by byte); two different entries never share an encoding.
* ``verify_chain`` consumes entries one at a time (memory does not grow with the board) and names the
  first sequence number at which the chain breaks: a dropped, inserted, reordered or altered entry,
  an illegal entry type for the phase, or time running backwards.
* ``tracking_code`` turns a ballot into a short code that can be read aloud; it depends only on the
  ballot's canonical bytes, so the voting booth can show it before the ballot reaches the board.

This module is pure: it stores nothing. The web application persists entries and calls these
functions; the verifier reads them back from the record.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HASH_SIZE = 32

ENTRY_LABEL = b"stembus/v1/board-entry"
GENESIS_LABEL = b"stembus/v1/board-genesis"
PAYLOAD_LABEL = b"stembus/v1/board-payload"
BALLOT_LABEL = b"stembus/v1/ballot"
JSON_LABEL = b"stembus/v1/json"

SETUP = "setup"
BALLOT = "ballot"
CHALLENGED = "challenged"
CLOSE = "close"
TALLY = "tally"
SHARE = "share"
RESULT = "result"
CREDENTIAL_DISABLED = "credential_disabled"
PAPER_COUNT = "paper_count"
CREDENTIAL_REVOKED = "credential_revoked"
CREDENTIAL_ADDED = "credential_added"

RETIRING_TYPES = frozenset({CREDENTIAL_DISABLED, CREDENTIAL_REVOKED})
"""Entry types that take one listed credential out of use from their place on the board on. Their payload
is ``{"group": id, "credential": hex}``; no ballot under that credential may follow, and none may precede
(a credential that has voted is never retired). ``credential_disabled``: its holder voted on paper.
``credential_revoked``: its code was lost or exposed; its payload also holds a ``reason`` code."""

ADDING_TYPES = frozenset({CREDENTIAL_ADDED})
"""``credential_added``: a replacement credential, listed from its place on the board on. Its payload is
``{"group": id, "credential": hex, "replaces": hex}`` and it directly follows the ``credential_revoked``
entry of the credential it replaces (``crypto.credential_book``)."""

ENTRY_TYPES = frozenset(
    {SETUP, BALLOT, CHALLENGED, CLOSE, TALLY, SHARE, RESULT, PAPER_COUNT} | RETIRING_TYPES | ADDING_TYPES
)
"""Every entry type the board knows, in the order the phases allow them."""

_OPEN_TYPES = frozenset({BALLOT, CHALLENGED} | RETIRING_TYPES | ADDING_TYPES)
_CLOSED_TYPES = frozenset({TALLY, SHARE, RESULT, PAPER_COUNT})

# Crockford's base32: digits and capitals without I, L, O and U, so no two symbols look or sound alike.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_LENGTH = 20
TRACKING_GROUP = 4

_TIME_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z\Z")


class BoardError(ValueError):
    """An entry or a chain is not acceptable; ``seq`` names the first entry at fault, if known."""

    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq


@dataclass(frozen=True)
class Entry:
    """One board entry. Hashes are raw 32-byte values; ``time`` is UTC, ISO 8601 with a final ``Z``."""

    seq: int
    prev_hash: bytes
    type: str
    payload_hash: bytes
    time: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data (hashes in lower-case hex)."""
        return {
            "seq": self.seq,
            "prev_hash": self.prev_hash.hex(),
            "type": self.type,
            "payload_hash": self.payload_hash.hex(),
            "time": self.time,
        }


def _lp(data: bytes) -> bytes:
    """A 4-byte big-endian length followed by the bytes themselves."""
    return struct.pack(">I", len(data)) + data


def _sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.digest()


def canonical_json(obj: Any) -> bytes:
    """The one byte encoding of JSON data used for hashing: sorted keys, no spaces, UTF-8.

    Only JSON types are accepted, and floats are refused: every number in the record is an integer.
    """
    _refuse_floats(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def canonical_json_decoded(obj: Any) -> bytes:
    """``canonical_json`` for a value read by ``crypto.record.decode_json``, which already refuses
    floats, NaN and Infinity and only makes string keys: the same bytes, without walking the value."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse_floats(obj: Any) -> None:
    if isinstance(obj, float):
        raise BoardError("floats have no canonical encoding; use integers or strings")
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise BoardError("JSON object keys must be strings")
            _refuse_floats(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _refuse_floats(value)


def json_hash(obj: Any) -> bytes:
    """SHA-256 of a JSON value's canonical encoding, under its own domain label."""
    return _sha256(_lp(JSON_LABEL), canonical_json(obj))


def genesis_hash(election_hash: bytes) -> bytes:
    """The ``prev_hash`` of entry 0: binds the whole chain to one election identity."""
    return _sha256(_lp(GENESIS_LABEL), _lp(election_hash))


def ballot_hash(ballot_bytes: bytes) -> bytes:
    """The hash of a ballot's canonical bytes: its ``ballot`` entry's payload hash and its tracking code."""
    return _sha256(_lp(BALLOT_LABEL), ballot_bytes)


def payload_hash(entry_type: str, payload: Any) -> bytes:
    """The payload hash of a non-ballot entry, over the canonical JSON of its payload and its type."""
    if entry_type not in ENTRY_TYPES or entry_type == BALLOT:
        raise BoardError(f"payload_hash is for non-ballot entries, not {entry_type!r}")
    return _sha256(_lp(PAYLOAD_LABEL), _lp(entry_type.encode("ascii")), canonical_json(payload))


def encode_entry(entry: Entry) -> bytes:
    """The exact bytes hashed into an entry hash (see ``docs/election-record.md``)."""
    _check_shape(entry)
    return b"".join(
        (
            _lp(ENTRY_LABEL),
            struct.pack(">Q", entry.seq),
            entry.prev_hash,
            _lp(entry.type.encode("ascii")),
            entry.payload_hash,
            _lp(entry.time.encode("ascii")),
        )
    )


def entry_hash(entry: Entry) -> bytes:
    """SHA-256 of ``encode_entry(entry)``: what the next entry's ``prev_hash`` must equal."""
    return _sha256(encode_entry(entry))


def _check_shape(entry: Entry) -> None:
    if not isinstance(entry.seq, int) or isinstance(entry.seq, bool) or not 0 <= entry.seq < 2**63:
        raise BoardError("seq must be a non-negative integer", None)
    if not isinstance(entry.prev_hash, bytes) or len(entry.prev_hash) != HASH_SIZE:
        raise BoardError(f"entry {entry.seq}: prev_hash must be {HASH_SIZE} bytes", entry.seq)
    if not isinstance(entry.payload_hash, bytes) or len(entry.payload_hash) != HASH_SIZE:
        raise BoardError(f"entry {entry.seq}: payload_hash must be {HASH_SIZE} bytes", entry.seq)
    if entry.type not in ENTRY_TYPES:
        raise BoardError(f"entry {entry.seq}: unknown type {entry.type!r}", entry.seq)
    parse_time(entry.time, entry.seq)


def parse_time(value: str, seq: int | None = None) -> datetime:
    """Parse an entry time (``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, UTC); anything else is a ``BoardError``."""
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise BoardError(f"entry {seq}: time must look like 2026-03-01T09:00:00Z, got {value!r}", seq)
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise BoardError(f"entry {seq}: time {value!r} is not a real date: {exc}", seq) from None


def format_time(moment: datetime) -> str:
    """Format an aware datetime as an entry time, in UTC, to the microsecond when there is one."""
    if moment.tzinfo is None:
        raise BoardError("entry times must be timezone-aware")
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def next_entry(
    previous: Entry | None, election_hash: bytes, entry_type: str, payload_digest: bytes, time: str
) -> Entry:
    """The entry that follows ``previous`` (or the first one, when ``previous`` is None).

    The web application calls this inside the transaction that stores the entry, with the last stored
    entry locked, so that two appends can never share a sequence number.
    """
    if previous is None:
        entry = Entry(0, genesis_hash(election_hash), entry_type, payload_digest, time)
    else:
        entry = Entry(previous.seq + 1, entry_hash(previous), entry_type, payload_digest, time)
    _check_shape(entry)
    return entry


# --- tracking codes -----------------------------------------------------------------------------


def base32(data: bytes) -> str:
    """Crockford base32 of ``data``, most significant bits first, without padding."""
    bits = int.from_bytes(data, "big")
    nbits = len(data) * 8
    count = -(-nbits // 5)
    bits <<= count * 5 - nbits
    out = []
    for i in range(count - 1, -1, -1):
        out.append(_CROCKFORD[(bits >> (5 * i)) & 31])
    return "".join(out)


def _group(text: str) -> str:
    return "-".join(text[i : i + TRACKING_GROUP] for i in range(0, len(text), TRACKING_GROUP))


def tracking_code(source: Entry | bytes) -> str:
    """The short code a voter reads aloud: the first 20 base32 symbols (100 bits) in groups of four.

    ``source`` is a ``ballot`` entry or the ballot's canonical bytes; both give the same code.
    """
    return _group(base32(_tracking_digest(source))[:TRACKING_CODE_LENGTH])


def full_tracking_code(source: Entry | bytes) -> str:
    """The whole 256-bit hash in grouped base32 (52 symbols), printed on the receipt."""
    return _group(base32(_tracking_digest(source)))


def _tracking_digest(source: Entry | bytes) -> bytes:
    if isinstance(source, Entry):
        if source.type != BALLOT:
            raise BoardError(f"entry {source.seq} is a {source.type!r} entry, not a ballot", source.seq)
        return source.payload_hash
    return ballot_hash(source)


def normalise_tracking_code(text: str) -> str:
    """Read a code typed or spoken by a person: case, spaces and dashes are ignored, and the
    look-alikes O, I and L are taken as 0, 1 and 1 (as Crockford's alphabet intends)."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    bad = sorted({ch for ch in cleaned if ch not in _CROCKFORD})
    if bad:
        raise BoardError(f"tracking code has characters outside base32: {''.join(bad)}")
    return _group(cleaned)


# --- chain verification -------------------------------------------------------------------------


@dataclass
class ChainState:
    """What a streaming chain check has seen so far."""

    count: int = 0
    head: bytes | None = None
    closed: bool = False
    results: int = 0
    last_time: datetime | None = None


def check_next(state: ChainState, entry: Entry, election_hash: bytes) -> None:
    """Check one entry against the chain so far and advance ``state``; raise ``BoardError`` naming it.

    Rules: sequence numbers run 0, 1, 2, ... without gaps; each ``prev_hash`` is the previous entry's
    hash (the genesis hash for entry 0); entry 0 is the only ``setup``; ``ballot``, ``challenged``,
    the retiring types and ``credential_added`` come before the single ``close``; after it only
    ``tally``, ``paper_count``, ``share`` and one final ``result``; times never go backwards.
    """
    expected_seq = state.count
    try:
        _check_shape(entry)
    except BoardError as exc:
        raise BoardError(str(exc), expected_seq) from None
    if entry.seq != expected_seq:
        raise BoardError(
            f"entry at position {expected_seq} has seq {entry.seq}: an entry was dropped, inserted or moved",
            expected_seq,
        )
    expected_prev = genesis_hash(election_hash) if state.head is None else state.head
    if entry.prev_hash != expected_prev:
        what = "the genesis hash" if state.head is None else f"the hash of entry {expected_seq - 1}"
        raise BoardError(
            f"entry {entry.seq}: prev_hash is not {what}: the chain was altered before this point",
            entry.seq,
        )
    _check_phase(state, entry)
    moment = parse_time(entry.time, entry.seq)
    if state.last_time is not None and moment < state.last_time:
        raise BoardError(f"entry {entry.seq}: time {entry.time} is earlier than the entry before", entry.seq)
    state.last_time = moment
    state.head = entry_hash(entry)
    state.count += 1


def _check_phase(state: ChainState, entry: Entry) -> None:
    if entry.seq == 0:
        if entry.type != SETUP:
            raise BoardError(f"entry 0 must be 'setup', not {entry.type!r}", 0)
        return
    if entry.type == SETUP:
        raise BoardError(f"entry {entry.seq}: 'setup' may only be entry 0", entry.seq)
    if state.results:
        raise BoardError(f"entry {entry.seq}: nothing may follow the 'result' entry", entry.seq)
    if entry.type == CLOSE:
        if state.closed:
            raise BoardError(f"entry {entry.seq}: the board was already closed", entry.seq)
        state.closed = True
    elif entry.type in _OPEN_TYPES and state.closed:
        raise BoardError(f"entry {entry.seq}: a {entry.type!r} entry after 'close'", entry.seq)
    elif entry.type in _CLOSED_TYPES and not state.closed:
        raise BoardError(f"entry {entry.seq}: a {entry.type!r} entry before 'close'", entry.seq)
    if entry.type == RESULT:
        state.results += 1


def verify_chain(entries: Iterable[Entry], election_hash: bytes) -> bytes:
    """Check a whole board, streaming; return the head hash (the hash of the last entry).

    Raises ``BoardError`` whose ``seq`` is the first position at which the chain is broken.
    An empty board is refused.
    """
    state = ChainState()
    for entry in entries:
        check_next(state, entry, election_hash)
    if state.head is None:
        raise BoardError("the board is empty", 0)
    return state.head


def iter_verified(entries: Iterable[Entry], election_hash: bytes) -> Iterator[Entry]:
    """Yield each entry after it passed ``check_next``; stops with ``BoardError`` at the first break."""
    state = ChainState()
    for entry in entries:
        check_next(state, entry, election_hash)
        yield entry
