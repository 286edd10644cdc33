"""The election record: a versioned bundle of JSON files anyone can verify, as a directory or a .zip.

Files (``docs/election-record.md`` describes every field):

* ``manifest.json`` — format and version, organisation, electoral groups with their candidates, seats,
  system, seat rules and register counts, the committee's size and threshold, and (version 2) how the
  voting codes were made (``credential_mode``: by the server, or offline by a committee member);
* ``keys.json`` — the key-generation transcript, the joint public key and every member's verification key;
* ``credentials.json`` — per electoral group, the sorted public voting credentials and the register count;
* ``board.jsonl`` — the bulletin board, one entry per line with its payload (ballots included);
* ``tally.json`` — per group the aggregated ciphertexts, every decryption share and the counts;
* ``seats.json`` — per group the seat-allocation input and output.

Guarantees: the reader never loads ``board.jsonl`` whole (it yields one line at a time, each line at most
``MAX_LINE_BYTES``); every field it returns has been checked for type and shape; any malformed input —
missing file, bad zip, truncated or duplicate-key JSON, wrong version, bad hex — raises ``RecordError``
naming the file, the line and the field. Meaning (valid points, proofs, sums) is the verifier's job.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from crypto.board import ENTRY_TYPES, Entry, canonical_json
from crypto.record_schema import Field, RecordError

FORMAT = "stembus-election-record"
VERSION = 2
SUPPORTED_VERSIONS = frozenset({1, 2})
"""Version 2 adds the manifest's ``credential_mode`` and the board's credential entries (revocation and
replacement of a code while voting is open); a version 1 record has neither."""
CREDENTIAL_MODES = ("server", "offline")

MANIFEST = "manifest.json"
KEYS = "keys.json"
CREDENTIALS = "credentials.json"
BOARD = "board.jsonl"
TALLY = "tally.json"
SEATS = "seats.json"
FILES = (MANIFEST, KEYS, CREDENTIALS, BOARD, TALLY, SEATS)

MAX_JSON_BYTES = 512 * 1024 * 1024
MAX_LINE_BYTES = 4 * 1024 * 1024
BLANK = "blank"
SYSTEMS = ("list", "person")
REMAINDER_METHODS = ("largest_remainders", "dhondt")
SURPLUS = ("vacant", "redistribute")

__all__ = ["RecordError", "RecordReader", "RecordWriter"]


# --- parsed shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A candidate on the ballot; ``id`` is also the option id."""

    id: str
    name: str


