"""Non-interactive zero-knowledge proofs over ristretto255, in compact (challenge, response) form.

Every proof here uses one convention: the prover picks a nonce ``w``, commits ``A = w·G``, derives
the challenge ``c`` from the transcript hash of the label, the caller's context, the whole statement
and the commitments, and answers ``v = w - c·x mod L``. The verifier recomputes ``A = v·G + c·(x·G)``
and accepts when the challenge recomputes. The exact transcript of each proof is in
docs/protocol.md.

Convention for callers: ``verify_*`` returns ``True`` or ``False`` and never raises on a bad proof;
malformed serialised input is refused earlier by ``from_dict`` with a ``ProofFormatError`` naming the
field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from crypto import fastgroup as fg
from crypto import group as g
from crypto.elgamal import Ciphertext, encode_count
from crypto.group import Point, Scalar
from crypto.transcript import Part, hash_to_scalar, transcript_bytes

ScalarSource = Callable[[], Scalar]

LABEL_ZERO_ONE = "stembus/v1/proof01"
LABEL_EXACT_SUM = "stembus/v1/sum"
LABEL_SUM_RANGE = "stembus/v1/sum-range"

_P = TypeVar("_P", bound="_ChallengeResponse")


class ProofFormatError(ValueError):
    """A serialised proof is malformed; the message names the offending field."""


def parse_scalar(value: object, path: str) -> Scalar:
    """Read a hex scalar field, raising ``ProofFormatError`` that names ``path``."""
    try:
        return g.scalar_from_hex(value)  # type: ignore[arg-type]
    except g.GroupError as exc:
        raise ProofFormatError(f"{path}: {exc}") from None


def _expect_keys(d: object, keys: set[str], path: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise ProofFormatError(f"{path}: expected an object")
    if set(d) != keys:
        raise ProofFormatError(f"{path}: expected exactly the fields {sorted(keys)}, got {sorted(d)}")
    return d


@dataclass(frozen=True, slots=True)
class _ChallengeResponse:
    challenge: Scalar
    response: Scalar

    def to_dict(self) -> dict[str, str]:
        """Return ``{"c": hex, "v": hex}``."""
        return {"c": self.challenge.hex(), "v": self.response.hex()}

    @classmethod
    def from_dict(cls: type[_P], d: object, path: str = "proof") -> _P:
        """Parse and validate; both scalars must be canonical."""
        m = _expect_keys(d, {"c", "v"}, path)
        return cls(parse_scalar(m["c"], f"{path}.c"), parse_scalar(m["v"], f"{path}.v"))


class SchnorrProof(_ChallengeResponse):
    """Proof of knowledge of ``x`` with ``P = x·B``."""

    __slots__ = ()


class EqualityProof(_ChallengeResponse):
    """Chaum-Pedersen proof that ``h1 = x·g1`` and ``h2 = x·g2`` for one ``x``."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """Proof that a ciphertext encrypts one of ``lo .. hi``: one (challenge, response) per value."""

    challenges: tuple[Scalar, ...]
    responses: tuple[Scalar, ...]

    def to_dict(self) -> dict[str, list[str]]:
        """Return ``{"c": [hex, ...], "v": [hex, ...]}`` in the order ``lo .. hi``."""
        return {"c": [c.hex() for c in self.challenges], "v": [v.hex() for v in self.responses]}

    @classmethod
    def from_dict(cls, d: object, path: str = "proof") -> DisjunctiveProof:
        """Parse and validate; two equally long, non-empty lists of canonical scalars."""
        m = _expect_keys(d, {"c", "v"}, path)
        cs, vs = m["c"], m["v"]
        if not isinstance(cs, list) or not isinstance(vs, list):
            raise ProofFormatError(f"{path}: 'c' and 'v' must be lists")
        if len(cs) != len(vs) or not cs:
            raise ProofFormatError(f"{path}: 'c' and 'v' must have the same length, at least 1")
        return cls(
            tuple(parse_scalar(c, f"{path}.c[{i}]") for i, c in enumerate(cs)),
            tuple(parse_scalar(v, f"{path}.v[{i}]") for i, v in enumerate(vs)),
        )


# --- Schnorr proof of knowledge -----------------------------------------------------------------


def prove_schnorr(
    secret: Scalar,
    public: Point,
    *,
    label: str,
    context: Sequence[Part],
    rng: ScalarSource = g.random_scalar,
) -> SchnorrProof:
    """Prove knowledge of ``secret`` with ``public = secret·B``, bound to ``label`` and ``context``.

    Challenge: ``c = H(label, *context, public, A)`` with ``A = w·B``.
    """
    w = rng()
    a = g.base_mul(w)
    c = hash_to_scalar(label, *context, public, a)
    return SchnorrProof(c, g.scalar_sub(w, g.scalar_mul(c, secret)))


def verify_schnorr(public: Point, proof: SchnorrProof, *, label: str, context: Sequence[Part]) -> bool:
    """True iff ``proof`` shows knowledge of the discrete log of ``public`` for this context."""
    try:
        a = _two_term(proof.response, g.BASE, proof.challenge, public)
    except g.GroupError:
        return False
    return hash_to_scalar(label, *context, public, a) == proof.challenge


# --- Chaum-Pedersen equality of discrete logs ---------------------------------------------------


def _mul_any(s: Scalar, p: Point) -> Point:
    return g.base_mul(s) if p == g.BASE else g.mul(s, p)


def _two_term(v: Scalar, p: Point, c: Scalar, q: Point) -> Point:
    """``v·P + c·Q`` for a verifier: public inputs only, so libdecaf's variable-time code may be used."""
    if not fg.AVAILABLE:
        return g.add(_mul_any(v, p), g.mul(c, q))
    fq = fg.decode(q)
    if p == g.BASE:
        return Point(fg.base_combine_encoded(v, fq, c))
    table = fg.cached_table(p)
    if table is not None:
        return Point(fg.table_base_combine_encoded(table, v, g.ZERO, fq, c))
    return Point(fg.encode(fg.add(fg.mul(v, fg.decode(p)), fg.mul(c, fq))))


