"""Voting codes and credential signatures."""

from __future__ import annotations

import math
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import credentials as cr
from crypto import group as g

H_P = bytes(range(32))
ELECTION = "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21"
H_E = bytes(range(64))


def test_codes_have_enough_entropy_and_no_look_alikes() -> None:
    assert cr.PAYLOAD_LENGTH * math.log2(len(cr.ALPHABET)) >= 112
    assert len(cr.ALPHABET) == len(set(cr.ALPHABET)) == 31
    assert not set("01OIL") & set(cr.ALPHABET)


def test_generated_codes_are_grouped_valid_and_distinct() -> None:
    codes = {cr.generate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 29 and code.count("-") == 5
        assert all(len(part) == 4 for part in code.split("-"))
        assert cr.format_code(cr.normalise_code(code)) == code


def test_parsing_tolerates_case_spaces_and_dashes() -> None:
    code = cr.generate_code()
    messy = "  " + code.lower().replace("-", " ")[:10] + code[10:].replace("-", "--") + "\n"
    assert cr.normalise_code(messy) == code.replace("-", "")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=23), st.integers(min_value=1, max_value=30))
def test_every_single_substitution_is_caught(pos: int, shift: int) -> None:
    code = cr.normalise_code(cr.generate_code())
    wrong = cr.ALPHABET[(cr.ALPHABET.index(code[pos]) + shift) % 31]
    typo = code[:pos] + wrong + code[pos + 1 :]
    with pytest.raises(cr.CodeError, match="check character"):
        cr.normalise_code(typo)


def test_every_adjacent_swap_is_caught() -> None:
    for _ in range(20):
        code = cr.normalise_code(cr.generate_code())
        for i in range(23):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                with pytest.raises(cr.CodeError, match="check character"):
                    cr.normalise_code(swapped)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCD", "24 characters"),
        ("O" * 24, r"character 1 \('O'\)"),
        ("A" * 23 + "!", "character 24"),
        ("ß" + "A" * 22, r"character 1 \('ß'\)"),
    ],
)
def test_clear_errors(typed: str, message: str) -> None:
    with pytest.raises(cr.CodeError, match=message):
        cr.normalise_code(typed)


def test_derivation_is_deterministic_and_bound_to_election_and_parameters() -> None:
    code = cr.generate_code()
    x, pub = cr.derive_credential(code, ELECTION, H_P)
    assert pub == g.base_mul(x)
    assert cr.derive_credential(code.lower().replace("-", ""), uuid.UUID(ELECTION), H_P) == (x, pub)
    assert cr.derive_credential(code, ELECTION.upper(), H_P) == (x, pub)
    assert cr.derive_credential(code, str(uuid.uuid4()), H_P)[1] != pub
    assert cr.derive_credential(code, ELECTION, bytes(32))[1] != pub
    with pytest.raises(ValueError, match="UUID"):
        cr.derive_credential(code, "not-a-uuid", H_P)
    with pytest.raises(ValueError, match="parameters hash"):
        cr.derive_credential(code, ELECTION, b"short")


def test_signature_binds_key_election_and_every_part() -> None:
    x, pub = cr.derive_credential(cr.generate_code(), ELECTION, H_P)
    sig = cr.sign(x, H_E, "group-a", b"\x01\x02", 7)
    assert cr.verify_signature(pub, sig, H_E, "group-a", b"\x01\x02", 7)
    assert not cr.verify_signature(pub, sig, H_E, "group-b", b"\x01\x02", 7)
    assert not cr.verify_signature(pub, sig, H_E, "group-a", b"\x01\x02")
    assert not cr.verify_signature(pub, sig, bytes(64), "group-a", b"\x01\x02", 7)
    other = cr.derive_credential(cr.generate_code(), ELECTION, H_P)[1]
    assert not cr.verify_signature(other, sig, H_E, "group-a", b"\x01\x02", 7)
    assert not cr.verify_signature(pub, sig, H_E, "group-a", b"\x01\x02", 7, label="stembus/v1/other")
