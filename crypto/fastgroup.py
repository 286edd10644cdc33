"""Faster ristretto255 arithmetic for *verification*, through libdecaf, with a libsodium fallback.

libdecaf's 255-bit group is ristretto255 (RFC 9496): the same elements, the same canonical encodings
and the same generator as libsodium. Unlike libsodium it exposes decoded points, so a point is decoded
(and thereby validated) once and then added for about a microsecond, and it has two faster
multiplications that this module uses:

* ``base_combine(s1, P, s2) = s1·B + s2·P``, a *variable-time* double-scalar multiplication;
* ``Table(P)``, a precomputed table for any point (the election's joint key ``Y``), after which
  ``s·P`` costs about as much as a fixed-base multiplication.

Variable time leaks the scalars through timing, which is harmless here: every input of a verifier is
public (proofs, ciphertexts, keys). This module must never see a secret; provers and key generation
keep using ``crypto.group`` (libsodium, constant time).

``AVAILABLE`` is true when ``libdecaf.so.0`` loads and passes a self-test against known values at
import; otherwise (or with ``STEMBUS_NO_LIBDECAF=1`` in the environment) every caller falls back to
``crypto.group``. The decoding here is an *additional* check: callers still validate every outside
value with ``crypto.group`` first, and a point libdecaf refuses raises ``GroupError`` too.

Decoded points are immutable by convention: every operation writes to a fresh buffer. Decoding goes
through a small cache (the 42 points of a ballot are used by its proofs, by its sum and by the
aggregate), cleared whenever it fills, so memory stays bounded.

The ``*_encoded`` functions and ``branch_commitments`` compute combinations and return only their
encodings: a proof's commitments are needed only as bytes for its challenge hash, so they are computed
in per-thread scratch buffers instead of fresh points (the web service verifies ballots on several
threads; libdecaf runs without the interpreter lock, so scratch space is never shared between threads).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from crypto.group import GroupError, L

_POINT_SIZE = 256  # four field elements, each five 64-bit limbs padded to 64 bytes (32-byte aligned)
_ALIGN = 32
_DECAF_SUCCESS = -1
_DECAF_TRUE = ctypes.c_uint64(2**64 - 1)
_CACHE_LIMIT = 512
_TABLE_LIMIT = 8

_BASE_HEX = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
_TWO_B_HEX = "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919"


def _load() -> ctypes.CDLL | None:
    if os.environ.get("STEMBUS_NO_LIBDECAF", "") not in ("", "0"):
        return None
    for name in ("libdecaf.so.0", "libdecaf.so"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        try:
            _declare(lib)
        except AttributeError:
            return None
        return lib
    return None


def _declare(lib: ctypes.CDLL) -> None:
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    table = (
        ("decaf_255_point_decode", ctypes.c_int, (vp, cp, ctypes.c_uint64)),
        ("decaf_255_point_encode", None, (vp, vp)),
        ("decaf_255_point_add", None, (vp, vp, vp)),
        ("decaf_255_point_sub", None, (vp, vp, vp)),
        ("decaf_255_point_double_scalarmul", None, (vp, vp, cp, vp, cp)),
        ("decaf_255_base_double_scalarmul_non_secret", None, (vp, cp, vp, cp)),
        ("decaf_255_precompute", None, (vp, vp)),
        ("decaf_255_precomputed_scalarmul", None, (vp, vp, cp)),
        ("decaf_255_scalar_decode", ctypes.c_int, (vp, cp)),
    )
    for name, restype, argtypes in table:
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


_lib = _load()
_BASE_TABLE = ctypes.c_void_p.in_dll(_lib, "decaf_255_precomputed_base").value if _lib is not None else None
_ZERO_SCALAR = bytes(32)
_PointBuffer = ctypes.c_char * (_POINT_SIZE + _ALIGN)


class Element:
    """A decoded ristretto255 point held in libdecaf's internal form (never modified once made)."""

    __slots__ = ("_buf", "ptr")

    def __init__(self) -> None:
        self._buf = _PointBuffer()
        address = ctypes.addressof(self._buf)
        self.ptr = address + (-address % _ALIGN)


def _scalar(s: bytes) -> bytes:
    """A scalar as libdecaf takes it: for a canonical scalar its 32 bytes are libdecaf's own layout
    (little-endian 64-bit limbs; checked by the self-test). Anything else raises ``GroupError``.

    A top byte below 0x10 means a value below 2**252 < L, so the full comparison is needed only when
    the top byte is 0x10 or more."""
    if len(s) != 32 or (s[31] > 0x0F and int.from_bytes(s, "little") >= L):
        raise GroupError("scalar is not canonical (not below the group order)")
    return s


_cache: dict[bytes, Element] = {}
_tables: dict[bytes, Table] = {}