@dataclass(frozen=True)
class CandidateList:
    """A candidate list (list system), candidates in list order."""

    id: str
    name: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Group:
    """An electoral group (kiesgroep): its own ballot, seats, register and credential list."""

    id: str
    name: str
    system: str
    seats: int
    register_count: int
    max_choices: int
    rules: dict[str, Any]
    lists: tuple[CandidateList, ...]
    candidates: tuple[Candidate, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The ballot's options in ciphertext order: every candidate (list by list), then ``blank``."""
        if self.system == "list":
            ids = [c.id for lst in self.lists for c in lst.candidates]
        else:
            ids = [c.id for c in self.candidates]
        return (*ids, BLANK)


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``: what the election is. ``raw`` is the JSON as read, for hashing."""

    raw: dict[str, Any]
    version: int
    election_id: str
    organisation: str
    title: str
    trustees: int
    threshold: int
    groups: tuple[Group, ...]
    credential_mode: str | None = None  # None in a version 1 record

    def group(self, group_id: str) -> Group | None:
        """The group with this id, if any."""
        return next((g for g in self.groups if g.id == group_id), None)


@dataclass(frozen=True)
class Keys:
    """``keys.json``: the committee's keys. ``dkg`` is the transcript for ``crypto.threshold``."""

    raw: dict[str, Any]
    trustees: int
    threshold: int
    joint_key: bytes
    verification_keys: tuple[bytes, ...]
    dkg: dict[str, Any]


@dataclass(frozen=True)
class CredentialList:
    """One group's published public credentials (raw 32-byte encodings, as listed)."""

    group: str
    register_count: int
    credentials: tuple[bytes, ...]


@dataclass(frozen=True)
class BoardLine:
    """One line of ``board.jsonl``: the entry, its payload as JSON, and where it was read."""

    line: int
    entry: Entry
    payload: Any


@dataclass(frozen=True)
class MemberShares:
    """One member's decryption shares for one group, one per option (shapes from ``crypto.threshold``)."""

    member: int
    shares: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class PaperTotals:
    """A hybrid election's paper ballots of one group, counted by hand: the ballots found, the votes per
    option in ballot order (candidates, then ``blank``) and the invalid ballots."""

    ballots: int
    counts: tuple[int, ...]
    invalid: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as in ``tally.json`` and the ``paper_count`` board entry (without the group)."""
        return {"ballots": self.ballots, "counts": list(self.counts), "invalid": self.invalid}


@dataclass(frozen=True)
class GroupTally:
    """One group's tally: aggregate ciphertexts, shares and counts, option by option; ``paper`` holds the
    paper totals of a hybrid election, kept apart from the online counts."""

    group: str
    ballots: int
    aggregate: tuple[dict[str, Any], ...]
    shares: tuple[MemberShares, ...]
    counts: tuple[int, ...]
    paper: PaperTotals | None = None


@dataclass(frozen=True)
class Tally:
    """``tally.json``."""

    raw: dict[str, Any]
    board_head: bytes
    groups: tuple[GroupTally, ...]


@dataclass(frozen=True)
class GroupSeats:
    """One group's seat allocation in the shapes of ``stembus seats``."""

    group: str
    input: dict[str, Any]
    output: dict[str, Any]


# --- parsing ------------------------------------------------------------------------------------


def supported_text() -> str:
    """The supported record versions, for messages: ``1, 2``."""
    return ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))


def parse_manifest(root: Field) -> Manifest:
    """Validate ``manifest.json`` and return its parsed form."""
    root.obj({"format", "version", "election", "committee", "groups", "credential_mode"})
    root.get("format").const(FORMAT)
    version = root.get("version").integer(1)
    if version not in SUPPORTED_VERSIONS:
        root.get("version").fail(f"record version {version} is not supported (known: {supported_text()})")
    credential_mode: str | None = None
    if version >= 2:
        credential_mode = root.get("credential_mode").choice(CREDENTIAL_MODES)
    elif "credential_mode" in root.value:
        root.get("credential_mode").fail("a version 1 record has no credential_mode")
    election = root.get("election").obj({"id", "organisation", "title", "voting_opens", "voting_closes"})
    for key in ("voting_opens", "voting_closes"):
        f = election.opt(key)
        if f is not None:
            f.string(40)
    committee = root.get("committee").obj({"trustees", "threshold"})
    trustees = committee.get("trustees").integer(1, 255)
    threshold = committee.get("threshold").integer(1, trustees)
    groups: list[Group] = []
    for g in root.get("groups").items(1, 1000):
        group = _parse_group(g)
        if any(x.id == group.id for x in groups):
            g.get("id").fail(f"duplicate electoral group id {group.id!r}")
        groups.append(group)
    return Manifest(
        raw=root.value,
        version=version,
        election_id=election.get("id").string(200),
        organisation=election.get("organisation").string(),
        title=election.get("title").string(),
        trustees=trustees,
        threshold=threshold,
        groups=tuple(groups),
        credential_mode=credential_mode,
    )


