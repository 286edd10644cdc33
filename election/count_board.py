"""The public board as the count sees it: re-deriving every group's aggregate from all counted ballots.

Pure functions on plain data, shared by the server (which fixes the tally after closing) and by a
trustee's ``stembus trustee decrypt`` (which re-derives the tally from the whole public board before
decrypting anything). A trustee who decrypts only what they derived themselves cannot be made to
decrypt a subset of ballots, which would reveal one person's vote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crypto import board as bd
from crypto import elgamal
from crypto import record as rc
from crypto import record_hashes as rh
from crypto.record_schema import Field, RecordError

COUNT_FILE_FORMAT = "stembus-count-file"
TALLY_FILE_FORMAT = "stembus-tally"
SHARES_FILE_FORMAT = "stembus-decryption-shares"


class CountFileError(ValueError):
    """The count file, the tally or the board is not what the count needs; the message says why."""


@dataclass(frozen=True)
class GroupAggregate:
    """One electoral group's tally before decryption: counted ballots and one ciphertext per option."""

    id: str
    ballots: int
    aggregate: tuple[elgamal.Ciphertext, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"id", "ballots", "aggregate"}`` as in ``tally.json`` (without shares and counts)."""
        return {"id": self.id, "ballots": self.ballots, "aggregate": [ct.to_dict() for ct in self.aggregate]}


def parse_manifest(manifest: Any) -> rc.Manifest:
    """The manifest, validated as the record reader does."""
    try:
        return rc.parse_manifest(Field(rc.MANIFEST, "", manifest))
    except RecordError as exc:
        raise CountFileError(str(exc)) from None


def board_line(entry: bd.Entry, payload: Any) -> dict[str, Any]:
    """One board entry in the shape of a ``board.jsonl`` line."""
    return {**entry.to_dict(), "payload": payload}


def aggregates(manifest: rc.Manifest, ballots: Iterable[Any]) -> list[GroupAggregate]:
    """Sum every counted ballot's ciphertexts per group and option (groups in manifest order).

    A group without ballots gets the trivial encryption of 0 for every option, as the verifier does.
    """
    per_group: dict[str, list[list[elgamal.Ciphertext]]] = {grp.id: [] for grp in manifest.groups}
    for payload in ballots:
        gid = payload.get("group") if isinstance(payload, Mapping) else None
        grp = manifest.group(gid) if isinstance(gid, str) else None
        if grp is None:
            raise CountFileError(f"a ballot names an unknown electoral group {gid!r}")
        cts = [elgamal.Ciphertext.from_dict(s["ciphertext"]) for s in payload["selections"]]
        if len(cts) != len(grp.options):
            raise CountFileError(f"a ballot of group {grp.id} has {len(cts)} options, not {len(grp.options)}")
        per_group[grp.id].append(cts)
    out = []
    for grp in manifest.groups:
        rows = per_group[grp.id]
        sums = tuple(elgamal.sum_ciphertexts(row[i] for row in rows) for i in range(len(grp.options)))
        out.append(GroupAggregate(grp.id, len(rows), sums))
    return out


@dataclass(frozen=True)
class PublicBoard:
    """What a trustee derived from the count file: ``H_E``, the head after closing and the aggregates."""

    election_hash: bytes
    closed_head: bytes
    groups: list[GroupAggregate]


def derive_from_count_file(doc: Any) -> PublicBoard:
    """Check the count file's board from its genesis and re-derive every aggregate from all its ballots.

    ``H_E`` is recomputed from the manifest, keys and credential lists in the file; the chain must
    verify from the genesis of that ``H_E``, every ballot's payload must match its payload hash, and
    the board must be closed with the number of ballots per group the ``close`` entry states.
    """
    if not isinstance(doc, Mapping) or doc.get("format") != COUNT_FILE_FORMAT:
        raise CountFileError("this is not a Stembus count file (download it from the count page)")
    try:
        manifest = parse_manifest(doc["manifest"])
        keys, creds, lines = doc["keys"], doc["credentials"], doc["board"]
        roots = [
            (c["id"], rh.credential_root(c["id"], c["register_count"], [bytes.fromhex(x) for x in c["credentials"]]))
            for c in creds["groups"]
        ]
        election_hash = rh.election_hash(manifest.version, rh.manifest_hash(manifest.raw), rh.keys_hash(keys), roots)
        parsed = [rc.parse_board_line(line, n) for n, line in enumerate(lines, start=1)]
    except (KeyError, TypeError, ValueError) as exc:
        raise CountFileError(f"the count file is damaged: {exc}") from None
    return _walk(manifest, election_hash, parsed)


def _walk(manifest: rc.Manifest, election_hash: bytes, lines: Sequence[rc.BoardLine]) -> PublicBoard:
    state = bd.ChainState()
    ballots: list[Any] = []
    closed_head: bytes | None = None
    close_payload: Any = None
    for line in lines:
        try:
            bd.check_next(state, line.entry, election_hash)
        except bd.BoardError as exc:
            raise CountFileError(f"the board does not verify: {exc}") from None
        if line.entry.type == bd.BALLOT:
            if bd.ballot_hash(bd.canonical_json(line.payload)) != line.entry.payload_hash:
                raise CountFileError(f"board entry {line.entry.seq}: the ballot does not match its payload hash")
            ballots.append(line.payload)
        elif bd.payload_hash(line.entry.type, line.payload) != line.entry.payload_hash:
            raise CountFileError(f"board entry {line.entry.seq}: the payload does not match its payload hash")
        if line.entry.type == bd.CLOSE:
            closed_head, close_payload = state.head, line.payload
    if closed_head is None:
        raise CountFileError("the board is not closed yet")
    groups = aggregates(manifest, ballots)
    if close_payload != {"ballots": {grp.id: grp.ballots for grp in groups}}:
        raise CountFileError("the close entry does not state the number of ballots on the board")
    return PublicBoard(election_hash, closed_head, groups)


def tally_differences(mine: Sequence[GroupAggregate], tally: Any) -> list[str]:
    """How the tally to decrypt differs from the aggregates re-derived from the board (empty: equal)."""
    try:
        theirs = {g["id"]: g for g in tally["groups"]}
    except (KeyError, TypeError) as exc:
        return [f"the tally file is damaged: {exc}"]
    problems = []
    if sorted(theirs) != sorted(g.id for g in mine):
        problems.append(f"the tally covers groups {sorted(theirs)}, the board {sorted(g.id for g in mine)}")
    for grp in mine:
        other = theirs.get(grp.id)
        if other is None:
            continue
        if other.get("ballots") != grp.ballots:
            problems.append(f"group {grp.id}: the tally counts {other.get('ballots')} ballots, the board {grp.ballots}")
        if other.get("aggregate") != grp.to_dict()["aggregate"]:
            problems.append(f"group {grp.id}: the aggregate is not the sum of all ballots on the board")
    return problems
