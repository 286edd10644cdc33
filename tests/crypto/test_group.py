"""ristretto255 through libsodium: RFC 9496 vectors and the sharp edges of libsodium's API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import group as g

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "rfc9496.json").read_text())

scalars = st.integers(min_value=0, max_value=g.L - 1).map(g.scalar_from_int)


def test_libsodium_is_recent_enough_for_ristretto255() -> None:
    assert g.libsodium_version() >= (1, 0, 18)
    g.check_libsodium_version()


def test_old_libsodium_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(g, "libsodium_version", lambda: (1, 0, 17))
    with pytest.raises(RuntimeError, match=r"1\.0\.17"):
        g.check_libsodium_version()


@pytest.mark.parametrize("k", range(16))
def test_rfc9496_a1_multiples_of_the_generator(k: int) -> None:
    expected = bytes.fromhex(VECTORS["multiples_of_generator"][k])
    assert g.base_mul(g.scalar_from_int(k)) == expected
    assert g.mul(g.scalar_from_int(k), g.BASE) == expected
    assert g.point_from_bytes(expected, allow_identity=True) == expected


def test_rfc9496_a1_repeated_addition() -> None:
    acc = g.IDENTITY
    for hexenc in VECTORS["multiples_of_generator"]:
        assert acc.hex() == hexenc
        acc = g.add(acc, g.BASE)


@pytest.mark.parametrize("case", VECTORS["invalid_encodings"], ids=lambda c: c["category"] + ":" + c["encoding"][:8])
def test_rfc9496_a2_invalid_encodings_are_refused(case: dict[str, str]) -> None:
    raw = bytes.fromhex(case["encoding"])
    assert not g.is_valid_encoding(raw)
    with pytest.raises(g.GroupError, match="canonical"):
        g.point_from_bytes(raw, allow_identity=True)


def test_rfc9496_a2_has_29_vectors() -> None:
    assert len(VECTORS["invalid_encodings"]) == 29


@pytest.mark.parametrize("case", VECTORS["element_derivation"], ids=lambda c: c["input"][:8])
def test_rfc9496_a3_element_derivation(case: dict[str, str]) -> None:
    assert g.point_from_uniform(bytes.fromhex(case["input"])).hex() == case["output"]


def test_zero_times_base_is_the_identity_not_an_error() -> None:
    assert g.base_mul(g.ZERO) == g.IDENTITY
    assert g.mul(g.ZERO, g.BASE) == g.IDENTITY
    assert g.mul(g.scalar_from_int(5), g.IDENTITY) == g.IDENTITY


def test_mul_on_a_bad_encoding_raises_instead_of_returning_identity() -> None:
    bad = bytes.fromhex(VECTORS["invalid_encodings"][0]["encoding"])
    with pytest.raises(g.GroupError):
        g.mul(g.ONE, g.Point(bad))
    with pytest.raises(g.GroupError):
        g.add(g.BASE, g.Point(bad))


def test_all_zero_identity_passes_libsodium_but_is_refused_by_default() -> None:
    assert g.is_valid_encoding(bytes(32))  # libsodium's check lets it through
    with pytest.raises(g.GroupError, match="identity"):
        g.point_from_bytes(bytes(32))
    assert g.point_from_bytes(bytes(32), allow_identity=True) == g.IDENTITY


def test_non_canonical_scalars_are_refused() -> None:
    k = 12345
    for alias in (k + g.L, k + 2**255, g.L, 2**256 - 1):
        raw = (alias % 2**256).to_bytes(32, "little")
        with pytest.raises(g.GroupError, match="canonical"):
            g.scalar_from_bytes(raw)
    assert g.scalar_to_int(g.scalar_from_bytes((g.L - 1).to_bytes(32, "little"))) == g.L - 1


def test_libsodium_would_silently_accept_an_unreduced_scalar() -> None:
    # Why the reader must check: libsodium gives k and k + L the same product.
    k = 987654321
    aliased = g.Scalar((k + g.L).to_bytes(32, "little"))
    assert g.base_mul(aliased) == g.base_mul(g.scalar_from_int(k))


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\x01" * 31, "32 bytes"), (b"\x01" * 33, "32 bytes"), ("00" * 32, "must be bytes")],
)
def test_wrong_length_or_type_is_refused(raw: object, message: str) -> None:
    with pytest.raises(g.GroupError, match=message):
        g.point_from_bytes(raw)  # type: ignore[arg-type]
    with pytest.raises(g.GroupError, match=message):
        g.scalar_from_bytes(raw)  # type: ignore[arg-type]


def test_hex_round_trip_and_strictness() -> None:
    p = g.base_mul(g.scalar_from_int(7))
    assert g.point_from_hex(g.point_to_hex(p)) == p
    s = g.scalar_from_int(99)
    assert g.scalar_from_hex(g.scalar_to_hex(s)) == s
    for bad in (p.hex().upper(), p.hex()[:-2], "zz" * 32, 5):
        with pytest.raises(g.GroupError):
            g.point_from_hex(bad)  # type: ignore[arg-type]
    with pytest.raises(g.GroupError):
        g.scalar_from_hex("ff" * 32)


def test_negation_and_subtraction() -> None:
    p = g.base_mul(g.scalar_from_int(3))
    assert g.add(p, g.neg(p)) == g.IDENTITY
    assert g.sub(p, p) == g.IDENTITY
    assert g.sub(p, g.BASE) == g.base_mul(g.scalar_from_int(2))


def test_zero_has_no_inverse() -> None:
    with pytest.raises(g.GroupError):
        g.scalar_inv(g.ZERO)


def test_hash_to_point_is_deterministic_and_label_bound() -> None:
    h1 = g.hash_to_point(b"stembus/v1/generator/H")
    assert h1 == g.hash_to_point(b"stembus/v1/generator/H")
    assert h1 != g.hash_to_point(b"stembus/v1/generator/G")
    assert g.point_from_bytes(h1) == h1


def test_random_scalars_are_canonical_and_distinct() -> None:
    seen = {g.random_scalar() for _ in range(50)}
    assert len(seen) == 50
    assert all(g.scalar_from_bytes(s) == s and s != g.ZERO for s in seen)


@settings(max_examples=40, deadline=None)
@given(scalars, scalars)
def test_scalar_multiplication_is_linear(a: g.Scalar, b: g.Scalar) -> None:
    assert g.base_mul(g.scalar_add(a, b)) == g.add(g.base_mul(a), g.base_mul(b))
    assert g.mul(a, g.base_mul(b)) == g.base_mul(g.scalar_mul(a, b))
    assert g.base_mul(g.scalar_sub(a, b)) == g.sub(g.base_mul(a), g.base_mul(b))
    assert g.base_mul(g.scalar_neg(a)) == g.neg(g.base_mul(a))


@settings(max_examples=40, deadline=None)
@given(scalars)
def test_inverse_undoes_multiplication(a: g.Scalar) -> None:
    if a == g.ZERO:
        return
    assert g.scalar_mul(a, g.scalar_inv(a)) == g.ONE


def test_an_encoding_with_the_top_bit_set_is_refused() -> None:
    # libsodium 1.0.18 ignores the top bit and would take this as a second encoding of the same point.
    point = g.base_mul(g.random_scalar())
    alias = point[:31] + bytes([point[31] | 0x80])
    assert not g.is_valid_encoding(alias)
    with pytest.raises(g.GroupError, match="top bit"):
        g.point_from_bytes(alias)
    with pytest.raises(g.GroupError, match="top bit"):
        g.point_from_hex(alias.hex())
