"""An encrypted ballot for one electoral group (*kiesgroep*), its proofs and its credential signature.

The options are the group's candidates followed by one explicit *blank* option, always the last.
Per option the ballot holds an encryption of 0 or 1 with a 0/1 proof. On top of that:

* list system (*lijstenstelsel*): a Chaum-Pedersen proof that the sum of all options is exactly 1;
* person system (*personenstelsel*, up to ``k`` picks): a range proof that
  ``sum(candidates) + k·blank`` lies in ``1 .. k``, so blank excludes any candidate and an empty
  ballot must say blank.

The credential signature covers the election hash, the group, the system, every ciphertext and every
proof, with the public credential inside its challenge; every proof is bound to the credential too,
so neither a ballot nor a part of one can be replayed under another credential.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crypto import elgamal
from crypto import group as g
from crypto.credentials import Signature, sign, verify_signature
from crypto.elgamal import Ciphertext, CiphertextError
from crypto.group import Point, Scalar
from crypto.proofs import (
    DisjunctiveProof,
    EqualityProof,
    ProofFormatError,
    VoterContext,
    prove_exact_sum,
    prove_sum_range,
    prove_zero_one,
    verify_exact_sum,
    verify_sum_range,
    verify_zero_one,
)
from crypto.transcript import Part

BALLOT_VERSION = 1
LIST_SYSTEM = "list"
PERSON_SYSTEM = "person"
SYSTEMS = (LIST_SYSTEM, PERSON_SYSTEM)
_FIELDS = {"version", "group", "credential", "selections", "sum_proof", "signature"}

ScalarSource = Callable[[], Scalar]


class BallotError(ValueError):
    """A ballot is malformed or inconsistent; the message names the field."""


@dataclass(frozen=True, slots=True)
class Selection:
    """One option of the ballot: an encryption of 0 or 1 and the proof that it is one of them."""

    ciphertext: Ciphertext
    proof: DisjunctiveProof


@dataclass(frozen=True, slots=True)
class Ballot:
    """An encrypted, proved and signed ballot. Only the voter's device ever knows its plaintext."""

    group_id: str
    credential: Point
    selections: tuple[Selection, ...]
    sum_proof: EqualityProof | DisjunctiveProof
    signature: Signature

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (all group values as lower-case hex)."""
        return {
            "version": BALLOT_VERSION,
            "group": self.group_id,
            "credential": self.credential.hex(),
            "selections": [{"ciphertext": s.ciphertext.to_dict(), "proof": s.proof.to_dict()} for s in self.selections],
            "sum_proof": self.sum_proof.to_dict(),
            "signature": self.signature.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class BallotSecrets:
    """What the voter's device keeps until it casts: the choices and each option's randomness."""

    choices: tuple[int, ...]
    randomness: tuple[Scalar, ...]

    def reveal(self) -> dict[str, Any]:
        """The Benaloh-challenge disclosure: ``{"choices": [0|1, ...], "randomness": [hex, ...]}``."""
        return {"choices": list(self.choices), "randomness": [r.hex() for r in self.randomness]}


def ballot_to_bytes(ballot: Ballot) -> bytes:
    """The canonical bytes of a ballot: JSON with sorted keys, no whitespace, UTF-8.

    One ballot has exactly one such encoding (all values are canonical), so these bytes give it one
    tracking code.
    """
    return json.dumps(ballot.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _weights(n_options: int, system: str, k: int) -> list[int]:
    if system == LIST_SYSTEM:
        return [1] * n_options
    return [1] * (n_options - 1) + [k]


def _check_shape(n_options: int, system: str, k: int) -> None:
    if system not in SYSTEMS:
        raise BallotError(f"unknown electoral system {system!r}")
    if n_options < 2:
        raise BallotError("a ballot needs at least one candidate and the blank option")
    if system == PERSON_SYSTEM and not 1 <= k <= n_options - 1:
        raise BallotError(f"k must lie in 1..{n_options - 1}, got {k}")
    if system == LIST_SYSTEM and k != 1:
        # Domain 5.2: in the list system every voter casts exactly one vote.
        raise BallotError(f"a list-system ballot has k = 1, got {k}")


def signed_parts(
    group_id: str,
    system: str,
    k: int,
    selections: Sequence[Selection],
    sum_proof: EqualityProof | DisjunctiveProof,
) -> list[Part]:
    """The parts the credential signs, after ``H_E`` (see docs/protocol.md, "Ballot signature")."""
    parts: list[Part] = [group_id, system, k, len(selections)]
    for s in selections:
        parts += [s.ciphertext.alpha, s.ciphertext.beta, *s.proof.challenges, *s.proof.responses]
    if isinstance(sum_proof, EqualityProof):
        parts += [sum_proof.challenge, sum_proof.response]
    else:
        parts += [*sum_proof.challenges, *sum_proof.responses]
    return parts


def encrypt_ballot(
    choices: Sequence[int],
    *,
    joint_key: Point,
    election_hash: bytes,
    group_id: str,
    credential_secret: Scalar,
    system: str,
    k: int = 1,
    rng: ScalarSource = g.random_scalar,
) -> tuple[Ballot, BallotSecrets]:
    """Encrypt, prove and sign ``choices`` (one 0 or 1 per option, blank last).

    Returns the ballot and the secrets a Benaloh challenge reveals. Raises ``BallotError`` if the
    choices do not form a valid vote under ``system`` and ``k``.
    """
    n = len(choices)
    _check_shape(n, system, k)
    if any(m not in (0, 1) for m in choices):
        raise BallotError("each option is chosen (1) or not (0)")
    weights = _weights(n, system, k)
    weighted = sum(w * m for w, m in zip(weights, choices, strict=True))
    if system == LIST_SYSTEM and weighted != 1:
        raise BallotError("the list system takes exactly one option (blank included)")
    if system == PERSON_SYSTEM and not 1 <= weighted <= k:
        raise BallotError(f"choose 1..{k} candidates, or blank alone")
    voter = VoterContext(election_hash, g.base_mul(credential_secret), group_id)
    selections, rs = [], []
    for i, m in enumerate(choices):
        ct, r = elgamal.encrypt(joint_key, m, rng=rng)
        selections.append(Selection(ct, prove_zero_one(ct, m, r, joint_key, voter, i, rng=rng)))
        rs.append(r)
    total, r_total = _weighted_total([s.ciphertext for s in selections], weights, rs)
    sum_proof: EqualityProof | DisjunctiveProof
    if system == LIST_SYSTEM:
        sum_proof = prove_exact_sum(total, r_total, joint_key, voter, n, rng=rng)
    else:
        sum_proof = prove_sum_range(total, weighted, r_total, joint_key, voter, n, 1, k, rng=rng)
    parts = signed_parts(group_id, system, k, selections, sum_proof)
    signature = sign(credential_secret, election_hash, *parts, rng=rng)
    ballot = Ballot(group_id, voter.credential, tuple(selections), sum_proof, signature)
    return ballot, BallotSecrets(tuple(choices), tuple(rs))


def _weighted_total(
    cts: Sequence[Ciphertext], weights: Sequence[int], rs: Sequence[Scalar] | None = None
) -> tuple[Ciphertext, Scalar]:
    blank = cts[-1] if weights[-1] == 1 else elgamal.scale(weights[-1], cts[-1])
    total = elgamal.sum_ciphertexts([*cts[:-1], blank])
    r_total = g.ZERO
    if rs is not None:
        acc = sum(w * g.scalar_to_int(r) for w, r in zip(weights, rs, strict=True))
        r_total = g.scalar_from_int(acc)
    return total, r_total


def verify_ballot(
    ballot: Ballot,
    *,
    election_hash: bytes,
    group_id: str,
    n_options: int,
    k: int,
    system: str,
    joint_key: Point,
) -> list[str]:
    """Check every proof and the signature of a parsed ballot; return the failures (empty: valid).

    Each failure names the field, e.g. ``"selections[3].proof: not an encryption of 0 or 1"``.
    Eligibility (is the credential listed, is it used once) is the record verifier's job.
    """
    _check_shape(n_options, system, k)
    if ballot.group_id != group_id:
        return [f"group: ballot is for {ballot.group_id!r}, expected {group_id!r}"]
    if len(ballot.selections) != n_options:
        return [f"selections: {len(ballot.selections)} options, expected {n_options}"]
    failures: list[str] = []
    voter = VoterContext(election_hash, ballot.credential, group_id)
    for i, s in enumerate(ballot.selections):
        if not verify_zero_one(s.ciphertext, s.proof, joint_key, voter, i):
            failures.append(f"selections[{i}].proof: not a proof that the option holds 0 or 1")
    total, _ = _weighted_total([s.ciphertext for s in ballot.selections], _weights(n_options, system, k))
    proof = ballot.sum_proof
    if system == LIST_SYSTEM:
        if not isinstance(proof, EqualityProof):
            failures.append("sum_proof: the list system needs an exact-sum proof {c, v}")
        elif not verify_exact_sum(total, proof, joint_key, voter, n_options):
            failures.append("sum_proof: not a proof that exactly one option is chosen")
    elif not isinstance(proof, DisjunctiveProof) or len(proof.challenges) != k:
        failures.append(f"sum_proof: the person system needs a range proof with {k} branches")
    elif not verify_sum_range(total, proof, joint_key, voter, n_options, 1, k):
        failures.append(f"sum_proof: not a proof that 1..{k} candidates or blank are chosen")
    parts = signed_parts(group_id, system, k, ballot.selections, proof)
    if not verify_signature(ballot.credential, ballot.signature, election_hash, *parts):
        failures.append("signature: not a signature by the ballot's credential")
    return failures


def check_revealed(ballot: Ballot, revealed: Mapping[str, Any] | BallotSecrets, *, joint_key: Point) -> tuple[int, ...]:
    """Check a Benaloh disclosure against the ballot and return the choices it encrypts.

    Every ciphertext is recomputed from the revealed choice and randomness; raises ``BallotError``
    naming the first option that does not match.
    """
    if isinstance(revealed, BallotSecrets):
        choices, rs = revealed.choices, revealed.randomness
    else:
        if not isinstance(revealed, Mapping) or set(revealed) != {"choices", "randomness"}:
            raise BallotError("a disclosure has exactly 'choices' and 'randomness'")
        raw_c, raw_r = revealed["choices"], revealed["randomness"]
        if not isinstance(raw_c, list) or not isinstance(raw_r, list):
            raise BallotError("'choices' and 'randomness' are lists")
        choices = tuple(raw_c)
        try:
            rs = tuple(g.scalar_from_hex(r) for r in raw_r)
        except g.GroupError as exc:
            raise BallotError(f"randomness: {exc}") from None
    if len(choices) != len(ballot.selections) or len(rs) != len(ballot.selections):
        raise BallotError("the disclosure does not cover every option")
    for i, (m, r, s) in enumerate(zip(choices, rs, ballot.selections, strict=True)):
        if m not in (0, 1) or isinstance(m, bool):
            raise BallotError(f"choices[{i}]: must be 0 or 1")
        try:
            ct, _ = elgamal.encrypt(joint_key, m, r)
        except ValueError:
            raise BallotError(f"randomness[{i}]: zero randomness") from None
        if ct != s.ciphertext:
            raise BallotError(f"selections[{i}]: the revealed choice and randomness do not match")
    return tuple(choices)


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    value = d[key]
    if not isinstance(value, list):
        raise BallotError(f"{key}: expected a list")
    return value


def ballot_from_dict(d: object) -> Ballot:
    """Parse and validate a ballot's JSON form; every group element and scalar must be canonical.

    Raises ``BallotError`` naming the first bad field (``selections[2].ciphertext.alpha: ...``).
    """
    if not isinstance(d, Mapping):
        raise BallotError("a ballot is a JSON object")
    if set(d) != _FIELDS:
        raise BallotError(f"a ballot has exactly the fields {sorted(_FIELDS)}, got {sorted(d)}")
    if d["version"] != BALLOT_VERSION or isinstance(d["version"], bool):
        raise BallotError(f"version: unsupported ballot version {d['version']!r}")
    group_id = d["group"]
    if not isinstance(group_id, str) or not group_id:
        raise BallotError("group: expected a non-empty string")
    try:
        credential = g.point_from_hex(d["credential"])
    except g.GroupError as exc:
        raise BallotError(f"credential: {exc}") from None
    raw = _list(d, "selections")
    if len(raw) < 2:
        raise BallotError("selections: at least one candidate and the blank option")
    selections = tuple(_selection(s, f"selections[{i}]") for i, s in enumerate(raw))
    sp = d["sum_proof"]
    try:
        sum_proof: EqualityProof | DisjunctiveProof
        if isinstance(sp, Mapping) and isinstance(sp.get("c"), list):
            sum_proof = DisjunctiveProof.from_dict(sp, "sum_proof")
        else:
            sum_proof = EqualityProof.from_dict(sp, "sum_proof")
        signature = Signature.from_dict(d["signature"], "signature")
    except ProofFormatError as exc:
        raise BallotError(str(exc)) from None
    return Ballot(group_id, credential, selections, sum_proof, signature)


def _selection(d: object, path: str) -> Selection:
    if not isinstance(d, Mapping) or set(d) != {"ciphertext", "proof"}:
        raise BallotError(f"{path}: expected exactly 'ciphertext' and 'proof'")
    try:
        ct = Ciphertext.from_dict(d["ciphertext"])
    except CiphertextError as exc:
        raise BallotError(f"{path}.ciphertext.{exc}") from None
    try:
        proof = DisjunctiveProof.from_dict(d["proof"], f"{path}.proof")
    except ProofFormatError as exc:
        raise BallotError(str(exc)) from None
    if len(proof.challenges) != 2:
        raise BallotError(f"{path}.proof: a 0/1 proof has exactly two branches")
    return Selection(ct, proof)