def prove_equal_dlog(
    secret: Scalar,
    g1: Point,
    h1: Point,
    g2: Point,
    h2: Point,
    *,
    label: str,
    context: Sequence[Part],
    rng: ScalarSource = g.random_scalar,
) -> EqualityProof:
    """Prove ``h1 = secret·g1`` and ``h2 = secret·g2``.

    Challenge: ``c = H(label, *context, g1, h1, g2, h2, a1, a2)`` with ``a_i = w·g_i``.
    """
    w = rng()
    a1, a2 = _mul_any(w, g1), _mul_any(w, g2)
    c = hash_to_scalar(label, *context, g1, h1, g2, h2, a1, a2)
    return EqualityProof(c, g.scalar_sub(w, g.scalar_mul(c, secret)))


def verify_equal_dlog(
    g1: Point,
    h1: Point,
    g2: Point,
    h2: Point,
    proof: EqualityProof,
    *,
    label: str,
    context: Sequence[Part],
) -> bool:
    """True iff ``proof`` shows ``log_g1 h1 = log_g2 h2`` for this label and context."""
    c, v = proof.challenge, proof.response
    try:
        a1 = _two_term(v, g1, c, h1)
        a2 = _two_term(v, g2, c, h2)
    except g.GroupError:
        return False
    return hash_to_scalar(label, *context, g1, h1, g2, h2, a1, a2) == c


# --- disjunctive range proof on an ElGamal ciphertext -------------------------------------------


def prove_range(
    ct: Ciphertext,
    m: int,
    r: Scalar,
    joint_key: Point,
    lo: int,
    hi: int,
    *,
    label: str,
    context: Sequence[Part],
    rng: ScalarSource = g.random_scalar,
) -> DisjunctiveProof:
    """Prove that ``ct = (r·B, m·B + r·Y)`` encrypts some value in ``lo .. hi`` without saying which.

    Branch j claims ``(alpha, beta - j·B) = r·(B, Y)``. The real branch is proved, every other one
    simulated. Challenge: ``c = H(label, *context, Y, alpha, beta, lo, hi, a_lo, b_lo, …, a_hi, b_hi)``
    and the branch challenges must sum to ``c``.
    """
    if not 0 <= lo <= m <= hi:
        raise ValueError(f"cannot prove {m} lies in {lo}..{hi}")
    commitments: list[Part] = []
    cs: list[Scalar] = []
    vs: list[Scalar] = []
    w = g.ZERO
    for j in range(lo, hi + 1):
        if j == m:
            w = rng()
            commitments += [g.base_mul(w), g.mul(w, joint_key)]
            cs.append(g.ZERO)
            vs.append(g.ZERO)
        else:
            cj, vj = rng(), rng()
            shifted = g.sub(ct.beta, encode_count(j))
            commitments += [
                g.add(g.base_mul(vj), g.mul(cj, ct.alpha)),
                g.add(g.mul(vj, joint_key), g.mul(cj, shifted)),
            ]
            cs.append(cj)
            vs.append(vj)
    c = hash_to_scalar(label, *context, joint_key, ct.alpha, ct.beta, lo, hi, *commitments)
    real = m - lo
    cm = c
    for j, cj in enumerate(cs):
        if j != real:
            cm = g.scalar_sub(cm, cj)
    cs[real] = cm
    vs[real] = g.scalar_sub(w, g.scalar_mul(cm, r))
    return DisjunctiveProof(tuple(cs), tuple(vs))