def _parse_group(g: Field) -> Group:
    g.obj({"id", "name", "system", "seats", "register_count", "max_choices", "rules", "lists", "candidates"})
    system = g.get("system").choice(SYSTEMS)
    rules = g.get("rules").obj(
        {"remainder_method", "remainder_threshold", "preference_threshold", "surplus_seats", "lot_seed", "earmarks"}
    )
    rules.get("remainder_method").choice(REMAINDER_METHODS)
    rules.get("remainder_threshold").string(40)
    pref = rules.opt("preference_threshold")
    if pref is not None:
        pref.string(40)
    rules.get("surplus_seats").choice(SURPLUS)
    rules.get("lot_seed").hexbytes()
    earmarks = rules.opt("earmarks")
    if earmarks is not None:
        _parse_earmarks(earmarks)
    lists: list[CandidateList] = []
    candidates: list[Candidate] = []
    if system == "list":
        for lf in g.get("lists").items(1, 200):
            lf.obj({"id", "name", "candidates"})
            lists.append(
                CandidateList(
                    lf.get("id").ident(),
                    lf.get("name").string(),
                    tuple(_parse_candidate(c) for c in lf.get("candidates").items(1, 1000)),
                )
            )
        if g.opt("candidates") is not None and g.get("candidates").value:
            g.get("candidates").fail("the list system takes candidates inside lists")
    else:
        candidates = [_parse_candidate(c) for c in g.get("candidates").items(1, 1000)]
        if g.opt("lists") is not None and g.get("lists").value:
            g.get("lists").fail("the person system has no candidate lists")
    group = Group(
        id=g.get("id").ident(),
        name=g.get("name").string(),
        system=system,
        seats=g.get("seats").integer(1, 10000),
        register_count=g.get("register_count").integer(0),
        max_choices=g.get("max_choices").integer(1, 1000),
        rules=rules.value,
        lists=tuple(lists),
        candidates=tuple(candidates),
    )
    if system == "list" and group.max_choices != 1:
        g.get("max_choices").fail("the list system allows exactly one choice")
    ids = group.options
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        g.fail(f"option ids must be distinct (and not {BLANK!r}): {', '.join(dup)}")
    if len({lst.id for lst in lists}) != len(lists):
        g.get("lists").fail("list ids must be distinct")
    if group.max_choices > len(ids) - 1:
        g.get("max_choices").fail("more choices than candidates")
    return group


def _parse_earmarks(earmarks: Field) -> None:
    """Seats reserved for the candidates of one unit; the allocator checks them against the group."""
    for e in earmarks.items(0, 100):
        e.obj({"id", "seats", "candidates"})
        e.get("id").string(300)
        e.get("seats").integer(0, 10000)
        for c in e.get("candidates").items(0, 200000):
            c.ident()


def _parse_candidate(c: Field) -> Candidate:
    c.obj({"id", "name"})
    return Candidate(c.get("id").ident(), c.get("name").string())


def parse_keys(root: Field) -> Keys:
    """Validate the shape of ``keys.json``."""
    root.obj({"trustees", "threshold", "joint_key", "verification_keys", "dkg"})
    trustees = root.get("trustees").integer(1, 255)
    threshold = root.get("threshold").integer(1, trustees)
    vks = tuple(f.hexbytes(32) for f in root.get("verification_keys").items(trustees, trustees))
    return Keys(
        raw=root.value,
        trustees=trustees,
        threshold=threshold,
        joint_key=root.get("joint_key").hexbytes(32),
        verification_keys=vks,
        dkg=root.get("dkg").obj().value,
    )


def parse_credentials(root: Field) -> tuple[CredentialList, ...]:
    """Validate the shape of ``credentials.json`` (sortedness and validity are verifier checks)."""
    root.obj({"groups"})
    out: list[CredentialList] = []
    for g in root.get("groups").items(1, 1000):
        g.obj({"id", "register_count", "count", "credentials"})
        creds = tuple(f.hexbytes(32) for f in g.get("credentials").items())
        count = g.get("count").integer(0)
        if count != len(creds):
            g.get("count").fail(f"count is {count} but {len(creds)} credentials are listed")
        out.append(CredentialList(g.get("id").ident(), g.get("register_count").integer(0), creds))
    return tuple(out)


def parse_board_line(raw: Any, line: int) -> BoardLine:
    """Validate one ``board.jsonl`` line."""
    f = Field(BOARD, "", raw, line).obj({"seq", "prev_hash", "type", "payload_hash", "time", "payload"})
    entry = Entry(
        seq=f.get("seq").integer(0, 2**62),
        prev_hash=f.get("prev_hash").hexbytes(32),
        type=f.get("type").choice(tuple(sorted(ENTRY_TYPES))),
        payload_hash=f.get("payload_hash").hexbytes(32),
        time=f.get("time").string(40),
    )
    return BoardLine(line, entry, f.get("payload").value)


