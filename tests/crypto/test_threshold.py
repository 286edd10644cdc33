"""Threshold keys: the DKG with complaints, decryption shares, and any t of n decrypting alike."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from crypto import ceremony as ce
from crypto import elgamal as e
from crypto import group as g
from crypto import threshold as th
from crypto.dlog import DlogError

H_P = bytes(range(32))
H_E = bytes(range(64))
PARAMS = th.DkgParams(5, 3, H_P)
RESULT = ce.run_ceremony(PARAMS)
TRANSCRIPT = RESULT.transcript
Y = TRANSCRIPT.joint_key
VOTES = [1, 0, 1, 1, 0, 1, 1]
TALLY = e.sum_ciphertexts(e.encrypt(Y, v)[0] for v in VOTES)
SHARES = {j: th.make_decryption_share(H_E, j, RESULT.secret_shares[j], TALLY) for j in range(1, 6)}


def test_honest_ceremony_verifies_and_shares_match_the_verification_keys() -> None:
    assert ce.verify_dkg_transcript(TRANSCRIPT) == []
    assert TRANSCRIPT.qualified == (1, 2, 3, 4, 5)
    for j, s in RESULT.secret_shares.items():
        assert g.base_mul(s) == TRANSCRIPT.verification_keys[j]


def test_transcript_round_trips_through_json() -> None:
    again = ce.DkgTranscript.from_dict(TRANSCRIPT.to_dict())
    assert again.to_dict() == TRANSCRIPT.to_dict()
    assert ce.verify_dkg_transcript(again) == []


def test_the_joint_secret_is_the_lagrange_combination_of_any_t_shares() -> None:
    for members in itertools.combinations(range(1, 6), 3):
        s = sum(
            g.scalar_to_int(th.lagrange_at_zero(j, members)) * g.scalar_to_int(RESULT.secret_shares[j]) for j in members
        )
        assert g.base_mul(g.scalar_from_int(s)) == Y


def test_every_decryption_share_verifies() -> None:
    for j, share in SHARES.items():
        assert th.verify_decryption_share(share, TALLY, TRANSCRIPT.verification_keys[j], H_E)


def test_any_t_of_n_give_the_same_tally() -> None:
    results = {
        members: th.decrypt_with_shares(TALLY, [SHARES[j] for j in members], PARAMS.t)
        for members in itertools.chain(itertools.combinations(range(1, 6), 3), itertools.combinations(range(1, 6), 4))
    }
    assert set(results.values()) == {sum(VOTES)}
    assert th.decrypt_with_shares(TALLY, list(SHARES.values()), PARAMS.t) == sum(VOTES)


def test_t_minus_one_shares_are_refused_and_their_combination_is_no_decryption() -> None:
    few = [SHARES[1], SHARES[4]]
    with pytest.raises(th.ThresholdError, match="at least 3"):
        th.combine_decryption_shares(TALLY, few, PARAMS.t)
    # Combining them anyway (as if t were 2) yields garbage, not the count.
    with pytest.raises(DlogError):
        th.decrypt_with_shares(TALLY, few, 2)


def test_duplicate_members_are_refused() -> None:
    with pytest.raises(th.ThresholdError, match="same member"):
        th.combine_decryption_shares(TALLY, [SHARES[1], SHARES[1], SHARES[2]], PARAMS.t)


def test_forged_decryption_share_is_rejected_and_named() -> None:
    share = SHARES[2]
    forged = [
        dataclasses.replace(share, factor=g.add(share.factor, g.BASE)),
        dataclasses.replace(share, member=3),
        dataclasses.replace(
            share, proof=dataclasses.replace(share.proof, challenge=g.scalar_add(share.proof.challenge, g.ONE))
        ),
        dataclasses.replace(
            share, proof=dataclasses.replace(share.proof, response=g.scalar_add(share.proof.response, g.ONE))
        ),
    ]
    for bad in forged:
        assert not th.verify_decryption_share(bad, TALLY, TRANSCRIPT.verification_keys[bad.member], H_E)
    assert not th.verify_decryption_share(share, TALLY, TRANSCRIPT.verification_keys[2], bytes(64))
    other = e.encrypt(Y, 1)[0]
    assert not th.verify_decryption_share(share, other, TRANSCRIPT.verification_keys[2], H_E)
    # A share made with the wrong secret cannot carry a valid proof for Y_j.
    liar = th.make_decryption_share(H_E, 2, g.random_scalar(), TALLY)
    assert not th.verify_decryption_share(liar, TALLY, TRANSCRIPT.verification_keys[2], H_E)
    # Unchecked, a shifted factor gives a plausible but wrong count: shares must be verified first.
    assert th.decrypt_with_shares(TALLY, [SHARES[1], forged[0], SHARES[3]], PARAMS.t) != sum(VOTES)
    keys = TRANSCRIPT.verification_keys
    named = th.check_decryption_shares([SHARES[1], forged[0], SHARES[3]], TALLY, keys, H_E)
    assert named == ["decryption share of member 2: the proof does not verify against Y_2"]
    assert th.check_decryption_shares([SHARES[1], SHARES[2], SHARES[3]], TALLY, keys, H_E) == []
    unknown = dataclasses.replace(SHARES[1], member=9)
    assert th.check_decryption_shares([unknown], TALLY, keys, H_E) == ["decryption share of member 9: no such member"]


def test_decryption_share_json_round_trip_and_validation() -> None:
    share = SHARES[1]
    assert th.DecryptionShare.from_dict(share.to_dict()) == share
    for field, bad, message in [
        ("factor", "00" * 32, r"share\.factor: the identity"),
        ("member", 0, "member"),
        ("member", True, "member"),
        ("proof", {"c": "00" * 32}, r"share\.proof"),
    ]:
        with pytest.raises(th.ThresholdError, match=message):
            th.DecryptionShare.from_dict(share.to_dict() | {field: bad})


def test_wrong_share_draws_a_complaint_that_the_honest_dealer_answers() -> None:
    result = ce.run_ceremony(PARAMS, corrupt_shares=[(2, 4)])
    tr = result.transcript
    assert tr.complaints == (th.Complaint(4, 2),)
    assert tr.qualified == (1, 2, 3, 4, 5)
    assert ce.verify_dkg_transcript(tr) == []
    assert g.base_mul(result.secret_shares[4]) == tr.verification_keys[4]


def test_a_dealer_who_does_not_answer_a_complaint_is_disqualified() -> None:
    result = ce.run_ceremony(PARAMS, corrupt_shares=[(2, 4)], silent_dealers=[2])
    tr = result.transcript
    assert tr.qualified == (1, 3, 4, 5)
    assert ce.verify_dkg_transcript(tr) == []
    ct, _ = e.encrypt(tr.joint_key, 3)
    shares = [th.make_decryption_share(H_E, j, result.secret_shares[j], ct) for j in (2, 4, 5)]
    assert th.decrypt_with_shares(ct, shares, PARAMS.t) == 3


def test_transcript_tampering_is_named() -> None:
    d = TRANSCRIPT.to_dict()
    cases = []
    bad = dict(d, joint_key=g.add(Y, g.BASE).hex())
    cases.append((bad, "joint key"))
    bad = dict(d, verification_keys=[dict(v) for v in d["verification_keys"]])
    bad["verification_keys"][2]["key"] = g.BASE.hex()
    cases.append((bad, "member 3: verification key"))
    bad = dict(d, commitment_hashes=[dict(v) for v in d["commitment_hashes"]])
    bad["commitment_hashes"][0]["hash"] = "00" * 64
    cases.append((bad, "member 1: commitments do not match"))
    bad = dict(d, dealings=[dict(v) for v in d["dealings"]])
    bad["dealings"][1]["proofs"] = list(reversed(bad["dealings"][1]["proofs"]))
    cases.append((bad, "member 2: proof of knowledge"))
    bad = dict(d, qualified=[1, 2, 3])
    cases.append((bad, "qualified dealers"))
    bad = dict(d, complaints=[{"accuser": 3, "accused": 5}])
    cases.append((bad, "did not answer the complaint of member 3"))
    bad = dict(d, encrypted_shares=d["encrypted_shares"][1:])
    cases.append((bad, "member 1: no share for member 2"))
    for raw, message in cases:
        failures = ce.verify_dkg_transcript(ce.DkgTranscript.from_dict(raw))
        assert any(message in f for f in failures), (message, failures)


def test_a_rushing_dealer_cannot_swap_commitments_after_phase_one() -> None:
    d = TRANSCRIPT.to_dict()
    coeffs = th.new_polynomial(PARAMS)
    swapped = th.make_dealing(PARAMS, 5, coeffs)
    d = dict(d, dealings=[*d["dealings"][:4], swapped.to_dict()])
    failures = ce.verify_dkg_transcript(ce.DkgTranscript.from_dict(d))
    assert any("member 5: commitments do not match the phase-1 commitment hash" in f for f in failures)


def test_malformed_transcript_is_refused() -> None:
    with pytest.raises(th.ThresholdError):
        ce.DkgTranscript.from_dict({"n": 3})
    with pytest.raises(th.ThresholdError):
        ce.DkgTranscript.from_dict(TRANSCRIPT.to_dict() | {"t": 9})


def test_parameters_are_checked() -> None:
    with pytest.raises(th.ThresholdError):
        th.DkgParams(3, 4, H_P)
    with pytest.raises(th.ThresholdError):
        th.DkgParams(3, 2, b"x")
