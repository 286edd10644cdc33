"""Passphrase-sealed secrets and DKG share transport."""

from __future__ import annotations

import pytest

from crypto import keystore as ks

CHEAP = ks.Argon2Cost(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def test_seal_and_unseal() -> None:
    blob = ks.seal(b"\x07" * 32, "correct horse battery staple", label="member 2 share", cost=CHEAP)
    assert blob["format"] == "stembus-keystore" and blob["version"] == 1 and blob["kdf"]["name"] == "argon2id"
    assert ks.unseal(blob, "correct horse battery staple") == b"\x07" * 32


def test_default_cost_is_memory_hard() -> None:
    assert ks.Argon2Cost().memory_kib >= 64 * 1024


def test_wrong_passphrase_is_refused() -> None:
    blob = ks.seal(b"secret", "one", label="x", cost=CHEAP)
    with pytest.raises(ks.KeystoreError, match="wrong passphrase"):
        ks.unseal(blob, "two")


@pytest.mark.parametrize("field", ["label", "nonce", "ciphertext", "salt", "time_cost"])
def test_any_changed_field_is_refused(field: str) -> None:
    blob = ks.seal(b"secret", "pass", label="x", cost=CHEAP)
    if field in ("salt", "time_cost"):
        kdf = dict(blob["kdf"])
        kdf[field] = "00" * 16 if field == "salt" else 2
        blob = blob | {"kdf": kdf}
    elif field == "label":
        blob = blob | {"label": "y"}
    else:
        blob = blob | {field: "00" * (len(blob[field]) // 2)}
    with pytest.raises(ks.KeystoreError):
        ks.unseal(blob, "pass")


def test_malformed_blobs_and_empty_passphrase() -> None:
    with pytest.raises(ks.KeystoreError, match="malformed"):
        ks.unseal({"format": "stembus-keystore", "version": 1}, "p")
    with pytest.raises(ks.KeystoreError, match="version 1"):
        ks.unseal({"format": "other", "version": 1}, "p")
    with pytest.raises(ks.KeystoreError):
        ks.seal(b"x", "", label="x", cost=CHEAP)


def test_share_transport_only_opens_for_the_recipient() -> None:
    (a, a_pub), (b, b_pub), (c, c_pub) = (ks.new_transport_key() for _ in range(3))
    nonce, ct = ks.encrypt_share(
        b"\x01" * 32, params_hash=b"h" * 32, sender=1, sender_private=a, recipient=2, recipient_public=b_pub
    )
    opened = ks.decrypt_share(
        nonce, ct, params_hash=b"h" * 32, sender=1, sender_public=a_pub, recipient=2, recipient_private=b
    )
    assert opened == b"\x01" * 32
    for kwargs in (
        {"recipient_private": c},
        {"recipient": 3},
        {"sender": 3},
        {"params_hash": b"g" * 32},
        {"sender_public": c_pub},
    ):
        args = {"params_hash": b"h" * 32, "sender": 1, "sender_public": a_pub, "recipient": 2, "recipient_private": b}
        with pytest.raises(ks.KeystoreError):
            ks.decrypt_share(nonce, ct, **(args | kwargs))  # type: ignore[arg-type]