def parse_tally(root: Field) -> Tally:
    """Validate the shape of ``tally.json``."""
    root.obj({"board_head", "groups"})
    groups: list[GroupTally] = []
    for g in root.get("groups").items(1, 1000):
        g.obj({"id", "ballots", "aggregate", "shares", "counts", "paper"})
        members: list[MemberShares] = []
        for m in g.get("shares").items():
            m.obj({"member", "shares"})
            shares = tuple(s.obj().value for s in m.get("shares").items())
            members.append(MemberShares(m.get("member").integer(1, 255), shares))
        groups.append(
            GroupTally(
                group=g.get("id").ident(),
                ballots=g.get("ballots").integer(0),
                aggregate=tuple(c.obj().value for c in g.get("aggregate").items()),
                shares=tuple(members),
                counts=tuple(c.integer(0) for c in g.get("counts").items()),
                paper=parse_paper(g.opt("paper")),
            )
        )
    return Tally(root.value, root.get("board_head").hexbytes(32), tuple(groups))


def parse_paper(f: Field | None) -> PaperTotals | None:
    """Validate the shape of a group's paper totals (absent: the group was counted online only)."""
    if f is None:
        return None
    f.obj({"ballots", "counts", "invalid"})
    return PaperTotals(
        ballots=f.get("ballots").integer(0),
        counts=tuple(c.integer(0) for c in f.get("counts").items(1)),
        invalid=f.get("invalid").integer(0),
    )


def parse_seats(root: Field) -> tuple[GroupSeats, ...]:
    """Validate the shape of ``seats.json``."""
    root.obj({"groups"})
    out = []
    for g in root.get("groups").items(1, 1000):
        g.obj({"id", "input", "output"})
        out.append(GroupSeats(g.get("id").ident(), g.get("input").obj().value, g.get("output").obj().value))
    return tuple(out)


# --- JSON decoding ------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text} (the record holds integers only)")


