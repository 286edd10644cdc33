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

Speed without a second set of rules: ``fast_ballot_from_dict`` reads a well-formed ballot in one pass
(all its hex at once) and gives up, returning None, on anything unusual; the ballot is then read by
``crypto.ballot.ballot_from_dict``, whose error names the field. So what is accepted and what each
failure says are exactly those of ``ballot_from_dict``; only the common case is quicker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from crypto import board as bd
from crypto import elgamal
from crypto import fastgroup as fg
from crypto import group as g
from crypto import record as rc
from crypto.ballot import (
    BALLOT_VERSION,
    Ballot,
    BallotError,
    Selection,
    ballot_from_dict,
    ballot_to_bytes,
    check_revealed,
    verify_ballot,
)
from crypto.credentials import Signature
from crypto.elgamal import Ciphertext
from crypto.group import Point, Scalar
from crypto.proofs import DisjunctiveProof, EqualityProof

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


_BALLOT_KEYS = frozenset({"version", "group", "credential", "selections", "sum_proof", "signature"})
_SELECTION_KEYS = frozenset({"ciphertext", "proof"})
_CIPHERTEXT_KEYS = frozenset({"alpha", "beta"})
_PROOF_KEYS = frozenset({"c", "v"})


def fast_ballot_from_dict(d: Any) -> Ballot | None:
    """``ballot_from_dict(d)`` for a well-formed ballot with 0/1 proofs of two branches, else None.

    Accepts only what ``ballot_from_dict`` accepts, and returns an equal ``Ballot``: the same fields,
    exactly; ``version`` the integer 1; a non-empty group; at least two selections, each with exactly
    ``ciphertext {alpha, beta}`` and ``proof {c: [2], v: [2]}``; a sum proof ``{c, v}`` of two scalars
    or two equally long non-empty lists; a signature ``{c, v}``; every value 64 lower-case hex
    characters; every point canonical and not the identity; every scalar below ``L``. Anything else
    (including any other type, such as a bool for ``version``) returns None, and the caller uses
    ``ballot_from_dict``, which says what is wrong.

    It also means ``d`` is the ballot's JSON form as ``Ballot.to_dict`` writes it (same keys, and hex
    that re-encodes to the same lower-case text), so ``d``'s canonical JSON is ``ballot_to_bytes`` of
    the result.
    """
    if type(d) is not dict or d.keys() != _BALLOT_KEYS:
        return None
    version, group_id, selections = d["version"], d["group"], d["selections"]
    if type(version) is not int or version != BALLOT_VERSION or type(group_id) is not str or not group_id:
        return None
    if type(selections) is not list or len(selections) < 2:
        return None
    hexes = [d["credential"]]
    for sel in selections:
        if type(sel) is not dict or sel.keys() != _SELECTION_KEYS:
            return None
        ct, proof = sel["ciphertext"], sel["proof"]
        if type(ct) is not dict or ct.keys() != _CIPHERTEXT_KEYS or type(proof) is not dict:
            return None
        if proof.keys() != _PROOF_KEYS:
            return None
        cs, vs = proof["c"], proof["v"]
        if type(cs) is not list or type(vs) is not list or len(cs) != 2 or len(vs) != 2:
            return None
        hexes += (ct["alpha"], ct["beta"], cs[0], cs[1], vs[0], vs[1])
    sum_proof, signature = d["sum_proof"], d["signature"]
    if type(sum_proof) is not dict or sum_proof.keys() != _PROOF_KEYS:
        return None
    if type(signature) is not dict or signature.keys() != _PROOF_KEYS:
        return None
    sc, sv = sum_proof["c"], sum_proof["v"]
    if type(sc) is list:
        if type(sv) is not list or len(sc) != len(sv) or not sc:
            return None
        hexes += sc
        hexes += sv
    else:
        hexes += (sc, sv)
    hexes += (signature["c"], signature["v"])
    for h in hexes:
        if type(h) is not str or len(h) != 64:
            return None
    text = "".join(hexes)
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    # Every piece is 64 characters and the whole re-encodes to the same text: so each piece is exactly
    # 64 lower-case hex digits (no spaces, no capitals), as ``crypto.group`` requires.
    if raw.hex() != text:
        return None
    values = [raw[i : i + 32] for i in range(0, len(raw), 32)]
    n = len(selections)
    points = [values[0]]
    scalars = []
    for k in range(n):
        base = 1 + 6 * k
        points += values[base : base + 2]
        scalars += values[base + 2 : base + 6]
    scalars += values[1 + 6 * n :]
    for sc_bytes in scalars:
        # Below 2**252 when the top byte is under 0x10; only then is the full comparison skipped.
        if sc_bytes[31] > 0x0F and int.from_bytes(sc_bytes, "little") >= g.L:
            return None
    for pt in points:
        if pt[31] & 0x80 or pt == g.IDENTITY:
            return None
        if fg.AVAILABLE:
            try:
                fg.decode(pt)
            except g.GroupError:
                return None
        elif not g.is_valid_encoding(pt):
            return None
    built = []
    for k in range(n):
        a, b, c0, c1, v0, v1 = values[1 + 6 * k : 7 + 6 * k]
        built.append(
            Selection(
                Ciphertext(Point(a), Point(b)),
                DisjunctiveProof((Scalar(c0), Scalar(c1)), (Scalar(v0), Scalar(v1))),
            )
        )
    rest = values[1 + 6 * n :]
    parsed_sum: EqualityProof | DisjunctiveProof
    if type(sc) is list:
        m = len(sc)
        parsed_sum = DisjunctiveProof(tuple(Scalar(x) for x in rest[:m]), tuple(Scalar(x) for x in rest[m : 2 * m]))
    else:
        parsed_sum = EqualityProof(Scalar(rest[0]), Scalar(rest[1]))
    sig = Signature(Scalar(rest[-2]), Scalar(rest[-1]))
    return Ballot(group_id, Point(values[0]), tuple(built), parsed_sum, sig)


