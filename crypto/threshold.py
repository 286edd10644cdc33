"""The committee's threshold key: t-of-n key generation without a dealer, and threshold decryption.

Key generation (Pedersen's DKG over Feldman commitments), members numbered ``1 .. n``:

1. every member i draws a polynomial ``f_i`` of degree ``t-1`` and publishes only the *hash* of its
   coefficient commitments ``C_{i,k} = a_{i,k}·B``, so nobody can choose theirs after seeing others';
2. then every member reveals the commitments, each with a Schnorr proof bound to ``H_P``, i and k;
3. member i sends ``f_i(j)`` to member j encrypted (``crypto.keystore``); j checks
   ``f_i(j)·B = Σ_k j^k·C_{i,k}`` and complains publicly if not; i must then reveal the share, and a
   dealer whose revealed share is missing or wrong is disqualified;
4. with Q the qualified dealers, the joint key is ``Y = Σ_{i∈Q} C_{i,0}``, member j's secret share
   ``s_j = Σ_{i∈Q} f_i(j)`` and its public verification key ``Y_j = s_j·B = Σ_{i∈Q} Σ_k j^k·C_{i,k}``.

Decryption: member j publishes ``D_j = s_j·alpha`` with a Chaum-Pedersen proof that it used the
``s_j`` behind ``Y_j``; any t valid shares give ``s·alpha = Σ λ_j·D_j`` (Lagrange at 0), hence ``m·B``.
Fewer than t shares are refused, and mathematically determine nothing about ``s``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crypto import group as g
from crypto.dlog import DEFAULT_BOUND, solve
from crypto.elgamal import Ciphertext
from crypto.group import Point, Scalar
from crypto.proofs import (
    EqualityProof,
    ProofFormatError,
    SchnorrProof,
    prove_equal_dlog,
    prove_schnorr,
    verify_equal_dlog,
    verify_schnorr,
)
from crypto.transcript import digest

LABEL_DKG_COMMIT = "stembus/v1/dkg-commit"
LABEL_DKG_POK = "stembus/v1/dkg-pok"
LABEL_DECRYPTION = "stembus/v1/dec"

ScalarSource = Callable[[], Scalar]


class ThresholdError(ValueError):
    """A DKG message or a decryption share is malformed, or too few shares were given."""


@dataclass(frozen=True, slots=True)
class DkgParams:
    """``t`` of ``n`` members can decrypt; ``params_hash`` is ``H_P`` of the election."""

    n: int
    t: int
    params_hash: bytes

    def __post_init__(self) -> None:
        if not 1 <= self.t <= self.n:
            raise ThresholdError(f"threshold must lie in 1..n, got t={self.t}, n={self.n}")
        if len(self.params_hash) not in (32, 64):
            raise ThresholdError("the parameters hash is 32 or 64 bytes")


# --- phases 1 and 2: commitments -------------------------------------------------------------------


def new_polynomial(params: DkgParams, rng: ScalarSource = g.random_scalar) -> tuple[Scalar, ...]:
    """Return ``t`` fresh random coefficients ``a_0 .. a_{t-1}``; ``a_0`` is the member's secret."""
    return tuple(rng() for _ in range(params.t))


def commit_coefficients(coefficients: Sequence[Scalar]) -> tuple[Point, ...]:
    """Return the Feldman commitments ``C_k = a_k·B``."""
    return tuple(g.base_mul(a) for a in coefficients)


def commitment_hash(params: DkgParams, member: int, commitments: Sequence[Point]) -> bytes:
    """Phase 1 message: ``H("stembus/v1/dkg-commit", H_P, i, t, C_0, …, C_{t-1})`` (64 bytes)."""
    return digest(LABEL_DKG_COMMIT, params.params_hash, member, params.t, *commitments)