def verify_range(
    ct: Ciphertext,
    proof: DisjunctiveProof,
    joint_key: Point,
    lo: int,
    hi: int,
    *,
    label: str,
    context: Sequence[Part],
) -> bool:
    """True iff ``proof`` shows ``ct`` encrypts a value in ``lo .. hi`` under ``joint_key``."""
    n = hi - lo + 1
    if lo < 0 or n < 1 or len(proof.challenges) != n or len(proof.responses) != n:
        return False
    commitments: Sequence[Part]
    try:
        if fg.AVAILABLE:
            commitments = _range_commitments_fast(ct, proof, joint_key, lo, hi)
        else:
            commitments = _range_commitments(ct, proof, joint_key, lo, hi)
    except g.GroupError:
        return False
    total = sum(int.from_bytes(cj, "little") for cj in proof.challenges)
    return g.scalar_from_int(total) == _range_challenge(label, context, joint_key, ct, lo, hi, commitments)


_LEN32 = (32).to_bytes(4, "big")
_LEN8 = (8).to_bytes(4, "big")
_head_memo: tuple[tuple[Part, ...], bytes] = ((), b"")


def _range_challenge(
    label: str,
    context: Sequence[Part],
    joint_key: Point,
    ct: Ciphertext,
    lo: int,
    hi: int,
    commitments: Sequence[Part],
) -> Scalar:
    """``hash_to_scalar(label, *context, joint_key, ct.alpha, ct.beta, lo, hi, *commitments)``, the same
    bytes hashed, built faster for the usual shapes.

    The transcript of ``label`` and every context part but the last (``H_E``, the credential and the
    group for every proof of one ballot) is kept from the previous call; the remaining parts are
    framed here exactly as ``crypto.transcript`` frames them (32-byte parts and 8-byte integers, each
    after its 4-byte length). Any other shape goes through ``hash_to_scalar`` itself.
    """
    global _head_memo
    fixed = (joint_key, ct.alpha, ct.beta)
    key = (label, *context[:-1])
    last = context[-1] if context else None
    # The commitments come from ``_range_commitments*``: 32-byte encodings, always.
    if (
        type(last) is not int
        or not 0 <= last < 2**64
        or not 0 <= lo <= hi < 2**64
        or not all(type(p) is bytes and len(p) == 32 for p in fixed)
        or not all(type(p) is bytes or type(p) is str for p in key)
    ):
        return hash_to_scalar(label, *context, joint_key, ct.alpha, ct.beta, lo, hi, *commitments)
    memo = _head_memo
    if memo[0] == key:
        head = memo[1]
    else:
        head = transcript_bytes(label, *context[:-1])
        _head_memo = (key, head)
    data = b"".join(
        (
            head,
            _LEN8,
            last.to_bytes(8, "big"),
            _LEN32,
            _LEN32.join(fixed),
            _LEN8,
            lo.to_bytes(8, "big"),
            _LEN8,
            hi.to_bytes(8, "big"),
            _LEN32,
            _LEN32.join(commitments),  # type: ignore[arg-type]  # 32-byte encodings (see above)
        )
    )
    return g.scalar_from_wide(hashlib.sha512(data).digest())


def _range_commitments(ct: Ciphertext, proof: DisjunctiveProof, joint_key: Point, lo: int, hi: int) -> list[Part]:
    """Branch j: ``a_j = v_j·B + c_j·alpha`` and ``b_j = v_j·Y + c_j·(beta - j·B)`` (libsodium)."""
    commitments: list[Part] = []
    for j, cj, vj in zip(range(lo, hi + 1), proof.challenges, proof.responses, strict=True):
        shifted = ct.beta if j == 0 else g.sub(ct.beta, encode_count(j))
        commitments.append(g.add(g.base_mul(vj), g.mul(cj, ct.alpha)))
        commitments.append(g.add(g.mul(vj, joint_key), g.mul(cj, shifted)))
    return commitments