_SELECTION_JSON = '{"ciphertext":{"alpha":"%s","beta":"%s"},"proof":{"c":["%s","%s"],"v":["%s","%s"]}}'
_PAIR_JSON = '{"c":"%s","v":"%s"}'
_BALLOT_JSON = (
    '{"credential":"%s","group":%s,"selections":[%s],"signature":{"c":"%s","v":"%s"},"sum_proof":%s,"version":1}'
)


def fast_canonical_bytes(d: Any) -> bytes:
    """``crypto.board.canonical_json_decoded(d)`` for a ballot ``fast_ballot_from_dict`` accepted.

    Such a ballot has a fixed shape whose values are lower-case hex (nothing to escape) apart from the
    group, which ``json.dumps`` writes as the canonical encoder would; the keys are written in sorted
    order. Anything else must go through ``canonical_json_decoded``.
    """
    selections = ",".join(
        [
            _SELECTION_JSON % (s["ciphertext"]["alpha"], s["ciphertext"]["beta"], *s["proof"]["c"], *s["proof"]["v"])
            for s in d["selections"]
        ]
    )
    sp, sig = d["sum_proof"], d["signature"]
    if type(sp["c"]) is list:
        sum_proof = '{"c":["' + '","'.join(sp["c"]) + '"],"v":["' + '","'.join(sp["v"]) + '"]}'
    else:
        sum_proof = _PAIR_JSON % (sp["c"], sp["v"])
    group = json.dumps(d["group"], ensure_ascii=False)
    text = _BALLOT_JSON % (d["credential"], group, selections, sig["c"], sig["v"], sum_proof)
    return text.encode("utf-8")


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
    entry_where = f"{'ballot' if kind == bd.BALLOT else 'challenged ballot'} seq {entry.seq} (line {line})"
    check = "ballots" if kind == bd.BALLOT else "challenged"
    raw_ballot = payload if kind == bd.BALLOT else (payload.get("ballot") if isinstance(payload, dict) else None)
    ballot = fast_ballot_from_dict(raw_ballot)
    if ballot is not None:
        # Read by the fast path: ``raw_ballot`` is exactly the ballot's JSON form (see
        # ``fast_ballot_from_dict``), so its canonical JSON is the ballot's canonical bytes.
        canonical = fast_canonical_bytes(raw_ballot)
        payload_canonical = True
    else:
        try:
            ballot = ballot_from_dict(raw_ballot)
        except BallotError as exc:
            result.failures.append((check, f"{entry_where}: malformed ballot: {exc}"))
            return
        canonical = ballot_to_bytes(ballot)
        payload_canonical = kind != bd.BALLOT or bd.canonical_json_decoded(payload) == canonical
    # The tracking code in the messages is needed only when something fails.
    where = _Where(entry_where, canonical, ballot.credential)
    params = ctx.groups.get(ballot.group_id)
    if params is None:
        result.failures.append((check, f"{where}: unknown electoral group {ballot.group_id!r}"))
        return
    if kind == bd.BALLOT:
        if not payload_canonical:
            result.failures.append((check, f"{where}: payload is not the ballot's canonical form"))
        if entry.payload_hash != bd.ballot_hash(canonical):
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


class _Where:
    """The culprit's description in a failure message: entry, tracking code and credential, built on
    first use (formatting it, tracking code included, for every ballot would cost time for nothing)."""

    __slots__ = ("_canonical", "_credential", "_entry", "_text")

    def __init__(self, entry: str, canonical: bytes, credential: bytes) -> None:
        self._entry, self._canonical, self._credential = entry, canonical, credential
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            code = bd.tracking_code(self._canonical)
            self._text = f"{self._entry}, tracking code {code}, credential {self._credential.hex()[:16]}…"
        return self._text


def _check_challenge(payload: Any, ballot: Any, joint_key: g.Point, where: _Where, result: ChunkResult) -> None:
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