def decode(b: bytes) -> Element:
    """Decode a canonical encoding (the identity included); ``GroupError`` if libdecaf refuses it."""
    hit = _cache.get(b)
    if hit is not None:
        return hit
    assert _lib is not None
    if len(b) != 32:
        raise GroupError("a group element is 32 bytes")
    e = Element()
    if _lib.decaf_255_point_decode(e.ptr, bytes(b), _DECAF_TRUE) != _DECAF_SUCCESS:
        raise GroupError("not a canonical ristretto255 encoding")
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[bytes(b)] = e
    return e


def encode(e: Element) -> bytes:
    """The canonical 32-byte encoding of ``e``."""
    assert _lib is not None
    out = ctypes.create_string_buffer(32)
    _lib.decaf_255_point_encode(ctypes.addressof(out), e.ptr)
    return out.raw


def add(p: Element, q: Element) -> Element:
    """``P + Q``."""
    assert _lib is not None
    out = Element()
    _lib.decaf_255_point_add(out.ptr, p.ptr, q.ptr)
    return out


def sub(p: Element, q: Element) -> Element:
    """``P - Q``."""
    assert _lib is not None
    out = Element()
    _lib.decaf_255_point_sub(out.ptr, p.ptr, q.ptr)
    return out


def total(points: Iterable[Element]) -> Element:
    """The sum of ``points`` (the identity for none)."""
    acc = IDENTITY
    for p in points:
        acc = add(acc, p)
    return acc


def base_combine(s1: bytes, p: Element, s2: bytes) -> Element:
    """``s1·B + s2·P`` in variable time (public scalars only).

    libdecaf 1.0.2's variable-time routine returns the identity whenever ``s2`` is zero, whatever
    ``s1``; that case is computed with the fixed-base table instead (a prover may choose a zero
    challenge for a simulated branch, so it must be right).
    """
    assert _lib is not None
    out = Element()
    if s2 == _ZERO_SCALAR:
        _lib.decaf_255_precomputed_scalarmul(out.ptr, _BASE_TABLE, _scalar(s1))
    else:
        _lib.decaf_255_base_double_scalarmul_non_secret(out.ptr, _scalar(s1), p.ptr, _scalar(s2))
    return out


def mul(s: bytes, p: Element) -> Element:
    """``s·P`` in variable time (public scalars only)."""
    return base_combine(_ZERO_SCALAR, p, s)


def combine(s1: bytes, p1: Element, s2: bytes, p2: Element) -> Element:
    """``s1·P1 + s2·P2``."""
    assert _lib is not None
    out = Element()
    _lib.decaf_255_point_double_scalarmul(out.ptr, p1.ptr, _scalar(s1), p2.ptr, _scalar(s2))
    return out


class Table:
    """A precomputed table of multiples of one point, for repeated ``s·P`` with the same ``P``."""

    __slots__ = ("_buf", "ptr")

    def __init__(self, p: Element) -> None:
        assert _lib is not None
        size = ctypes.c_size_t.in_dll(_lib, "decaf_255_sizeof_precomputed_s").value
        self._buf = ctypes.create_string_buffer(size + _ALIGN)
        address = ctypes.addressof(self._buf)
        self.ptr = ctypes.c_void_p(address + (-address % _ALIGN))
        _lib.decaf_255_precompute(self.ptr, p.ptr)

    def mul(self, s: bytes) -> Element:
        """``s·P``."""
        assert _lib is not None
        out = Element()
        _lib.decaf_255_precomputed_scalarmul(out.ptr, self.ptr, _scalar(s))
        return out


class _Scratch(threading.local):
    """Per-thread work space for the ``*_encoded`` functions: three points and one encoding."""

    def __init__(self) -> None:
        self.p1, self.p2, self.p3 = Element(), Element(), Element()
        self.out = ctypes.create_string_buffer(32)
        self.out_at = ctypes.addressof(self.out)


_scratch = _Scratch()


def base_combine_encoded(s1: bytes, p: Element, s2: bytes) -> bytes:
    """The encoding of ``s1·B + s2·P`` (variable time, public scalars only; as ``base_combine``)."""
    assert _lib is not None
    w = _scratch
    if s2 == _ZERO_SCALAR:
        _lib.decaf_255_precomputed_scalarmul(w.p1.ptr, _BASE_TABLE, _scalar(s1))
    else:
        _lib.decaf_255_base_double_scalarmul_non_secret(w.p1.ptr, _scalar(s1), p.ptr, _scalar(s2))
    _lib.decaf_255_point_encode(w.out_at, w.p1.ptr)
    return w.out.raw


def table_base_combine_encoded(t: Table, s0: bytes, s1: bytes, p: Element, s2: bytes) -> bytes:
    """The encoding of ``s0·T + s1·B + s2·P`` for the point ``T`` of table ``t`` (public scalars only).

    One fixed-point multiplication with the table plus one variable-time double multiplication: the
    ``b`` commitment of a range-proof branch, ``v·Y + (c·beta - j·c·B)``.
    """
    assert _lib is not None
    w = _scratch
    _lib.decaf_255_precomputed_scalarmul(w.p1.ptr, t.ptr, _scalar(s0))
    if s2 == _ZERO_SCALAR:
        _lib.decaf_255_precomputed_scalarmul(w.p2.ptr, _BASE_TABLE, _scalar(s1))
    else:
        _lib.decaf_255_base_double_scalarmul_non_secret(w.p2.ptr, _scalar(s1), p.ptr, _scalar(s2))
    _lib.decaf_255_point_add(w.p3.ptr, w.p1.ptr, w.p2.ptr)
    _lib.decaf_255_point_encode(w.out_at, w.p3.ptr)
    return w.out.raw


