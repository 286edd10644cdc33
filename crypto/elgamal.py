"""Exponential ElGamal over ristretto255.

A ciphertext of the count ``m`` under the public key ``Y = s·B`` with randomness ``r`` is
``(alpha, beta) = (r·B, m·B + r·Y)``. Adding ciphertexts adds the counts, so a tally is the sum of
the ballots' ciphertexts; decryption yields ``m·B``, from which ``crypto.dlog`` recovers ``m``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from crypto import fastgroup as fg
from crypto import group as g
from crypto.dlog import solve
from crypto.group import Point, Scalar

ScalarSource = Callable[[], Scalar]


class CiphertextError(ValueError):
    """A serialised ciphertext is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An ElGamal pair ``(alpha, beta) = (r·B, m·B + r·Y)``."""

    alpha: Point
    beta: Point

    def to_dict(self) -> dict[str, str]:
        """Return ``{"alpha": hex, "beta": hex}``."""
        return {"alpha": self.alpha.hex(), "beta": self.beta.hex()}

    @classmethod
    def from_dict(cls, d: object, *, allow_identity: bool = False) -> Ciphertext:
        """Parse and validate a ciphertext; both parts must be canonical group elements.

        Fresh ballot ciphertexts never contain the identity, so it is refused unless
        ``allow_identity`` is set (an aggregate may, with negligible probability, hold it).
        """
        if not isinstance(d, Mapping) or set(d) != {"alpha", "beta"}:
            raise CiphertextError("a ciphertext is an object with exactly 'alpha' and 'beta'")
        parts = {}
        for name in ("alpha", "beta"):
            try:
                parts[name] = g.point_from_hex(d[name], allow_identity=allow_identity)
            except g.GroupError as exc:
                raise CiphertextError(f"{name}: {exc}") from None
        return cls(parts["alpha"], parts["beta"])


ZERO_CIPHERTEXT = Ciphertext(g.IDENTITY, g.IDENTITY)
"""The trivial encryption of 0, the neutral element of ciphertext addition."""


def keypair(rng: ScalarSource = g.random_scalar) -> tuple[Scalar, Point]:
    """Return a fresh secret key ``s`` and public key ``Y = s·B``."""
    s = rng()
    return s, g.base_mul(s)


def encode_count(m: int) -> Point:
    """Return ``m·B``, the group encoding of a count (the identity for 0)."""
    if m == 0:
        return g.IDENTITY
    if m == 1:
        return g.BASE
    return g.base_mul(g.scalar_from_int(m))


def encrypt(
    public_key: Point, m: int, r: Scalar | None = None, *, rng: ScalarSource = g.random_scalar
) -> tuple[Ciphertext, Scalar]:
    """Encrypt the count ``m >= 0`` and return the ciphertext and its randomness ``r``.

    ``r`` is drawn from ``rng`` unless given; a zero ``r`` is refused since it would publish ``m·B``.
    """
    if m < 0:
        raise ValueError("a count cannot be negative")
    if r is None:
        r = rng()
    if r == g.ZERO:
        raise ValueError("zero randomness would reveal the plaintext")
    alpha = g.base_mul(r)
    beta = g.add(encode_count(m), g.mul(r, public_key))
    return Ciphertext(alpha, beta), r


def add(a: Ciphertext, b: Ciphertext) -> Ciphertext:
    """Return an encryption of the sum of the two counts (randomness adds too)."""
    return Ciphertext(g.add(a.alpha, b.alpha), g.add(a.beta, b.beta))


def sum_ciphertexts(cts: Iterable[Ciphertext]) -> Ciphertext:
    """Return the homomorphic sum of ``cts``; the trivial encryption of 0 for none.

    The parts must be valid encodings (``GroupError`` otherwise); they are public, so libdecaf adds
    them when it is available (one decoding per part instead of one per addition).
    """
    if fg.AVAILABLE:
        items = list(cts)
        a = fg.total(fg.decode(ct.alpha) for ct in items)
        b = fg.total(fg.decode(ct.beta) for ct in items)
        return Ciphertext(Point(fg.encode(a)), Point(fg.encode(b)))
    alpha, beta = g.IDENTITY, g.IDENTITY
    for ct in cts:
        alpha = g.add(alpha, ct.alpha)
        beta = g.add(beta, ct.beta)
    return Ciphertext(alpha, beta)


def scale(k: int, ct: Ciphertext) -> Ciphertext:
    """Return an encryption of ``k·m`` (randomness ``k·r``)."""
    ks = g.scalar_from_int(k)
    return Ciphertext(g.mul(ks, ct.alpha), g.mul(ks, ct.beta))


def rerandomise(
    public_key: Point, ct: Ciphertext, r: Scalar | None = None, *, rng: ScalarSource = g.random_scalar
) -> tuple[Ciphertext, Scalar]:
    """Return a fresh-looking encryption of the same count, and the randomness added."""
    zero, r = encrypt(public_key, 0, r, rng=rng)
    return add(ct, zero), r


def decryption_factor(secret: Scalar, ct: Ciphertext) -> Point:
    """Return ``s·alpha``; with a threshold share ``s_j`` this is member j's decryption share."""
    return g.mul(secret, ct.alpha)


def unblind(ct: Ciphertext, factor: Point) -> Point:
    """Return ``beta - factor``, which is ``m·B`` when ``factor = s·alpha`` for the full key ``s``."""
    return g.sub(ct.beta, factor)


def decrypt_to_point(secret: Scalar, ct: Ciphertext) -> Point:
    """Decrypt with the whole secret key, returning ``m·B``."""
    return unblind(ct, decryption_factor(secret, ct))


def decrypt(secret: Scalar, ct: Ciphertext, bound: int = 1_000_000) -> int:
    """Decrypt with the whole secret key and solve for the count (``0 <= m <= bound``)."""
    return solve(decrypt_to_point(secret, ct), bound)