@dataclass(frozen=True, slots=True)
class Dealing:
    """Phase 2 message of member i: the commitments and a proof of knowledge for each."""

    member: int
    commitments: tuple[Point, ...]
    proofs: tuple[SchnorrProof, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form with hex values."""
        return {
            "member": self.member,
            "commitments": [c.hex() for c in self.commitments],
            "proofs": [p.to_dict() for p in self.proofs],
        }

    @classmethod
    def from_dict(cls, d: object, path: str = "dealing") -> Dealing:
        """Parse and validate (canonical, non-identity commitments; canonical proof scalars)."""
        m = _object(d, {"member", "commitments", "proofs"}, path)
        cs, ps = m["commitments"], m["proofs"]
        if not isinstance(cs, list) or not isinstance(ps, list) or len(cs) != len(ps) or not cs:
            raise ThresholdError(f"{path}: commitments and proofs are equally long lists")
        try:
            proofs = tuple(SchnorrProof.from_dict(p, f"{path}.proofs[{k}]") for k, p in enumerate(ps))
        except ProofFormatError as exc:
            raise ThresholdError(str(exc)) from None
        commitments = tuple(_point(c, f"{path}.commitments[{k}]") for k, c in enumerate(cs))
        return cls(_member(m["member"], f"{path}.member"), commitments, proofs)


def make_dealing(
    params: DkgParams, member: int, coefficients: Sequence[Scalar], rng: ScalarSource = g.random_scalar
) -> Dealing:
    """Build member i's phase-2 message. Proof k: Schnorr over context ``(H_P, i, k)``."""
    commitments = commit_coefficients(coefficients)
    proofs = tuple(
        prove_schnorr(a, c, label=LABEL_DKG_POK, context=(params.params_hash, member, k), rng=rng)
        for k, (a, c) in enumerate(zip(coefficients, commitments, strict=True))
    )
    return Dealing(member, commitments, proofs)


def check_dealing(params: DkgParams, dealing: Dealing, committed: bytes | None) -> list[str]:
    """Return what is wrong with a dealing given the member's phase-1 hash (empty: nothing)."""
    who = f"member {dealing.member}"
    if len(dealing.commitments) != params.t or len(dealing.proofs) != params.t:
        return [f"{who}: {len(dealing.commitments)} commitments, expected t={params.t}"]
    failures = []
    if committed is None:
        failures.append(f"{who}: no commitment hash was published in phase 1")
    elif commitment_hash(params, dealing.member, dealing.commitments) != committed:
        failures.append(f"{who}: commitments do not match the phase-1 commitment hash")
    for k, (c, proof) in enumerate(zip(dealing.commitments, dealing.proofs, strict=True)):
        ctx = (params.params_hash, dealing.member, k)
        if not verify_schnorr(c, proof, label=LABEL_DKG_POK, context=ctx):
            failures.append(f"{who}: proof of knowledge for commitment {k} does not verify")
    return failures


# --- phase 3: shares -------------------------------------------------------------------------------


def evaluate(coefficients: Sequence[Scalar], x: int) -> Scalar:
    """Return ``f(x) = Σ a_k·x^k mod L``: the share of member ``x``."""
    acc = 0
    for a in reversed(coefficients):
        acc = (acc * x + g.scalar_to_int(a)) % g.L
    return g.scalar_from_int(acc)


def share_commitment(commitments: Sequence[Point], j: int) -> Point:
    """Return ``Σ_k j^k·C_k``, which equals ``f(j)·B`` for an honest dealer."""
    acc = g.IDENTITY
    for k, c in enumerate(commitments):
        acc = g.add(acc, c if k == 0 else g.mul(g.scalar_from_int(j**k), c))
    return acc


def verify_share(dealing: Dealing, j: int, share: Scalar) -> bool:
    """True iff ``share`` is the value the dealer's commitments promise to member ``j``."""
    return g.base_mul(share) == share_commitment(dealing.commitments, j)


@dataclass(frozen=True, slots=True)
class Complaint:
    """Member ``accuser`` says the share from ``accused`` is missing or does not verify."""

    accuser: int
    accused: int


@dataclass(frozen=True, slots=True)
class RevealedShare:
    """The accused dealer's public answer to a complaint: the share itself."""

    dealer: int
    recipient: int
    share: Scalar


def qualified_dealers(
    params: DkgParams,
    commitment_hashes: Mapping[int, bytes],
    dealings: Mapping[int, Dealing],
    complaints: Iterable[Complaint],
    revealed: Iterable[RevealedShare],
) -> tuple[tuple[int, ...], list[str]]:
    """Return the qualified dealers and the reason each other member was disqualified."""
    reasons: list[str] = []
    answers = {(r.dealer, r.recipient): r.share for r in revealed}
    qual = []
    for i in range(1, params.n + 1):
        dealing = dealings.get(i)
        if dealing is None:
            reasons.append(f"member {i}: published no dealing")
            continue
        problems = check_dealing(params, dealing, commitment_hashes.get(i))
        for c in complaints:
            if c.accused != i:
                continue
            share = answers.get((i, c.accuser))
            if share is None:
                problems.append(f"member {i}: did not answer the complaint of member {c.accuser}")
            elif not verify_share(dealing, c.accuser, share):
                problems.append(f"member {i}: revealed share for member {c.accuser} is wrong")
        if problems:
            reasons += problems
        else:
            qual.append(i)
    return tuple(qual), reasons


def joint_key(dealings: Mapping[int, Dealing], qualified: Iterable[int]) -> Point:
    """Return ``Y = Σ_{i∈Q} C_{i,0}``."""
    acc = g.IDENTITY
    for i in qualified:
        acc = g.add(acc, dealings[i].commitments[0])
    return acc


def verification_key(dealings: Mapping[int, Dealing], qualified: Iterable[int], j: int) -> Point:
    """Return member j's public verification key ``Y_j = Σ_{i∈Q} Σ_k j^k·C_{i,k}``."""
    acc = g.IDENTITY
    for i in qualified:
        acc = g.add(acc, share_commitment(dealings[i].commitments, j))
    return acc


def combine_received_shares(shares: Iterable[Scalar]) -> Scalar:
    """Return member j's secret share ``s_j``: the sum of the shares from every qualified dealer."""
    return g.scalar_from_int(sum(g.scalar_to_int(s) for s in shares))


# --- decryption ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Member j's part of a decryption: ``D_j = s_j·alpha`` and the proof it used ``s_j``."""

    member: int
    factor: Point
    proof: EqualityProof

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"member": j, "factor": hex, "proof": {"c": hex, "v": hex}}``."""
        return {"member": self.member, "factor": self.factor.hex(), "proof": self.proof.to_dict()}

    @classmethod
    def from_dict(cls, d: object, path: str = "share") -> DecryptionShare:
        """Parse and validate; the factor must be a canonical non-identity element."""
        m = _object(d, {"member", "factor", "proof"}, path)
        try:
            proof = EqualityProof.from_dict(m["proof"], f"{path}.proof")
        except ProofFormatError as exc:
            raise ThresholdError(str(exc)) from None
        return cls(_member(m["member"], f"{path}.member"), _point(m["factor"], f"{path}.factor"), proof)


def make_decryption_share(
    election_hash: bytes,
    member: int,
    secret_share: Scalar,
    ct: Ciphertext,
    rng: ScalarSource = g.random_scalar,
) -> DecryptionShare:
    """Return member j's decryption share of ``ct`` with its Chaum-Pedersen proof.

    Proof over ``(B, Y_j, alpha, D_j)`` with context ``(H_E, j)``, label ``stembus/v1/dec``.
    """
    factor = g.mul(secret_share, ct.alpha)
    proof = prove_equal_dlog(
        secret_share,
        g.BASE,
        g.base_mul(secret_share),
        ct.alpha,
        factor,
        label=LABEL_DECRYPTION,
        context=(election_hash, member),
        rng=rng,
    )
    return DecryptionShare(member, factor, proof)


def verify_decryption_share(
    share: DecryptionShare, ct: Ciphertext, verification_key: Point, election_hash: bytes
) -> bool:
    """True iff ``share.factor = s_j·alpha`` for the ``s_j`` behind ``verification_key``."""
    return verify_equal_dlog(
        g.BASE,
        verification_key,
        ct.alpha,
        share.factor,
        share.proof,
        label=LABEL_DECRYPTION,
        context=(election_hash, share.member),
    )


def check_decryption_shares(
    shares: Iterable[DecryptionShare],
    ct: Ciphertext,
    verification_keys: Mapping[int, Point],
    election_hash: bytes,
) -> list[str]:
    """Verify each share against its member's ``Y_j``; return one message per bad share, naming it."""
    failures = []
    for share in shares:
        key = verification_keys.get(share.member)
        if key is None:
            failures.append(f"decryption share of member {share.member}: no such member")
        elif not verify_decryption_share(share, ct, key, election_hash):
            failures.append(
                f"decryption share of member {share.member}: the proof does not verify against Y_{share.member}"
            )
    return failures