def branch_commitments(
    t: Table, alpha: Element, beta: Element, lo: int, challenges: Iterable[bytes], responses: Iterable[bytes]
) -> list[bytes]:
    """The encodings ``a_lo, b_lo, a_lo+1, b_lo+1, …`` of a range proof's commitments, for verification.

    Branch ``j`` (from ``lo`` on) with challenge ``c`` and response ``v``: ``a_j = v·B + c·alpha`` and
    ``b_j = v·T + (c·beta - j·c·B)``, where ``T`` is the point of table ``t`` (the joint key). The same
    arithmetic as ``base_combine_encoded`` and ``table_base_combine_encoded``, in one loop.
    """
    assert _lib is not None
    lib, w = _lib, _scratch
    dbl = lib.decaf_255_base_double_scalarmul_non_secret
    fixed, enc, add_ = lib.decaf_255_precomputed_scalarmul, lib.decaf_255_point_encode, lib.decaf_255_point_add
    p1, p2, p3, out, out_at = w.p1.ptr, w.p2.ptr, w.p3.ptr, w.out, w.out_at
    a_at, b_at = alpha.ptr, beta.ptr
    result: list[bytes] = []
    j = lo
    for c, v in zip(challenges, responses, strict=True):
        _scalar(c)
        _scalar(v)
        shift = _ZERO_SCALAR if j == 0 else ((-j * int.from_bytes(c, "little")) % L).to_bytes(32, "little")
        if c == _ZERO_SCALAR:
            # libdecaf's double multiplication is wrong for a zero second scalar (see base_combine).
            fixed(p1, _BASE_TABLE, v)
            fixed(p2, _BASE_TABLE, shift)
        else:
            dbl(p1, v, a_at, c)
            dbl(p2, shift, b_at, c)
        enc(out_at, p1)
        result.append(out.raw)
        fixed(p1, t.ptr, v)
        add_(p3, p1, p2)
        enc(out_at, p3)
        result.append(out.raw)
        j += 1
    return result


def table(b: bytes) -> Table:
    """The (cached) table of the point encoded by ``b``; for the joint key, used by every proof."""
    hit = _tables.get(b)
    if hit is None:
        if len(_tables) >= _TABLE_LIMIT:
            _tables.clear()
        hit = _tables[bytes(b)] = Table(decode(b))
    return hit


def cached_table(b: bytes) -> Table | None:
    """The table of ``b`` if one was already built (by ``table``), else None."""
    return _tables.get(b)


def _self_test() -> bool:
    """Check libdecaf against known ristretto255 values, and its scalar layout, before trusting it."""
    assert _lib is not None
    try:
        one = (1).to_bytes(32, "little")
        two = (2).to_bytes(32, "little")
        base = decode(bytes.fromhex(_BASE_HEX))
        identity = decode(bytes(32))
        layout = True
        for n in (0, 1, 2, 2**64 + 3, 2**200 + 2**130 + 7, L - 1):
            raw = n.to_bytes(32, "little")
            out = ctypes.create_string_buffer(32)
            ok = _lib.decaf_255_scalar_decode(ctypes.addressof(out), raw) == _DECAF_SUCCESS
            layout = layout and ok and out.raw == raw
        checks = (
            layout,
            encode(base).hex() == _BASE_HEX,
            encode(base_combine(one, identity, two)).hex() == _BASE_HEX,
            encode(base_combine(one, base, one)).hex() == _TWO_B_HEX,
            encode(base_combine(two, base, bytes(32))).hex() == _TWO_B_HEX,
            encode(base_combine(bytes(32), base, two)).hex() == _TWO_B_HEX,
            encode(Table(base).mul(two)).hex() == _TWO_B_HEX,
            encode(combine(one, base, one, base)).hex() == _TWO_B_HEX,
            encode(sub(base, base)) == bytes(32),
        )
    except GroupError:
        return False
    finally:
        _cache.clear()
    return all(checks)


IDENTITY = Element()
AVAILABLE = (
    _lib is not None
    and _lib.decaf_255_point_decode(IDENTITY.ptr, bytes(32), _DECAF_TRUE) == _DECAF_SUCCESS
    and _self_test()
)
"""True when verification uses libdecaf (library present, self-test passed, not disabled)."""


@contextmanager
def disabled() -> Iterator[None]:
    """Run a block with libdecaf switched off (the libsodium path); for tests and benchmarks."""
    global AVAILABLE
    saved = AVAILABLE
    AVAILABLE = False
    try:
        yield
    finally:
        AVAILABLE = saved
