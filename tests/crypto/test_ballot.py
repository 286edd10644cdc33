"""Ballots: encryption, verification, every tampered field, replay, Benaloh challenge, strict parsing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import ballot as b
from crypto import credentials as cr
from crypto import elgamal as e
from crypto import group as g

SECRET, Y = e.keypair()
H_E = bytes(range(64))
GROUP = "production"
X_SECRET, X = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))


def make(choices: list[int], system: str = b.LIST_SYSTEM, k: int = 1) -> tuple[b.Ballot, b.BallotSecrets]:
    return b.encrypt_ballot(
        choices, joint_key=Y, election_hash=H_E, group_id=GROUP, credential_secret=X_SECRET, system=system, k=k
    )


def check(ballot: b.Ballot, n: int = 4, system: str = b.LIST_SYSTEM, k: int = 1) -> list[str]:
    return b.verify_ballot(ballot, election_hash=H_E, group_id=GROUP, n_options=n, k=k, system=system, joint_key=Y)


LIST_BALLOT, LIST_SECRETS = make([0, 1, 0, 0])
PERSON_BALLOT, _ = make([1, 0, 1, 0, 0], b.PERSON_SYSTEM, 3)


def test_valid_ballots_verify() -> None:
    assert check(LIST_BALLOT) == []
    assert check(PERSON_BALLOT, 5, b.PERSON_SYSTEM, 3) == []
    blank, _ = make([0, 0, 0, 1])
    assert check(blank) == []
    blank_p, _ = make([0, 0, 0, 0, 1], b.PERSON_SYSTEM, 3)
    assert check(blank_p, 5, b.PERSON_SYSTEM, 3) == []


@pytest.mark.parametrize(
    ("choices", "system", "k"),
    [
        ([0, 0, 0, 0], b.LIST_SYSTEM, 1),
        ([1, 1, 0, 0], b.LIST_SYSTEM, 1),
        ([0, 2, 0, 0], b.LIST_SYSTEM, 1),
        ([1, 1, 1, 1, 0], b.PERSON_SYSTEM, 3),
        ([1, 0, 0, 0, 1], b.PERSON_SYSTEM, 3),
        ([0, 0, 0, 0, 0], b.PERSON_SYSTEM, 3),
    ],
)
def test_invalid_votes_cannot_be_encrypted(choices: list[int], system: str, k: int) -> None:
    with pytest.raises(b.BallotError):
        make(choices, system, k)


def test_canonical_bytes_and_parse_round_trip() -> None:
    raw = b.ballot_to_bytes(LIST_BALLOT)
    assert b" " not in raw
    parsed = b.ballot_from_dict(json.loads(raw))
    assert parsed == LIST_BALLOT
    assert b.ballot_to_bytes(parsed) == raw
    assert b.ballot_from_dict(json.loads(b.ballot_to_bytes(PERSON_BALLOT))) == PERSON_BALLOT


def _leaves(d: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(d, dict):
        return [leaf for k in d for leaf in _leaves(d[k], (*path, k))]
    if isinstance(d, list):
        return [leaf for i, v in enumerate(d) for leaf in _leaves(v, (*path, i))]
    return [path]


def _set(d: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        d = d[key]
    d[path[-1]] = value


def _get(d: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        d = d[key]
    return d


def _tamper(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 64:
        as_point = bytes.fromhex(value)
        if g.is_valid_encoding(as_point) and as_point != bytes(32):
            return g.add(g.Point(as_point), g.BASE).hex()
        return g.scalar_add(g.Scalar(as_point), g.ONE).hex()
    if isinstance(value, str):
        return value + "x"
    return value + 1


@pytest.mark.parametrize(
    ("ballot", "n", "system", "k"), [(LIST_BALLOT, 4, b.LIST_SYSTEM, 1), (PERSON_BALLOT, 5, b.PERSON_SYSTEM, 3)]
)
def test_every_tampered_field_is_rejected_and_named(ballot: b.Ballot, n: int, system: str, k: int) -> None:
    d = ballot.to_dict()
    leaves = _leaves(d)
    assert len(leaves) > 4 * n
    for path in leaves:
        bad = copy.deepcopy(d)
        _set(bad, path, _tamper(_get(d, path)))
        try:
            parsed = b.ballot_from_dict(bad)
        except b.BallotError:
            continue  # refused at parsing: also a rejection
        failures = check(parsed, n, system, k)
        assert failures, f"tampering {path} went unnoticed"
        if path[0] in ("selections", "sum_proof", "signature"):
            assert any(f.startswith(str(path[0])) for f in failures), (path, failures)


def test_a_two_in_one_slot_is_rejected_even_with_a_valid_signature() -> None:
    # A ballot whose option 1 holds 2, signed by the real credential: only the proofs can catch it.
    ct2, _ = e.encrypt(Y, 2)
    sels = list(LIST_BALLOT.selections)
    sels[1] = b.Selection(ct2, sels[1].proof)
    parts = b.signed_parts(GROUP, b.LIST_SYSTEM, 1, sels, LIST_BALLOT.sum_proof)
    sig = cr.sign(X_SECRET, H_E, *parts)
    bad = b.Ballot(GROUP, X, tuple(sels), LIST_BALLOT.sum_proof, sig)
    failures = check(bad)
    assert any(f.startswith("selections[1].proof") for f in failures)
    assert any(f.startswith("sum_proof") for f in failures)


def test_replay_under_another_credential_is_rejected() -> None:
    other_secret, other = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))
    # The attacker re-signs the copied ciphertexts and proofs with their own credential.
    parts = b.signed_parts(GROUP, b.LIST_SYSTEM, 1, LIST_BALLOT.selections, LIST_BALLOT.sum_proof)
    copied = b.Ballot(GROUP, other, LIST_BALLOT.selections, LIST_BALLOT.sum_proof, cr.sign(other_secret, H_E, *parts))
    failures = check(copied)
    assert len([f for f in failures if f.startswith("selections[")]) == 4
    assert any(f.startswith("sum_proof") for f in failures)


def test_wrong_election_group_or_shape_is_rejected() -> None:
    assert check(LIST_BALLOT, 5)
    assert b.verify_ballot(
        LIST_BALLOT, election_hash=bytes(64), group_id=GROUP, n_options=4, k=1, system="list", joint_key=Y
    )
    assert b.verify_ballot(
        LIST_BALLOT, election_hash=H_E, group_id="other", n_options=4, k=1, system="list", joint_key=Y
    ) == ["group: ballot is for 'production', expected 'other'"]
    assert check(LIST_BALLOT, 4, b.PERSON_SYSTEM, 1)
    assert check(PERSON_BALLOT, 5, b.PERSON_SYSTEM, 2)
    with pytest.raises(b.BallotError):
        check(LIST_BALLOT, 4, "borda", 1)


def test_benaloh_challenge_reports_the_choice() -> None:
    assert b.check_revealed(LIST_BALLOT, LIST_SECRETS, joint_key=Y) == (0, 1, 0, 0)
    revealed = json.loads(json.dumps(LIST_SECRETS.reveal()))
    assert b.check_revealed(LIST_BALLOT, revealed, joint_key=Y) == (0, 1, 0, 0)


def test_benaloh_challenge_catches_a_lying_device() -> None:
    lie = LIST_SECRETS.reveal()
    lie["choices"] = [1, 0, 0, 0]
    with pytest.raises(b.BallotError, match=r"selections\[0\]"):
        b.check_revealed(LIST_BALLOT, lie, joint_key=Y)
    lie = LIST_SECRETS.reveal()
    lie["randomness"][2] = g.random_scalar().hex()
    with pytest.raises(b.BallotError, match=r"selections\[2\]"):
        b.check_revealed(LIST_BALLOT, lie, joint_key=Y)
    with pytest.raises(b.BallotError, match="every option"):
        b.check_revealed(LIST_BALLOT, {"choices": [0], "randomness": []}, joint_key=Y)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d | {"version": 2}, "version"),
        (lambda d: d | {"group": ""}, "group"),
        (lambda d: d | {"credential": "00" * 32}, "credential: the identity"),
        (lambda d: d | {"credential": "ff" * 32}, "credential"),
        (lambda d: {k: v for k, v in d.items() if k != "signature"}, "exactly the fields"),
        (lambda d: d | {"selections": d["selections"][:1]}, "selections"),
        (lambda d: d | {"selections": "x"}, "selections: expected a list"),
        (lambda d: d | {"sum_proof": {"c": "00" * 32}}, "sum_proof"),
        (lambda d: d | {"signature": {"c": "00" * 32, "v": "ee" * 32}}, r"signature\.v"),
    ],
)
def test_malformed_ballots_are_refused_with_the_field_named(mutate: Any, message: str) -> None:
    with pytest.raises(b.BallotError, match=message):
        b.ballot_from_dict(mutate(LIST_BALLOT.to_dict()))


def test_malformed_selection_fields_are_named() -> None:
    d = LIST_BALLOT.to_dict()
    d["selections"][2]["ciphertext"]["alpha"] = "00" * 32
    with pytest.raises(b.BallotError, match=r"selections\[2\]\.ciphertext\.alpha: the identity"):
        b.ballot_from_dict(d)
    d = LIST_BALLOT.to_dict()
    d["selections"][1]["proof"]["c"] = d["selections"][1]["proof"]["c"] * 2
    with pytest.raises(b.BallotError, match=r"selections\[1\]\.proof"):
        b.ballot_from_dict(d)
    d = LIST_BALLOT.to_dict()
    d["selections"][3]["proof"]["v"][0] = "ff" * 32
    with pytest.raises(b.BallotError, match=r"selections\[3\]\.proof\.v\[0\]: scalar is not canonical"):
        b.ballot_from_dict(d)


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_every_allowed_vote_gives_a_ballot_that_verifies(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=2, max_value=6), label="options")
    if data.draw(st.booleans(), label="person system"):
        k = data.draw(st.integers(min_value=1, max_value=n - 1), label="k")
        picks = data.draw(st.sets(st.integers(min_value=0, max_value=n - 2), max_size=k), label="picks")
        choices = [1 if i in picks else 0 for i in range(n - 1)] + [0 if picks else 1]
        system = b.PERSON_SYSTEM
    else:
        k, system = 1, b.LIST_SYSTEM
        chosen = data.draw(st.integers(min_value=0, max_value=n - 1), label="choice")
        choices = [1 if i == chosen else 0 for i in range(n)]
    ballot, secrets = make(choices, system, k)
    assert check(ballot, n, system, k) == []
    assert b.check_revealed(ballot, secrets, joint_key=Y) == tuple(choices)


def test_list_system_ballot_with_more_than_one_vote_is_refused() -> None:
    from crypto.ballot import BallotError, _check_shape

    _check_shape(4, "list", 1)
    with pytest.raises(BallotError, match="k = 1"):
        _check_shape(4, "list", 3)