def lagrange_at_zero(j: int, members: Sequence[int]) -> Scalar:
    """Return ``λ_j = Π_{m≠j} m / (m - j) mod L`` for interpolating at 0 over ``members``."""
    num, den = 1, 1
    for m in members:
        if m != j:
            num = num * m % g.L
            den = den * (m - j) % g.L
    return g.scalar_from_int(num * pow(den, -1, g.L))


def combine_decryption_shares(ct: Ciphertext, shares: Sequence[DecryptionShare], t: int) -> Point:
    """Return ``m·B`` from at least ``t`` shares of distinct members (which must be verified first).

    Raises ``ThresholdError`` for fewer than ``t`` distinct members: a combination of t-1 shares is
    not a decryption.
    """
    members = [s.member for s in shares]
    if len(set(members)) != len(members):
        raise ThresholdError("two decryption shares from the same member")
    if len(members) < t:
        raise ThresholdError(f"{len(members)} decryption shares, at least {t} are needed")
    acc = g.IDENTITY
    for s in shares:
        acc = g.add(acc, g.mul(lagrange_at_zero(s.member, members), s.factor))
    return g.sub(ct.beta, acc)


def decrypt_with_shares(ct: Ciphertext, shares: Sequence[DecryptionShare], t: int, bound: int = DEFAULT_BOUND) -> int:
    """Return the count in ``ct`` from ``t`` or more (verified) decryption shares."""
    return solve(combine_decryption_shares(ct, shares, t), bound)


# --- parsing helpers -------------------------------------------------------------------------------


def _object(d: object, keys: set[str], path: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping) or set(d) != keys:
        raise ThresholdError(f"{path}: expected an object with exactly {sorted(keys)}")
    return d


def _member(value: object, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ThresholdError(f"{path}: a member number is an integer from 1")
    return value


def _point(value: object, path: str) -> Point:
    try:
        return g.point_from_hex(value)  # type: ignore[arg-type]
    except g.GroupError as exc:
        raise ThresholdError(f"{path}: {exc}") from None
