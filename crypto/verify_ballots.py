"""Ballot checks that run in worker processes: one chunk of board entries at a time.

A worker receives, once, the election hash, the joint key and each group's ballot shape; then chunks of
``(seq, line, type, payload, payload_hash)``. For every ``ballot`` entry it parses the ballot (every
element and scalar canonical), checks the payload hash against the ballot's canonical bytes, verifies
every 0/1 proof, the sum proof and the credential signature, and adds the ciphertexts into per-group
partial sums. For every ``challenged`` entry it checks the ballot the same way and that the revealed
choices and randomness reproduce its ciphertexts; challenged ballots are never added.

Everything returned is plain bytes, ints and strings, so results cross process boundaries cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crypto import board as bd
from crypto import elgamal
from crypto import group as g
from crypto.ballot import BallotError, ballot_from_dict, ballot_to_bytes, check_revealed, verify_ballot

WorkItem = tuple[int, int, str, Any, bytes]
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


@dataclass
class ChunkResult:
    """One chunk's findings: failures as ``(check name, message)`` and per-group partial sums."""

    checked: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    sums: dict[str, Sums] = field(default_factory=dict)


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
    return [
        (g.add(g.Point(a1), g.Point(b1)), g.add(g.Point(a2), g.Point(b2)))
        for (a1, a2), (b1, b2) in zip(a, b, strict=True)
    ]


def verify_chunk(items: list[WorkItem]) -> ChunkResult:
    """Check one chunk of ballot and challenged entries (see the module docstring)."""
    if _context is None:
        raise RuntimeError("init_worker was not called")
    ctx = _context
    joint_key = g.point_from_bytes(ctx.joint_key)
    result = ChunkResult()
    for seq, line, kind, payload, payload_hash in items:
        result.checked += 1
        where = f"{'ballot' if kind == bd.BALLOT else 'challenged ballot'} seq {seq} (line {line})"
        check = "ballots" if kind == bd.BALLOT else "challenged"
        raw_ballot = payload if kind == bd.BALLOT else (payload.get("ballot") if isinstance(payload, dict) else None)
        try:
            ballot = ballot_from_dict(raw_ballot)
        except BallotError as exc:
            result.failures.append((check, f"{where}: malformed ballot: {exc}"))
            continue
        canonical = ballot_to_bytes(ballot)
        code = bd.tracking_code(canonical)
        where = f"{where}, tracking code {code}, credential {ballot.credential.hex()[:16]}…"
        params = ctx.groups.get(ballot.group_id)
        if params is None:
            result.failures.append((check, f"{where}: unknown electoral group {ballot.group_id!r}"))
            continue
        if kind == bd.BALLOT:
            if bd.canonical_json(payload) != canonical:
                result.failures.append((check, f"{where}: payload is not the ballot's canonical form"))
            if payload_hash != bd.ballot_hash(canonical):
                result.failures.append((check, f"{where}: payload hash is not the hash of the ballot"))
        elif payload_hash != bd.payload_hash(bd.CHALLENGED, payload):
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
        else:
            # Counted as posted, valid or not: the aggregate is the sum over the board as it stands.
            partial = [(s.ciphertext.alpha, s.ciphertext.beta) for s in ballot.selections]
            result.sums[ballot.group_id] = add_sums(result.sums.get(ballot.group_id), partial)  # type: ignore[arg-type]
    return result


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
