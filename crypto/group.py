"""The prime-order group ristretto255 (RFC 9496), through libsodium.

Every value that crosses a trust boundary is a 32-byte canonical encoding: a ``Point`` is the
RFC 9496 encoding of a group element, a ``Scalar`` is a little-endian integer strictly below
the group order ``L``. The readers here (``point_from_bytes``, ``scalar_from_bytes`` and their
hex forms) are the only way outside bytes become group values, and they refuse anything
non-canonical, so each value has exactly one encoding.

libsodium's ristretto255 API has three sharp edges that this module smooths over:

* a scalar multiplication whose result is the identity reports an error (``0·B``); here it
  returns ``IDENTITY``;
* the all-zero encoding of the identity passes libsodium's validity check; here it is refused
  unless the caller explicitly allows the identity;
* libsodium silently reduces scalars of ``L`` or more and ignores their top bit; here such
  encodings are refused on input.
"""

from __future__ import annotations

import ctypes
import hashlib
import secrets
from typing import NewType

import pysodium

Point = NewType("Point", bytes)
"""A canonical 32-byte ristretto255 encoding of a group element."""

Scalar = NewType("Scalar", bytes)
"""A canonical 32-byte little-endian integer in ``0 .. L-1``."""

L = 2**252 + 27742317777372353535851937790883648493
"""The order of the ristretto255 group."""

POINT_BYTES = 32
SCALAR_BYTES = 32
MIN_LIBSODIUM = (1, 0, 18)

_sodium = pysodium.sodium


class GroupError(ValueError):
    """A byte string is not an acceptable group element or scalar, or an operation is undefined."""


def libsodium_version() -> tuple[int, int, int]:
    """Return the version of the libsodium library loaded at run time."""
    _sodium.sodium_version_string.restype = ctypes.c_char_p
    text = _sodium.sodium_version_string().decode("ascii")
    parts = [int(p) for p in text.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


def check_libsodium_version() -> None:
    """Refuse to run on a libsodium older than 1.0.18, the first release with ristretto255.

    Raises ``RuntimeError`` naming the version found.
    """
    found = libsodium_version()
    if found < MIN_LIBSODIUM:
        raise RuntimeError(
            f"libsodium {'.'.join(map(str, found))} found;"
            f" ristretto255 needs at least {'.'.join(map(str, MIN_LIBSODIUM))}"
        )
    if _sodium.sodium_init() < 0:
        raise RuntimeError("libsodium failed to initialise")


check_libsodium_version()

IDENTITY = Point(bytes(32))
"""The neutral element; its canonical encoding is 32 zero bytes."""

BASE = Point(bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))
"""The RFC 9496 generator B."""

ZERO = Scalar(bytes(32))
ONE = Scalar((1).to_bytes(32, "little"))


# --- decoding and encoding -------------------------------------------------------------------


def is_valid_encoding(b: bytes) -> bool:
    """True when ``b`` is a canonical ristretto255 encoding (the identity included).

    The top bit must be clear (RFC 9496, section 4.3.1): libsodium 1.0.18 ignores it, which would
    give every element a second encoding.
    """
    return len(b) == POINT_BYTES and not b[31] & 0x80 and _sodium.crypto_core_ristretto255_is_valid_point(bytes(b)) == 1


