"""Zero-knowledge proofs: completeness, binding to context, and rejection of every tampered field."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import elgamal as e
from crypto import fastgroup as fg
from crypto import group as g
from crypto import proofs as p

SECRET, Y = e.keypair()
H_E = bytes(range(32))
VOTER = p.VoterContext(H_E, g.base_mul(g.scalar_from_int(77)), "g-1")
OTHER_VOTER = p.VoterContext(H_E, g.base_mul(g.scalar_from_int(78)), "g-1")


def bump(s: g.Scalar) -> g.Scalar:
    return g.scalar_add(s, g.ONE)


def tampered_disjunctive(proof: p.DisjunctiveProof) -> list[p.DisjunctiveProof]:
    out = []
    for i in range(len(proof.challenges)):
        cs, vs = list(proof.challenges), list(proof.responses)
        cs[i] = bump(cs[i])
        out.append(p.DisjunctiveProof(tuple(cs), proof.responses))
        vs[i] = bump(vs[i])
        out.append(p.DisjunctiveProof(proof.challenges, tuple(vs)))
    return out


# --- Schnorr -------------------------------------------------------------------------------------


def test_schnorr_completeness_and_context_binding() -> None:
    x = g.random_scalar()
    pub = g.base_mul(x)
    proof = p.prove_schnorr(x, pub, label="stembus/v1/dkg-pok", context=(b"hp", 1, 0))
    assert p.verify_schnorr(pub, proof, label="stembus/v1/dkg-pok", context=(b"hp", 1, 0))
    assert not p.verify_schnorr(pub, proof, label="stembus/v1/dkg-pok", context=(b"hp", 1, 1))
    assert not p.verify_schnorr(pub, proof, label="stembus/v1/other", context=(b"hp", 1, 0))
    assert not p.verify_schnorr(g.add(pub, g.BASE), proof, label="stembus/v1/dkg-pok", context=(b"hp", 1, 0))
    for field in ("challenge", "response"):
        bad = dataclasses.replace(proof, **{field: bump(getattr(proof, field))})
        assert not p.verify_schnorr(pub, bad, label="stembus/v1/dkg-pok", context=(b"hp", 1, 0))


def test_schnorr_proof_with_wrong_secret_fails() -> None:
    pub = g.base_mul(g.scalar_from_int(5))
    proof = p.prove_schnorr(g.scalar_from_int(6), pub, label="stembus/v1/x", context=())
    assert not p.verify_schnorr(pub, proof, label="stembus/v1/x", context=())


# --- Chaum-Pedersen ------------------------------------------------------------------------------


def test_equality_proof_completeness_and_tampering() -> None:
    x = g.random_scalar()
    h = g.hash_to_point(b"stembus/v1/test/h")
    args = (g.BASE, g.base_mul(x), h, g.mul(x, h))
    proof = p.prove_equal_dlog(x, *args, label="stembus/v1/dec", context=(H_E, 2))
    assert p.verify_equal_dlog(*args, proof, label="stembus/v1/dec", context=(H_E, 2))
    assert not p.verify_equal_dlog(*args, proof, label="stembus/v1/dec", context=(H_E, 3))
    for field in ("challenge", "response"):
        bad = dataclasses.replace(proof, **{field: bump(getattr(proof, field))})
        assert not p.verify_equal_dlog(*args, bad, label="stembus/v1/dec", context=(H_E, 2))
    for i in range(4):
        m = list(args)
        m[i] = g.add(m[i], g.BASE)
        assert not p.verify_equal_dlog(m[0], m[1], m[2], m[3], proof, label="stembus/v1/dec", context=(H_E, 2))


def test_equality_proof_for_unequal_logs_fails() -> None:
    x = g.random_scalar()
    h = g.hash_to_point(b"stembus/v1/test/h")
    args = (g.BASE, g.base_mul(x), h, g.mul(bump(x), h))
    proof = p.prove_equal_dlog(x, *args, label="stembus/v1/dec", context=())
    assert not p.verify_equal_dlog(*args, proof, label="stembus/v1/dec", context=())


# --- 0/1 and range proofs ----------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=1), st.integers(min_value=0, max_value=40))
def test_zero_one_completeness(m: int, option: int) -> None:
    ct, r = e.encrypt(Y, m)
    proof = p.prove_zero_one(ct, m, r, Y, VOTER, option)
    assert p.verify_zero_one(ct, proof, Y, VOTER, option)


def test_zero_one_proof_is_bound_to_credential_option_group_election_and_key() -> None:
    ct, r = e.encrypt(Y, 1)
    proof = p.prove_zero_one(ct, 1, r, Y, VOTER, 3)
    assert not p.verify_zero_one(ct, proof, Y, OTHER_VOTER, 3)
    assert not p.verify_zero_one(ct, proof, Y, VOTER, 4)
    assert not p.verify_zero_one(ct, proof, Y, dataclasses.replace(VOTER, group_id="g-2"), 3)
    assert not p.verify_zero_one(ct, proof, Y, dataclasses.replace(VOTER, election_hash=bytes(32)), 3)
    assert not p.verify_zero_one(ct, proof, g.add(Y, g.BASE), VOTER, 3)


def test_every_tampered_field_of_a_zero_one_proof_is_rejected() -> None:
    ct, r = e.encrypt(Y, 0)
    proof = p.prove_zero_one(ct, 0, r, Y, VOTER, 0)
    for bad in tampered_disjunctive(proof):
        assert not p.verify_zero_one(ct, bad, Y, VOTER, 0)
    for field in ("alpha", "beta"):
        moved = dataclasses.replace(ct, **{field: g.add(getattr(ct, field), g.BASE)})
        assert not p.verify_zero_one(moved, proof, Y, VOTER, 0)


def test_an_encryption_of_two_cannot_carry_a_valid_zero_one_proof() -> None:
    ct2, r2 = e.encrypt(Y, 2)
    with pytest.raises(ValueError):
        p.prove_zero_one(ct2, 2, r2, Y, VOTER, 0)
    ct1, r1 = e.encrypt(Y, 1)
    borrowed = p.prove_zero_one(ct1, 1, r1, Y, VOTER, 0)
    assert not p.verify_zero_one(ct2, borrowed, Y, VOTER, 0)
    # Proving 1 with the wrong witness does not help either.
    lying = p.prove_range(ct2, 1, r2, Y, 0, 1, label=p.LABEL_ZERO_ONE, context=(*VOTER.parts(), 0))
    assert not p.verify_zero_one(ct2, lying, Y, VOTER, 0)


@pytest.mark.parametrize(("lo", "hi"), [(0, 3), (1, 3), (1, 5)])
def test_range_proof_completeness_and_bounds(lo: int, hi: int) -> None:
    ctx = ("stembus-test", 9)
    for m in range(lo, hi + 1):
        ct, r = e.encrypt(Y, m)
        proof = p.prove_range(ct, m, r, Y, lo, hi, label="stembus/v1/sum-range", context=ctx)
        assert p.verify_range(ct, proof, Y, lo, hi, label="stembus/v1/sum-range", context=ctx)
        assert not p.verify_range(ct, proof, Y, lo, hi + 1, label="stembus/v1/sum-range", context=ctx)
        for bad in tampered_disjunctive(proof):
            assert not p.verify_range(ct, bad, Y, lo, hi, label="stembus/v1/sum-range", context=ctx)
    out, r = e.encrypt(Y, hi + 1)
    forged = p.prove_range(out, hi, r, Y, lo, hi, label="stembus/v1/sum-range", context=ctx)
    assert not p.verify_range(out, forged, Y, lo, hi, label="stembus/v1/sum-range", context=ctx)


def test_exact_sum_proof() -> None:
    cts = [e.encrypt(Y, m) for m in (0, 1, 0)]
    total = e.sum_ciphertexts(c for c, _ in cts)
    r_total = g.scalar_from_int(sum(g.scalar_to_int(r) for _, r in cts))
    proof = p.prove_exact_sum(total, r_total, Y, VOTER, 3)
    assert p.verify_exact_sum(total, proof, Y, VOTER, 3)
    assert not p.verify_exact_sum(total, proof, Y, VOTER, 4)
    assert not p.verify_exact_sum(total, proof, Y, OTHER_VOTER, 3)
    assert not p.verify_exact_sum(total, proof, Y, VOTER, 3, expected=2)
    for field in ("challenge", "response"):
        bad = dataclasses.replace(proof, **{field: bump(getattr(proof, field))})
        assert not p.verify_exact_sum(total, bad, Y, VOTER, 3)
    two = e.add(total, e.encrypt(Y, 1)[0])
    assert not p.verify_exact_sum(two, proof, Y, VOTER, 3)


def test_sum_range_proof() -> None:
    ct, r = e.encrypt(Y, 2)
    proof = p.prove_sum_range(ct, 2, r, Y, VOTER, 6, 1, 3)
    assert p.verify_sum_range(ct, proof, Y, VOTER, 6, 1, 3)
    assert not p.verify_sum_range(ct, proof, Y, OTHER_VOTER, 6, 1, 3)
    assert not p.verify_sum_range(ct, proof, Y, VOTER, 7, 1, 3)


# --- serialisation -------------------------------------------------------------------------------


def test_round_trips() -> None:
    ct, r = e.encrypt(Y, 1)
    d01 = p.prove_zero_one(ct, 1, r, Y, VOTER, 0)
    assert p.DisjunctiveProof.from_dict(d01.to_dict()) == d01
    s = p.prove_schnorr(r, ct.alpha, label="stembus/v1/x", context=())
    assert p.SchnorrProof.from_dict(s.to_dict()) == s
    assert type(p.EqualityProof.from_dict(s.to_dict())) is p.EqualityProof


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d | {"c": d["c"][:1]}, "same length"),
        (lambda d: d | {"c": [], "v": []}, "same length"),
        (lambda d: d | {"v": d["v"] + ["00" * 32]}, "same length"),
        (lambda d: {"c": d["c"]}, "exactly the fields"),
        (lambda d: d | {"extra": 1}, "exactly the fields"),
        (lambda d: d | {"c": "x"}, "lists"),
        (lambda d: d | {"c": [d["c"][0], (g.L + 1).to_bytes(32, "little").hex()]}, r"proof\.c\[1\].*canonical"),
        (lambda d: d | {"v": [d["v"][0].upper(), d["v"][1]]}, r"proof\.v\[0\]"),
        (lambda d: d | {"v": [d["v"][0], 5]}, r"proof\.v\[1\]"),
    ],
)
def test_malformed_disjunctive_proofs_are_refused_with_the_field_named(mutate: object, message: str) -> None:
    ct, r = e.encrypt(Y, 1)
    d = p.prove_zero_one(ct, 1, r, Y, VOTER, 0).to_dict()
    with pytest.raises(p.ProofFormatError, match=message):
        p.DisjunctiveProof.from_dict(mutate(d))  # type: ignore[operator]


def test_non_canonical_response_is_refused_although_it_would_verify() -> None:
    x = g.random_scalar()
    pub = g.base_mul(x)
    proof = p.prove_schnorr(x, pub, label="stembus/v1/x", context=())
    alias = (g.scalar_to_int(proof.response) + g.L).to_bytes(32, "little")
    aliased = p.SchnorrProof(proof.challenge, g.Scalar(alias))
    with fg.disabled():  # libsodium reduces the alias silently, so only the parser stops it
        assert p.verify_schnorr(pub, aliased, label="stembus/v1/x", context=())
    if fg.AVAILABLE:  # libdecaf refuses it outright
        assert not p.verify_schnorr(pub, aliased, label="stembus/v1/x", context=())
    with pytest.raises(p.ProofFormatError, match="canonical"):
        p.SchnorrProof.from_dict({"c": proof.challenge.hex(), "v": alias.hex()})


def test_election_hash_length_is_checked() -> None:
    with pytest.raises(ValueError):
        p.VoterContext(b"short", VOTER.credential, "g")


def test_single_branch_range_is_an_exact_proof() -> None:
    ct, r = e.encrypt(Y, 1)
    proof = p.prove_range(ct, 1, r, Y, 1, 1, label="stembus/v1/sum-range", context=())
    assert p.verify_range(ct, proof, Y, 1, 1, label="stembus/v1/sum-range", context=())
    ct0, r0 = e.encrypt(Y, 0)
    forged = p.prove_range(ct0, 1, r0, Y, 1, 1, label="stembus/v1/sum-range", context=())
    assert not p.verify_range(ct0, forged, Y, 1, 1, label="stembus/v1/sum-range", context=())
