"""Keeping committee secrets: a passphrase-sealed blob for storage, and share transport in the DKG.

* ``seal``/``unseal``: a versioned JSON blob; the key is argon2id(passphrase, salt) and the secret is
  encrypted with ChaCha20-Poly1305, its header (format, version, KDF parameters, label) as
  associated data, so no field can be swapped without the passphrase holder noticing.
* ``encrypt_share``/``decrypt_share``: a DKG share from member i to member j, under a key derived
  with HKDF-SHA-256 from the static X25519 keys of both; only those two can read it, and the
  associated data pins ``H_P``, ``i`` and ``j``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.transcript import transcript_bytes

FORMAT = "stembus-keystore"
VERSION = 1
LABEL_SHARE_KEY = "stembus/v1/dkg-share-key"


class KeystoreError(ValueError):
    """A sealed blob or an encrypted share cannot be opened or is malformed."""


@dataclass(frozen=True, slots=True)
class Argon2Cost:
    """argon2id cost: ``time_cost`` passes over ``memory_kib`` KiB with ``parallelism`` lanes."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


def _kdf(passphrase: str, salt: bytes, cost: Argon2Cost) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _header_bytes(header: Mapping[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def seal(secret: bytes, passphrase: str, *, label: str, cost: Argon2Cost | None = None) -> dict[str, Any]:
    """Encrypt ``secret`` under ``passphrase``; return the JSON-ready blob.

    ``label`` says what is inside (e.g. ``"member 3 share, election <uuid>"``) and is authenticated.
    """
    if not passphrase:
        raise KeystoreError("an empty passphrase protects nothing")
    cost = cost or Argon2Cost()
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "label": label,
        "kdf": {
            "name": "argon2id",
            "salt": salt.hex(),
            "time_cost": cost.time_cost,
            "memory_kib": cost.memory_kib,
            "parallelism": cost.parallelism,
        },
        "aead": "chacha20poly1305",
        "nonce": nonce.hex(),
    }
    key = _kdf(passphrase, salt, cost)
    ciphertext = ChaCha20Poly1305(key).encrypt(nonce, secret, _header_bytes(header))
    return {**header, "ciphertext": ciphertext.hex()}


def unseal(blob: Mapping[str, Any], passphrase: str) -> bytes:
    """Return the secret in ``blob``. Raises ``KeystoreError`` for a wrong passphrase or any change."""
    try:
        if blob["format"] != FORMAT or blob["version"] != VERSION:
            raise KeystoreError("not a version 1 Stembus keystore blob")
        kdf = blob["kdf"]
        if kdf["name"] != "argon2id" or blob["aead"] != "chacha20poly1305":
            raise KeystoreError("unsupported key derivation or cipher")
        cost = Argon2Cost(int(kdf["time_cost"]), int(kdf["memory_kib"]), int(kdf["parallelism"]))
        salt, nonce = bytes.fromhex(kdf["salt"]), bytes.fromhex(blob["nonce"])
        ciphertext = bytes.fromhex(blob["ciphertext"])
        header = {k: v for k, v in blob.items() if k != "ciphertext"}
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, KeystoreError):
            raise
        raise KeystoreError(f"malformed keystore blob: {exc}") from None
    key = _kdf(passphrase, salt, cost)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, ciphertext, _header_bytes(header))
    except InvalidTag:
        raise KeystoreError("wrong passphrase, or the blob was altered") from None


# --- DKG share transport -----------------------------------------------------------------------


def new_transport_key() -> tuple[X25519PrivateKey, bytes]:
    """Return a member's X25519 private key and its 32-byte public key for receiving shares."""
    private = X25519PrivateKey.generate()
    return private, private.public_key().public_bytes_raw()


def _share_key(private: X25519PrivateKey, peer_public: bytes, info: bytes) -> ChaCha20Poly1305:
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError as exc:
        raise KeystoreError(f"bad X25519 public key: {exc}") from None
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    return ChaCha20Poly1305(key)


def _share_info(params_hash: bytes, sender: int, recipient: int, pub_s: bytes, pub_r: bytes) -> bytes:
    return transcript_bytes(LABEL_SHARE_KEY, params_hash, sender, recipient, pub_s, pub_r)


def encrypt_share(
    share: bytes,
    *,
    params_hash: bytes,
    sender: int,
    sender_private: X25519PrivateKey,
    recipient: int,
    recipient_public: bytes,
) -> tuple[bytes, bytes]:
    """Encrypt a 32-byte share from ``sender`` to ``recipient``; return ``(nonce, ciphertext)``."""
    pub_s = sender_private.public_key().public_bytes_raw()
    info = _share_info(params_hash, sender, recipient, pub_s, recipient_public)
    nonce = secrets.token_bytes(12)
    return nonce, _share_key(sender_private, recipient_public, info).encrypt(nonce, share, info)


def decrypt_share(
    nonce: bytes,
    ciphertext: bytes,
    *,
    params_hash: bytes,
    sender: int,
    sender_public: bytes,
    recipient: int,
    recipient_private: X25519PrivateKey,
) -> bytes:
    """Open a share sent to ``recipient``. Raises ``KeystoreError`` if it was not made for them."""
    pub_r = recipient_private.public_key().public_bytes_raw()
    info = _share_info(params_hash, sender, recipient, sender_public, pub_r)
    try:
        return _share_key(recipient_private, sender_public, info).decrypt(nonce, ciphertext, info)
    except InvalidTag:
        raise KeystoreError(f"share from member {sender} cannot be opened by member {recipient}") from None