def decode_json(data: bytes, where: str) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity, no floats; ``RecordError`` otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_no_float)
    except json.JSONDecodeError as exc:
        pos = f"line {exc.lineno}, column {exc.colno}"
        raise RecordError(f"{where}: invalid JSON at {pos}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"{where}: invalid JSON: {exc}") from None
    # A \u escape can produce half of a UTF-16 surrogate pair, which is no character and cannot be
    # hashed as UTF-8; only then (rare: the escape must be in the text) is the value checked whole.
    if "\\ud" in text or "\\uD" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError(f"{where}: a string holds a lone UTF-16 surrogate, which is not a character") from None
    return value


# --- reader -------------------------------------------------------------------------------------


class RecordReader:
    """Read a record from a directory or a .zip file. Use as a context manager.

    Opening checks only that the container is readable and holds every file; each accessor parses
    and validates its file on call.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_dir():
            missing = [name for name in FILES if not (self.path / name).is_file()]
        elif self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise RecordError(f"{self.path}: not a record directory or a readable .zip ({exc})") from None
            names = set(self._zip.namelist())
            missing = [name for name in FILES if name not in names]
        else:
            raise RecordError(f"{self.path}: no such record (a directory or a .zip file)")
        if missing:
            self.close()
            raise RecordError(f"{self.path}: missing file(s): {', '.join(missing)}")

    def close(self) -> None:
        """Release the zip file, if any."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _open(self, name: str) -> IO[bytes]:
        try:
            if self._zip is not None:
                info = self._zip.getinfo(name)
                if name != BOARD and info.file_size > MAX_JSON_BYTES:
                    raise RecordError(f"{name}: larger than {MAX_JSON_BYTES} bytes")
                return self._zip.open(info)
            path = self.path / name
            if name != BOARD and path.stat().st_size > MAX_JSON_BYTES:
                raise RecordError(f"{name}: larger than {MAX_JSON_BYTES} bytes")
            return path.open("rb")
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
            if isinstance(exc, RecordError):
                raise
            raise RecordError(f"{name}: cannot be read ({exc})") from None

    def read_bytes(self, name: str) -> bytes:
        """The whole content of one (non-board) file."""
        with self._open(name) as fh:
            try:
                data = fh.read(MAX_JSON_BYTES + 1)
            except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
                raise RecordError(f"{name}: cannot be read ({exc})") from None
        if len(data) > MAX_JSON_BYTES:
            raise RecordError(f"{name}: larger than {MAX_JSON_BYTES} bytes")
        return data

    def read_json(self, name: str) -> Field:
        """One JSON file, decoded strictly, as a ``Field`` at its root."""
        return Field(name, "", decode_json(self.read_bytes(name), name))

    def manifest(self) -> Manifest:
        """The parsed ``manifest.json`` (the version check comes first)."""
        root = self.read_json(MANIFEST)
        root.obj()
        root.get("format").const(FORMAT)
        return parse_manifest(root)

    def keys(self) -> Keys:
        """The parsed ``keys.json``."""
        return parse_keys(self.read_json(KEYS))

    def credentials(self) -> tuple[CredentialList, ...]:
        """The parsed ``credentials.json``."""
        return parse_credentials(self.read_json(CREDENTIALS))

    def tally(self) -> Tally:
        """The parsed ``tally.json``."""
        return parse_tally(self.read_json(TALLY))

    def seats(self) -> tuple[GroupSeats, ...]:
        """The parsed ``seats.json``."""
        return parse_seats(self.read_json(SEATS))

    def iter_board(self) -> Iterator[BoardLine]:
        """Yield ``board.jsonl`` one validated line at a time; memory use does not depend on its length."""
        for number, raw in self.iter_board_lines():
            yield parse_board_line(decode_json(raw, f"{BOARD} line {number}"), number)

    def iter_board_lines(self) -> Iterator[tuple[int, bytes]]:
        """Yield ``(line number, raw line)`` for each line of ``board.jsonl``, unparsed.

        Each line is checked for length, a final newline and not being blank; the caller parses it
        with ``decode_json`` and ``parse_board_line`` (the verifier does so in its worker processes).
        """
        with self._open(BOARD) as fh:
            number = 0
            while True:
                try:
                    raw = fh.readline(MAX_LINE_BYTES + 1)
                except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
                    raise RecordError(f"{BOARD} line {number + 1}: cannot be read ({exc})") from None
                if not raw:
                    return
                number += 1
                if len(raw) > MAX_LINE_BYTES:
                    raise RecordError(f"{BOARD} line {number}: longer than {MAX_LINE_BYTES} bytes")
                if not raw.endswith(b"\n"):
                    raise RecordError(f"{BOARD} line {number}: truncated (no final newline)")
                if raw.strip() == b"":
                    raise RecordError(f"{BOARD} line {number}: empty line")
                yield number, raw


# --- writer -------------------------------------------------------------------------------------


def dump_json(obj: Any) -> bytes:
    """How the writer lays out a JSON file: sorted keys, two-space indent, final newline."""
    canonical_json(obj)  # refuses floats and non-string keys
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class RecordWriter:
    """Write a record to a directory, or to a .zip when ``path`` ends in ``.zip``.

    Files are written one after another (a zip cannot hold two open members); write the board with
    ``board()``, which streams lines so the whole board never sits in memory.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        if self.path.suffix == ".zip":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED)
        else:
            self.path.mkdir(parents=True, exist_ok=True)

    def _open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(name, "w", force_zip64=True)
        return (self.path / name).open("wb")

    def write_json(self, name: str, obj: Any) -> None:
        """Write one JSON file."""
        with self._open(name) as fh:
            fh.write(dump_json(obj))

    def board(self) -> BoardSink:
        """A context manager that appends board lines to ``board.jsonl``."""
        return BoardSink(self._open(BOARD))

    def close(self) -> None:
        """Finish the zip file, if any."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class BoardSink:
    """Appends entries with their payloads, one JSON object per line."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = io.BufferedWriter(fh) if not isinstance(fh, io.BufferedIOBase) else fh

    def append(self, entry: Entry, payload: Any) -> None:
        """Write one line: the entry's fields plus ``payload``."""
        line = {**entry.to_dict(), "payload": payload}
        self._fh.write(canonical_json(line) + b"\n")

    def __enter__(self) -> BoardSink:
        return self

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._fh.close()
