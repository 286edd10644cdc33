"""The Fiat-Shamir transcript hash: exact bytes, injectivity of the framing, uniform scalars."""

from __future__ import annotations

import hashlib

import pytest

from crypto import group as g
from crypto import transcript as tr


def test_transcript_bytes_are_length_prefixed_big_endian() -> None:
    raw = tr.transcript_bytes("stembus/v1/x", b"\xaa\xbb", "é", 5)
    assert raw == (
        b"\x00\x00\x00\x0cstembus/v1/x"
        + b"\x00\x00\x00\x02\xaa\xbb"
        + b"\x00\x00\x00\x02\xc3\xa9"
        + b"\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x05"
    )
    assert tr.digest("stembus/v1/x", b"\xaa\xbb", "é", 5) == hashlib.sha512(raw).digest()


def test_moving_a_boundary_between_parts_changes_the_hash() -> None:
    assert tr.digest("stembus/v1/x", b"ab", b"c") != tr.digest("stembus/v1/x", b"a", b"bc")
    assert tr.digest("stembus/v1/x", b"") != tr.digest("stembus/v1/x")


def test_labels_separate_domains() -> None:
    assert tr.digest("stembus/v1/a", b"x") != tr.digest("stembus/v1/b", b"x")


@pytest.mark.parametrize("label", ["proof01", "stembus/v2/x", "stembus/v1/é"])
def test_labels_must_be_stembus_v1_ascii(label: str) -> None:
    with pytest.raises(tr.TranscriptError):
        tr.digest(label)


@pytest.mark.parametrize("part", [-1, 2**64, True, 1.5, None])
def test_unencodable_parts_are_refused(part: object) -> None:
    with pytest.raises(tr.TranscriptError):
        tr.digest("stembus/v1/x", part)  # type: ignore[arg-type]


def test_hash_to_scalar_is_the_digest_reduced_little_endian() -> None:
    d = tr.digest("stembus/v1/x", b"data")
    s = tr.hash_to_scalar("stembus/v1/x", b"data")
    assert g.scalar_to_int(s) == int.from_bytes(d, "little") % g.L
    assert g.scalar_from_bytes(s) == s


def test_seeded_scalars_are_reproducible_and_distinct() -> None:
    a, b = tr.seeded_scalars(b"seed"), tr.seeded_scalars(b"seed")
    first = [a() for _ in range(3)]
    assert first == [b() for _ in range(3)]
    assert len(set(first)) == 3
    assert first[0] == tr.hash_to_scalar("stembus/v1/test-nonce", b"seed", 0)