def point_from_bytes(b: bytes, *, allow_identity: bool = False) -> Point:
    """Return ``b`` as a ``Point`` if it is a canonical encoding of a group element.

    The identity is refused unless ``allow_identity`` is set: it is never a valid public key,
    credential or ciphertext randomiser. Raises ``GroupError`` with the reason.
    """
    if not isinstance(b, bytes | bytearray):
        raise GroupError(f"a group element must be bytes, got {type(b).__name__}")
    b = bytes(b)
    if len(b) != POINT_BYTES:
        raise GroupError(f"a group element is {POINT_BYTES} bytes, got {len(b)}")
    if b[31] & 0x80:
        # libsodium 1.0.18 ignores the top bit; RFC 9496 requires it clear, so each element keeps one encoding.
        raise GroupError("not a canonical ristretto255 encoding (top bit set)")
    if b == IDENTITY:
        if not allow_identity:
            raise GroupError("the identity element is not allowed here")
    elif _fast.AVAILABLE:
        # libdecaf's decoding applies the same RFC 9496 rules (tests/crypto/test_fastgroup.py checks
        # that it agrees with libsodium plus the top-bit rule) and keeps the decoded point for the
        # verifier's arithmetic.
        _fast.decode(b)
    elif _sodium.crypto_core_ristretto255_is_valid_point(b) != 1:
        raise GroupError("not a canonical ristretto255 encoding")
    return Point(b)


def scalar_from_bytes(b: bytes) -> Scalar:
    """Return ``b`` as a ``Scalar`` if it is a 32-byte little-endian integer below ``L``.

    Non-canonical encodings (``L`` or more) are refused: libsodium would reduce them silently,
    giving one value two encodings. Raises ``GroupError``.
    """
    if not isinstance(b, bytes | bytearray):
        raise GroupError(f"a scalar must be bytes, got {type(b).__name__}")
    b = bytes(b)
    if len(b) != SCALAR_BYTES:
        raise GroupError(f"a scalar is {SCALAR_BYTES} bytes, got {len(b)}")
    if int.from_bytes(b, "little") >= L:
        raise GroupError("scalar is not canonical (not below the group order)")
    return Scalar(b)


def scalar_from_int(n: int) -> Scalar:
    """Return the scalar ``n mod L`` (any integer, negative ones included)."""
    return Scalar((n % L).to_bytes(32, "little"))


def scalar_to_int(s: Scalar) -> int:
    """Return the integer value (``0 .. L-1``) of a scalar."""
    return int.from_bytes(s, "little")


def scalar_from_wide(b: bytes) -> Scalar:
    """Reduce a 64-byte little-endian string modulo ``L``: a uniform scalar from a uniform hash."""
    if len(b) != 64:
        raise GroupError(f"wide reduction takes 64 bytes, got {len(b)}")
    return Scalar((int.from_bytes(b, "little") % L).to_bytes(32, "little"))


def random_scalar() -> Scalar:
    """Return a uniformly random non-zero scalar from the operating system's CSPRNG."""
    while True:
        n = int.from_bytes(secrets.token_bytes(64), "little") % L
        if n:
            return Scalar(n.to_bytes(32, "little"))


def point_to_hex(p: Point) -> str:
    """Lower-case hex of a point's canonical encoding."""
    return p.hex()


def point_from_hex(h: str, *, allow_identity: bool = False) -> Point:
    """Parse 64 hex characters into a validated ``Point`` (see ``point_from_bytes``)."""
    return point_from_bytes(_unhex(h, "group element"), allow_identity=allow_identity)


def scalar_to_hex(s: Scalar) -> str:
    """Lower-case hex of a scalar's canonical encoding."""
    return s.hex()


def scalar_from_hex(h: str) -> Scalar:
    """Parse 64 hex characters into a validated canonical ``Scalar``."""
    return scalar_from_bytes(_unhex(h, "scalar"))


def _unhex(h: str, what: str) -> bytes:
    if not isinstance(h, str):
        raise GroupError(f"a {what} must be a hex string, got {type(h).__name__}")
    # Upper case would give a second spelling of the same value.
    if len(h) != 64 or h != h.lower():
        raise GroupError(f"a {what} is 64 lower-case hex characters")
    try:
        return bytes.fromhex(h)
    except ValueError:
        raise GroupError(f"a {what} is 64 lower-case hex characters") from None


# --- group operations --------------------------------------------------------------------------
# The arguments are trusted to be valid encodings (they came through the readers above or from
# these functions); libsodium's error return is then only the identity case.