def _range_commitments_fast(ct: Ciphertext, proof: DisjunctiveProof, joint_key: Point, lo: int, hi: int) -> list[bytes]:
    """The same commitments through libdecaf.

    ``b_j`` is computed as ``v_j·Y + (c_j·beta - (j·c_j)·B)``: the table for ``Y`` is shared by every
    proof of the election, and the second term is one variable-time double multiplication.
    """
    alpha, beta = fg.decode(ct.alpha), fg.decode(ct.beta)
    return fg.branch_commitments(fg.table(joint_key), alpha, beta, lo, proof.challenges, proof.responses)


# --- the ballot's proofs, bound to the voter ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoterContext:
    """What every ballot proof is bound to: the election, the voter's public credential, the group.

    Binding the credential stops a ballot (or one of its proofs) being replayed under another one.
    """

    election_hash: bytes
    credential: Point
    group_id: str

    def __post_init__(self) -> None:
        if len(self.election_hash) not in (32, 64):
            raise ValueError("the election hash is 32 or 64 bytes")

    def parts(self) -> tuple[Part, ...]:
        """The leading transcript parts of every ballot proof: ``H_E, X, group id``."""
        return (self.election_hash, self.credential, self.group_id)


def prove_zero_one(
    ct: Ciphertext,
    m: int,
    r: Scalar,
    joint_key: Point,
    voter: VoterContext,
    option: int,
    *,
    rng: ScalarSource = g.random_scalar,
) -> DisjunctiveProof:
    """Prove that the ciphertext for ``option`` encrypts 0 or 1."""
    return prove_range(ct, m, r, joint_key, 0, 1, label=LABEL_ZERO_ONE, context=(*voter.parts(), option), rng=rng)


def verify_zero_one(
    ct: Ciphertext, proof: DisjunctiveProof, joint_key: Point, voter: VoterContext, option: int
) -> bool:
    """True iff the ciphertext for ``option`` provably encrypts 0 or 1 for this voter."""
    return verify_range(ct, proof, joint_key, 0, 1, label=LABEL_ZERO_ONE, context=(*voter.parts(), option))


def prove_exact_sum(
    total: Ciphertext,
    r_total: Scalar,
    joint_key: Point,
    voter: VoterContext,
    n_options: int,
    expected: int = 1,
    *,
    rng: ScalarSource = g.random_scalar,
) -> EqualityProof:
    """Prove that ``total`` (the sum of the ballot's option ciphertexts) encrypts ``expected``.

    A Chaum-Pedersen proof that ``(alpha, beta - expected·B) = r_total·(B, Y)``.
    """
    return prove_equal_dlog(
        r_total,
        g.BASE,
        total.alpha,
        joint_key,
        g.sub(total.beta, encode_count(expected)),
        label=LABEL_EXACT_SUM,
        context=(*voter.parts(), n_options, expected),
        rng=rng,
    )


def verify_exact_sum(
    total: Ciphertext,
    proof: EqualityProof,
    joint_key: Point,
    voter: VoterContext,
    n_options: int,
    expected: int = 1,
) -> bool:
    """True iff ``total`` provably encrypts exactly ``expected``."""
    try:
        shifted = g.sub(total.beta, encode_count(expected))
    except g.GroupError:
        return False
    return verify_equal_dlog(
        g.BASE,
        total.alpha,
        joint_key,
        shifted,
        proof,
        label=LABEL_EXACT_SUM,
        context=(*voter.parts(), n_options, expected),
    )


def prove_sum_range(
    total: Ciphertext,
    m: int,
    r_total: Scalar,
    joint_key: Point,
    voter: VoterContext,
    n_options: int,
    lo: int,
    hi: int,
    *,
    rng: ScalarSource = g.random_scalar,
) -> DisjunctiveProof:
    """Prove that the ballot's (weighted) sum ciphertext encrypts a value in ``lo .. hi``."""
    return prove_range(
        total,
        m,
        r_total,
        joint_key,
        lo,
        hi,
        label=LABEL_SUM_RANGE,
        context=(*voter.parts(), n_options),
        rng=rng,
    )


def verify_sum_range(
    total: Ciphertext,
    proof: DisjunctiveProof,
    joint_key: Point,
    voter: VoterContext,
    n_options: int,
    lo: int,
    hi: int,
) -> bool:
    """True iff the ballot's (weighted) sum ciphertext provably encrypts a value in ``lo .. hi``."""
    return verify_range(total, proof, joint_key, lo, hi, label=LABEL_SUM_RANGE, context=(*voter.parts(), n_options))
