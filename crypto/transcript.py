"""The one Fiat-Shamir hash of Stembus: SHA-512 over a domain label and length-prefixed parts.

Byte layout (see docs/protocol.md, "Transcript hash")::

    SHA-512( u32(len(label)) ‖ label ‖ u32(len(p1)) ‖ p1 ‖ … ‖ u32(len(pn)) ‖ pn )

``u32`` is a 4-byte big-endian unsigned length. A label is ASCII and starts with ``stembus/v1/``.
A part is ``bytes`` (taken as is), ``str`` (its UTF-8 bytes) or ``int`` (8 bytes big-endian,
``0 <= n < 2**64``). Which type sits at which position is fixed by each protocol message, so the
encoding is injective for a given label.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable

from crypto.group import Scalar, scalar_from_wide

LABEL_PREFIX = "stembus/v1/"

Part = bytes | str | int

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_MAX_PART = 2**32 - 1
_LEN32 = _U32.pack(32)


class TranscriptError(ValueError):
    """A label or part cannot be encoded into a transcript."""


def encode_part(part: Part) -> bytes:
    """Return the bytes a part contributes to the transcript, before its length prefix."""
    if isinstance(part, bytes):
        return part
    if isinstance(part, bool):
        raise TranscriptError("booleans are not transcript parts; use 0 or 1")
    if isinstance(part, int):
        if not 0 <= part < 2**64:
            raise TranscriptError(f"integer part out of range 0..2**64-1: {part}")
        return _U64.pack(part)
    if isinstance(part, str):
        return part.encode("utf-8")
    if isinstance(part, bytearray | memoryview):
        return bytes(part)
    raise TranscriptError(f"unsupported transcript part type {type(part).__name__}")


def transcript_bytes(label: str, *parts: Part) -> bytes:
    """Return the exact byte string that ``digest`` hashes (for test vectors and other verifiers)."""
    if not label.startswith(LABEL_PREFIX) or not label.isascii():
        raise TranscriptError(f"label must be ASCII and start with {LABEL_PREFIX!r}: {label!r}")
    lab = label.encode("ascii")
    chunks = [_U32.pack(len(lab)), lab]
    append, pack = chunks.append, _U32.pack
    for part in parts:
        # Most parts are 32-byte group elements and scalars: take them as they are.
        raw = part if type(part) is bytes else encode_part(part)
        n = len(raw)
        if n > _MAX_PART:
            raise TranscriptError("transcript part longer than 2**32-1 bytes")
        append(_LEN32 if n == 32 else pack(n))
        append(raw)
    return b"".join(chunks)


def digest(label: str, *parts: Part) -> bytes:
    """Return the 64-byte SHA-512 transcript hash of ``label`` and ``parts``.

    Two different (label, parts) sequences with the same part types give different inputs to
    SHA-512, so a collision here is a SHA-512 collision.
    """
    return hashlib.sha512(transcript_bytes(label, *parts)).digest()


def hash_to_scalar(label: str, *parts: Part) -> Scalar:
    """Return the transcript hash read as a 64-byte little-endian integer reduced modulo L.

    The result is statistically uniform; this is every Fiat-Shamir challenge and every derived
    secret in Stembus.
    """
    return scalar_from_wide(digest(label, *parts))


def seeded_scalars(seed: bytes) -> Callable[[], Scalar]:
    """Return a deterministic source of scalars for reproducible test vectors only.

    The n-th call (from 0) returns ``hash_to_scalar("stembus/v1/test-nonce", seed, n)``. Never use
    it for real ballots or keys: anyone who knows the seed knows every secret.
    """
    counter = 0

    def next_scalar() -> Scalar:
        nonlocal counter
        s = hash_to_scalar("stembus/v1/test-nonce", seed, counter)
        counter += 1
        return s

    return next_scalar