def base_mul(s: Scalar) -> Point:
    """Return ``s·B``; the identity for ``s = 0``."""
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_scalarmult_ristretto255_base(out, s) != 0:
        return IDENTITY
    return Point(out.raw)


def mul(s: Scalar, p: Point) -> Point:
    """Return ``s·P``; the identity when ``s = 0`` or ``P`` is the identity.

    Raises ``GroupError`` if ``P`` is not a valid encoding.
    """
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_scalarmult_ristretto255(out, s, p) != 0:
        if len(p) != 32 or _sodium.crypto_core_ristretto255_is_valid_point(p) != 1:
            raise GroupError("not a canonical ristretto255 encoding")
        return IDENTITY
    return Point(out.raw)


def add(p: Point, q: Point) -> Point:
    """Return ``P + Q``. Raises ``GroupError`` if either is not a valid encoding."""
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_core_ristretto255_add(out, p, q) != 0:
        raise GroupError("not a canonical ristretto255 encoding")
    return Point(out.raw)


def sub(p: Point, q: Point) -> Point:
    """Return ``P - Q``. Raises ``GroupError`` if either is not a valid encoding."""
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_core_ristretto255_sub(out, p, q) != 0:
        raise GroupError("not a canonical ristretto255 encoding")
    return Point(out.raw)


def neg(p: Point) -> Point:
    """Return ``-P``."""
    return sub(IDENTITY, p)


def int_mul(n: int, p: Point) -> Point:
    """Return ``n·P`` for any integer ``n`` (reduced modulo ``L``)."""
    return mul(scalar_from_int(n), p)


# --- scalar arithmetic modulo L ----------------------------------------------------------------
# Plain Python integers: as fast as a ctypes round trip and free of libsodium's reduction quirks.


def scalar_add(a: Scalar, b: Scalar) -> Scalar:
    """Return ``a + b mod L``."""
    n = (int.from_bytes(a, "little") + int.from_bytes(b, "little")) % L
    return Scalar(n.to_bytes(32, "little"))


def scalar_sub(a: Scalar, b: Scalar) -> Scalar:
    """Return ``a - b mod L``."""
    n = (int.from_bytes(a, "little") - int.from_bytes(b, "little")) % L
    return Scalar(n.to_bytes(32, "little"))


def scalar_mul(a: Scalar, b: Scalar) -> Scalar:
    """Return ``a · b mod L``."""
    n = (int.from_bytes(a, "little") * int.from_bytes(b, "little")) % L
    return Scalar(n.to_bytes(32, "little"))


def scalar_neg(a: Scalar) -> Scalar:
    """Return ``-a mod L``."""
    return Scalar((-int.from_bytes(a, "little") % L).to_bytes(32, "little"))


def scalar_inv(a: Scalar) -> Scalar:
    """Return ``a^-1 mod L``. Raises ``GroupError`` for zero, which has no inverse."""
    n = int.from_bytes(a, "little") % L
    if n == 0:
        raise GroupError("zero has no inverse")
    return Scalar(pow(n, -1, L).to_bytes(32, "little"))


# --- deriving elements ---------------------------------------------------------------------------


def point_from_uniform(b: bytes) -> Point:
    """RFC 9496 element derivation: map 64 uniformly random bytes to a group element."""
    if len(b) != 64:
        raise GroupError(f"element derivation takes 64 bytes, got {len(b)}")
    out = ctypes.create_string_buffer(32)
    if _sodium.crypto_core_ristretto255_from_hash(out, bytes(b)) != 0:
        raise GroupError("element derivation failed")
    return Point(out.raw)


def hash_to_point(label: bytes) -> Point:
    """Derive a group element nobody knows the discrete log of: RFC 9496 derivation of SHA-512(label).

    Used for any generator beyond ``B``, so that it is verifiably not chosen.
    """
    return point_from_uniform(hashlib.sha512(label).digest())


# Imported last: crypto.fastgroup needs ``GroupError`` and ``L`` from above.
from crypto import fastgroup as _fast  # noqa: E402
