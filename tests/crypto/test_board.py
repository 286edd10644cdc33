"""The bulletin board: hash chain, phases, tracking codes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto import board
from crypto.board import BoardError, Entry

ELECTION = bytes(range(64))
T0 = "2026-03-01T09:00:00Z"


def build(types: list[str], election: bytes = ELECTION) -> list[Entry]:
    """A chain with the given entry types and distinct payloads."""
    entries: list[Entry] = []
    prev = None
    for i, kind in enumerate(types):
        ballot = kind == board.BALLOT
        digest = board.ballot_hash(b"ballot %d" % i) if ballot else board.payload_hash(kind, {"i": i})
        prev = board.next_entry(prev, election, kind, digest, f"2026-03-01T09:00:{i:02d}Z")
        entries.append(prev)
    return entries


TYPES = ["setup", "ballot", "challenged", "ballot", "close", "tally", "share", "share", "result"]


def test_a_well_formed_board_verifies_and_returns_its_head() -> None:
    entries = build(TYPES)
    assert board.verify_chain(entries, ELECTION) == board.entry_hash(entries[-1])


def test_genesis_binds_the_board_to_the_election() -> None:
    with pytest.raises(BoardError) as err:
        board.verify_chain(build(TYPES), b"another election")
    assert err.value.seq == 0


def test_a_dropped_entry_is_named() -> None:
    entries = build(TYPES)
    del entries[3]
    with pytest.raises(BoardError) as err:
        board.verify_chain(entries, ELECTION)
    assert err.value.seq == 3
    assert "dropped, inserted or moved" in str(err.value)


def test_an_inserted_entry_is_named() -> None:
    entries = build(TYPES)
    extra = dataclasses.replace(entries[2], payload_hash=board.ballot_hash(b"stuffed"))
    entries.insert(3, extra)
    with pytest.raises(BoardError) as err:
        board.verify_chain(entries, ELECTION)
    assert err.value.seq == 3


def test_reordered_entries_are_named() -> None:
    entries = build(TYPES)
    entries[1], entries[3] = entries[3], entries[1]
    with pytest.raises(BoardError) as err:
        board.verify_chain(entries, ELECTION)
    assert err.value.seq == 1


@pytest.mark.parametrize("field", ["payload_hash", "time", "type", "prev_hash"])
def test_an_altered_entry_breaks_the_chain_at_the_next_one(field: str) -> None:
    entries = build(TYPES)
    changes = {
        "payload_hash": board.ballot_hash(b"other"),
        "time": "2026-03-01T09:00:02.5Z",
        "type": "ballot",
        "prev_hash": bytes(32),
    }
    entries[2] = dataclasses.replace(entries[2], **{field: changes[field]})
    with pytest.raises(BoardError) as err:
        board.verify_chain(entries, ELECTION)
    assert err.value.seq == (2 if field == "prev_hash" else 3)


@pytest.mark.parametrize(
    ("types", "bad"),
    [
        (["ballot"], 0),
        (["setup", "setup"], 1),
        (["setup", "tally"], 1),
        (["setup", "close", "ballot"], 2),
        (["setup", "close", "close"], 2),
        (["setup", "close", "result", "share"], 3),
    ],
)
def test_entry_types_must_follow_the_phases(types: list[str], bad: int) -> None:
    with pytest.raises(BoardError) as err:
        board.verify_chain(build_unchecked(types), ELECTION)
    assert err.value.seq == bad


def build_unchecked(types: list[str]) -> list[Entry]:
    entries: list[Entry] = []
    prev = None
    for i, kind in enumerate(types):
        prev = board.next_entry(prev, ELECTION, kind, board.payload_hash("setup", i), T0)
        entries.append(prev)
    return entries


def test_time_may_not_run_backwards() -> None:
    entries = build(["setup", "ballot"])
    late = board.next_entry(entries[1], ELECTION, "ballot", bytes(32), "2026-03-01T08:59:59Z")
    with pytest.raises(BoardError, match="earlier") as err:
        board.verify_chain([*entries, late], ELECTION)
    assert err.value.seq == 2


def test_empty_board_is_refused() -> None:
    with pytest.raises(BoardError, match="empty"):
        board.verify_chain([], ELECTION)


@pytest.mark.parametrize("bad", ["2026-03-01 09:00:00", "2026-02-30T09:00:00Z", "2026-03-01T09:00:00+01:00", 5])
def test_bad_times_are_refused(bad: object) -> None:
    with pytest.raises(BoardError):
        board.next_entry(None, ELECTION, "setup", bytes(32), bad)  # type: ignore[arg-type]


def test_format_time_round_trips() -> None:
    moment = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert board.format_time(moment) == "2026-03-01T09:00:00.123456Z"
    assert board.parse_time(board.format_time(moment)) == moment
    with pytest.raises(BoardError):
        board.format_time(datetime(2026, 3, 1))


def test_entry_encoding_is_pinned() -> None:
    entry = Entry(7, bytes(32), "ballot", bytes([1]) * 32, T0)
    encoded = board.encode_entry(entry)
    assert encoded.startswith(b"\x00\x00\x00\x16stembus/v1/board-entry\x00\x00\x00\x00\x00\x00\x00\x07")
    assert len(encoded) == 4 + 22 + 8 + 32 + 4 + 6 + 32 + 4 + len(T0)
    assert board.entry_hash(entry).hex() == board.hashlib.sha256(encoded).hexdigest()


def test_tracking_code_is_short_grouped_and_matches_the_entry() -> None:
    ballot = b"canonical ballot bytes"
    code = board.tracking_code(ballot)
    assert len(code) == 24 and code.count("-") == 4
    assert set(code.replace("-", "")) <= set(board._CROCKFORD)
    entry = board.next_entry(None, ELECTION, "ballot", board.ballot_hash(ballot), T0)
    assert board.tracking_code(entry) == code
    full = board.full_tracking_code(ballot)
    assert full.replace("-", "").startswith(code.replace("-", ""))
    assert len(full.replace("-", "")) == 52


def test_tracking_code_is_only_for_ballot_entries() -> None:
    entry = build(["setup"])[0]
    with pytest.raises(BoardError):
        board.tracking_code(entry)


def test_spoken_tracking_codes_are_normalised() -> None:
    code = board.tracking_code(b"x")
    spoken = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert board.normalise_tracking_code(spoken) == code
    with pytest.raises(BoardError):
        board.normalise_tracking_code("UUUU")


@given(st.binary(max_size=40))
def test_base32_is_injective_on_equal_lengths(data: bytes) -> None:
    encoded = board.base32(data)
    assert len(encoded) == -(-len(data) * 8 // 5)
    value = 0
    for ch in encoded:
        value = value * 32 + board._CROCKFORD.index(ch)
    assert value >> (len(encoded) * 5 - len(data) * 8) == int.from_bytes(data, "big")


def test_canonical_json_refuses_floats_and_sorts_keys() -> None:
    assert board.canonical_json({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()
    with pytest.raises(BoardError):
        board.canonical_json({"x": 1.5})
    with pytest.raises(BoardError):
        board.payload_hash("ballot", {})


def test_iter_verified_streams_until_the_break() -> None:
    entries = build(TYPES)
    entries[5] = dataclasses.replace(entries[5], seq=9)
    seen = []
    with pytest.raises(BoardError):
        for entry in board.iter_verified(iter(entries), ELECTION):
            seen.append(entry.seq)
    assert seen == [0, 1, 2, 3, 4]
