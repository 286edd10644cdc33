"""Board checks that run in worker processes: one chunk of ``board.jsonl`` lines at a time.

A worker receives, once, the election hash, the joint key and each group's ballot shape; then chunks of
``(line number, raw line)``. It parses every line (strict JSON, the entry's fields) and returns, in
order, what the parent needs for the checks that follow the board's order (chain, eligibility, one
ballot per credential, the non-ballot entries' payloads). For every ``ballot`` entry it parses the
ballot (every element and scalar canonical), checks the payload against the ballot's canonical bytes
and its hash, verifies every 0/1 proof, the sum proof and the credential signature, and adds the
ciphertexts into per-group partial sums. For every ``challenged`` entry it checks the ballot the same
way and that the revealed choices and randomness reproduce its ciphertexts; challenged ballots are
never added.

Parsing here rather than in the parent keeps the parent's share of the work small (reading lines and
the hash chain), and a chunk crosses the process boundary as raw bytes. Everything returned is plain
bytes, ints, strings and small JSON values. A line that is not valid JSON or not an entry raises
``RecordError`` naming it, as reading it in the parent would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crypto import board as bd
from crypto import elgamal
from crypto import fastgroup as fg
from crypto import group as g
from crypto import record as rc
from crypto.ballot import BallotError, ballot_from_dict, ballot_to_bytes, check_revealed, verify_ballot

WorkItem = tuple[int, bytes]
Sums = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class GroupParams:
    """The ballot shape of one electoral group."""

    n_options: int
    system: str
    max_choices: int


@dataclass(frozen=True)
class WorkerContext:
    """What every worker needs, sent once per process."""

    election_hash: bytes
    joint_key: bytes
    groups: dict[str, GroupParams]


@dataclass(frozen=True)
class LineInfo:
    """One board line as the parent needs it: the entry, and for a ballot the group and credential
    it claims (unchecked), or for an entry that is neither ballot nor challenged its payload."""

    line: int
    entry: bd.Entry
    group_id: str | None = None
    credential: bytes | None = None
    payload: Any = None


@dataclass
class ChunkResult:
    """One chunk's findings: its lines in order, ballot failures as ``(check name, message)`` and
    per-group partial sums."""

    checked: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    sums: dict[str, Sums] = field(default_factory=dict)
    lines: list[LineInfo] = field(default_factory=list)


_context: WorkerContext | None = None


def init_worker(context: WorkerContext) -> None:
    """Install the context in this process (the pool's initializer)."""
    global _context
    _context = context


def ballot_owner(payload: Any) -> tuple[str | None, bytes | None]:
    """The electoral group and raw credential a ballot payload claims, without checking anything else."""
    if not isinstance(payload, dict):
        return None, None
    group_id = payload.get("group")
    cred = payload.get("credential")
    raw: bytes | None = None
    if isinstance(cred, str) and len(cred) == 64:
        try:
            raw = bytes.fromhex(cred)
        except ValueError:
            raw = None
    return (group_id if isinstance(group_id, str) else None), raw


def zero_sums(n: int) -> Sums:
    """Partial sums for ``n`` options holding nothing yet."""
    return [(g.IDENTITY, g.IDENTITY)] * n


def add_sums(a: Sums | None, b: Sums) -> Sums:
    """Add two per-option partial sums (ciphertext addition, option by option)."""
    if a is None:
        return b
    if fg.AVAILABLE:
        dec, add, enc = fg.decode, fg.add, fg.encode
        return [
            (enc(add(dec(a1), dec(b1))), enc(add(dec(a2), dec(b2)))) for (a1, a2), (b1, b2) in zip(a, b, strict=True)
        ]
    return [
        (g.add(g.Point(a1), g.Point(b1)), g.add(g.Point(a2), g.Point(b2)))
        for (a1, a2), (b1, b2) in zip(a, b, strict=True)
    ]


class SumAccumulator:
    """Per-group, per-option running sums of ballot ciphertexts within one chunk.

    With libdecaf the sums stay decoded until ``sums()`` (two encodings per option per chunk instead
    of one decoding and one encoding per addition); without it they are added with ``add_sums``.
    """

    def __init__(self) -> None:
        self._fast = fg.AVAILABLE
        self._decoded: dict[str, list[tuple[fg.Element, fg.Element]]] = {}
        self._encoded: dict[str, Sums] = {}

    def add(self, group_id: str, pairs: Sums) -> None:
        """Add one ballot's ``(alpha, beta)`` per option to its group's sums."""
        if not self._fast:
            self._encoded[group_id] = add_sums(self._encoded.get(group_id), pairs)
            return
        dec, add = fg.decode, fg.add
        parts = [(dec(a), dec(b)) for a, b in pairs]
        current = self._decoded.get(group_id)
        if current is None:
            self._decoded[group_id] = parts
        elif len(current) != len(parts):
            raise ValueError("ballots of one group must have the same number of options")
        else:
            pairs_now = zip(current, parts, strict=True)
            self._decoded[group_id] = [(add(a1, a2), add(b1, b2)) for (a1, b1), (a2, b2) in pairs_now]

    def sums(self) -> dict[str, Sums]:
        """The sums so far, as canonical encodings."""
        if not self._fast:
            return dict(self._encoded)
        return {gid: [(fg.encode(a), fg.encode(b)) for a, b in pairs] for gid, pairs in self._decoded.items()}


def verify_chunk(items: list[WorkItem]) -> ChunkResult:
    """Parse and check one chunk of board lines (see the module docstring)."""
    if _context is None:
        raise RuntimeError("init_worker was not called")
    ctx = _context
    joint_key = g.point_from_bytes(ctx.joint_key)
    result = ChunkResult()
    sums = SumAccumulator()
    for number, raw in items:
        parsed = rc.parse_board_line(rc.decode_json(raw, f"{rc.BOARD} line {number}"), number)
        entry, payload = parsed.entry, parsed.payload
        if entry.type == bd.BALLOT:
            group_id, credential = ballot_owner(payload)
            result.lines.append(LineInfo(number, entry, group_id, credential))
        elif entry.type == bd.CHALLENGED:
            result.lines.append(LineInfo(number, entry))
        else:
            result.lines.append(LineInfo(number, entry, payload=payload))
            continue
        result.checked += 1
        _check_ballot_entry(ctx, joint_key, number, entry, payload, result, sums)
    result.sums = sums.sums()
    return result


def _check_ballot_entry(
    ctx: WorkerContext,
    joint_key: g.Point,
    line: int,
    entry: bd.Entry,
    payload: Any,
    result: ChunkResult,
    sums: SumAccumulator,
) -> None:
    kind = entry.type
    where = f"{'ballot' if kind == bd.BALLOT else 'challenged ballot'} seq {entry.seq} (line {line})"
    check = "ballots" if kind == bd.BALLOT else "challenged"
    raw_ballot = payload if kind == bd.BALLOT else (payload.get("ballot") if isinstance(payload, dict) else None)
    try:
        ballot = ballot_from_dict(raw_ballot)
    except BallotError as exc:
        result.failures.append((check, f"{where}: malformed ballot: {exc}"))
        return
    canonical = ballot_to_bytes(ballot)
    digest = bd.ballot_hash(canonical)
    code = bd.tracking_code(canonical)
    where = f"{where}, tracking code {code}, credential {ballot.credential.hex()[:16]}…"
    params = ctx.groups.get(ballot.group_id)
    if params is None:
        result.failures.append((check, f"{where}: unknown electoral group {ballot.group_id!r}"))
        return
    if kind == bd.BALLOT:
        if bd.canonical_json_decoded(payload) != canonical:
            result.failures.append((check, f"{where}: payload is not the ballot's canonical form"))
        if entry.payload_hash != digest:
            result.failures.append((check, f"{where}: payload hash is not the hash of the ballot"))
    elif entry.payload_hash != bd.payload_hash(bd.CHALLENGED, payload):
        result.failures.append((check, f"{where}: payload does not match its hash"))
    try:
        problems = verify_ballot(
            ballot,
            election_hash=ctx.election_hash,
            group_id=ballot.group_id,
            n_options=params.n_options,
            k=params.max_choices,
            system=params.system,
            joint_key=joint_key,
        )
    except BallotError as exc:
        problems = [str(exc)]
    for problem in problems:
        result.failures.append((check, f"{where}: {problem}"))
    if kind == bd.CHALLENGED:
        _check_challenge(payload, ballot, joint_key, where, result)
    elif len(ballot.selections) == params.n_options:
        # Counted as posted, valid or not: the aggregate is the sum over the board as it stands. A
        # ballot with the wrong number of options (already a failure above) cannot be added.
        sums.add(ballot.group_id, [(s.ciphertext.alpha, s.ciphertext.beta) for s in ballot.selections])


def _check_challenge(payload: Any, ballot: Any, joint_key: g.Point, where: str, result: ChunkResult) -> None:
    if not isinstance(payload, dict) or set(payload) != {"ballot", "reveal"}:
        result.failures.append(("challenged", f"{where}: payload must hold exactly 'ballot' and 'reveal'"))
        return
    try:
        check_revealed(ballot, payload["reveal"], joint_key=joint_key)
    except BallotError as exc:
        result.failures.append(("challenged", f"{where}: {exc}"))


def sum_ciphertext(sums: Sums, option: int) -> elgamal.Ciphertext:
    """The recomputed aggregate of one option as a ciphertext."""
    alpha, beta = sums[option]
    return elgamal.Ciphertext(g.Point(alpha), g.Point(beta))
