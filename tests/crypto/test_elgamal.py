"""Exponential ElGamal: correctness, homomorphism, re-randomisation, strict parsing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import elgamal as e
from crypto import group as g

SECRET, PUBLIC = e.keypair()
counts = st.integers(min_value=0, max_value=2000)


@settings(max_examples=25, deadline=None)
@given(counts)
def test_decrypt_inverts_encrypt(m: int) -> None:
    ct, _ = e.encrypt(PUBLIC, m)
    assert e.decrypt(SECRET, ct) == m


@settings(max_examples=25, deadline=None)
@given(counts, counts)
def test_adding_ciphertexts_adds_counts(a: int, b: int) -> None:
    (ca, ra), (cb, rb) = e.encrypt(PUBLIC, a), e.encrypt(PUBLIC, b)
    total = e.add(ca, cb)
    assert e.decrypt(SECRET, total) == a + b
    assert total == e.encrypt(PUBLIC, a + b, g.scalar_add(ra, rb))[0]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1), max_size=12))
def test_sum_of_votes_is_the_tally(votes: list[int]) -> None:
    total = e.sum_ciphertexts(e.encrypt(PUBLIC, v)[0] for v in votes)
    assert e.decrypt(SECRET, total) == sum(votes)


def test_encrypting_zero_works_despite_libsodium_refusing_0_times_b() -> None:
    ct, r = e.encrypt(PUBLIC, 0)
    assert ct.beta == g.mul(r, PUBLIC)
    assert e.decrypt(SECRET, ct) == 0


def test_zero_randomness_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="randomness"):
        e.encrypt(PUBLIC, 1, g.ZERO)
    with pytest.raises(ValueError, match="negative"):
        e.encrypt(PUBLIC, -1)


def test_rerandomised_ciphertext_differs_but_decrypts_the_same() -> None:
    ct, _ = e.encrypt(PUBLIC, 3)
    fresh, _ = e.rerandomise(PUBLIC, ct)
    assert fresh != ct
    assert e.decrypt(SECRET, fresh) == 3


def test_scale_multiplies_the_count() -> None:
    ct, _ = e.encrypt(PUBLIC, 2)
    assert e.decrypt(SECRET, e.scale(5, ct)) == 10


def test_empty_sum_is_the_trivial_encryption_of_zero() -> None:
    assert e.sum_ciphertexts([]) == e.ZERO_CIPHERTEXT


def test_dict_round_trip() -> None:
    ct, _ = e.encrypt(PUBLIC, 1)
    assert e.Ciphertext.from_dict(ct.to_dict()) == ct


@pytest.mark.parametrize("field", ["alpha", "beta"])
def test_parsing_refuses_identity_bad_and_missing_parts(field: str) -> None:
    ct, _ = e.encrypt(PUBLIC, 1)
    for bad in ("00" * 32, "ff" * 32, ct.to_dict()[field].upper(), 7):
        d = ct.to_dict() | {field: bad}
        with pytest.raises(e.CiphertextError, match=field):
            e.Ciphertext.from_dict(d)
    with pytest.raises(e.CiphertextError):
        e.Ciphertext.from_dict({field: ct.to_dict()[field]})
    assert e.Ciphertext.from_dict(ct.to_dict() | {field: "00" * 32}, allow_identity=True)
