"""Voting codes and the credential key pair each one derives.

A voting code (in Dutch: *stemcode*) is printed on the voter's letter. It is 23 random characters
from a 31-character alphabet without look-alikes (no 0/O, 1/I/L), about 113.9 bits of entropy, plus
one check character, shown in six groups of four: ``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``.

The code derives the credential deterministically: ``x = H2S("stembus/v1/cred", H_P, uuid, code)``
and ``X = x·B``. The server and the election record hold only ``X``; a ballot carries a Schnorr
signature by ``x`` whose challenge covers ``X`` and the election hash ``H_E``.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable

from crypto import group as g
from crypto.group import Point, Scalar
from crypto.proofs import SchnorrProof, prove_schnorr, verify_schnorr
from crypto.transcript import Part, hash_to_scalar

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""31 symbols (a prime, which makes the check character catch every single-character substitution
and every swap of two adjacent characters)."""

PAYLOAD_LENGTH = 23
CODE_LENGTH = PAYLOAD_LENGTH + 1
GROUP_SIZE = 4
LABEL_CREDENTIAL = "stembus/v1/cred"
LABEL_BALLOT_SIGNATURE = "stembus/v1/ballot-sig"

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_IGNORED = set(" -\t\n\r")

Signature = SchnorrProof
"""A credential signature: the same (challenge, response) pair as a Schnorr proof."""


class CodeError(ValueError):
    """A typed voting code cannot be read; the message says what is wrong."""


def check_character(payload: str) -> str:
    """Return the check character of a 23-character payload.

    With ``v_i`` the value of character ``i`` (0-based), the check value ``v_23`` makes
    ``sum((i + 2)·v_i for i < 23) + v_23 ≡ 0 (mod 31)``.
    """
    total = sum((i + 2) * _VALUE[ch] for i, ch in enumerate(payload))
    return ALPHABET[-total % 31]


def generate_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """Return a fresh voting code, grouped for printing, drawn from the OS CSPRNG."""
    payload = "".join(choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return format_code(payload + check_character(payload))


def format_code(code: str) -> str:
    """Group a normalised 24-character code as ``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``."""
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))


def normalise_code(typed: str) -> str:
    """Return the 24 upper-case characters of a typed code, checking alphabet and check character.

    Case, spaces and dashes are ignored. Raises ``CodeError`` naming the first bad character or a
    failed check character (a typing error).
    """
    chars = [ch.upper() if ch.isascii() else ch for ch in typed if ch not in _IGNORED]
    for pos, ch in enumerate(chars, start=1):
        if ch not in _VALUE:
            raise CodeError(f"character {pos} ({ch!r}) does not occur in voting codes")
    if len(chars) != CODE_LENGTH:
        raise CodeError(f"a voting code has {CODE_LENGTH} characters, this one has {len(chars)}")
    code = "".join(chars)
    if check_character(code[:PAYLOAD_LENGTH]) != code[-1]:
        raise CodeError("the check character does not match: the code contains a typing error")
    return code


def _canonical_uuid(election_uuid: str | uuid.UUID) -> str:
    try:
        return str(uuid.UUID(str(election_uuid)))
    except ValueError:
        raise ValueError(f"not a UUID: {election_uuid!r}") from None


def derive_credential(code: str, election_uuid: str | uuid.UUID, params_hash: bytes) -> tuple[Scalar, Point]:
    """Derive the credential key pair ``(x, X = x·B)`` from a voting code.

    ``x = H2S("stembus/v1/cred", H_P, uuid, code)`` with the UUID in lower-case hyphenated form and
    the code normalised (24 upper-case characters, no dashes). The same code always gives the same
    pair; a code for another election gives an unrelated one.
    """
    if len(params_hash) not in (32, 64):
        raise ValueError("the parameters hash is 32 or 64 bytes")
    x = hash_to_scalar(LABEL_CREDENTIAL, params_hash, _canonical_uuid(election_uuid), normalise_code(code))
    if x == g.ZERO:  # probability 2**-252; refuse rather than publish the identity
        raise ValueError("voting code derives the zero scalar")
    return x, g.base_mul(x)


def sign(
    secret: Scalar,
    election_hash: bytes,
    *parts: Part,
    label: str = LABEL_BALLOT_SIGNATURE,
    rng: Callable[[], Scalar] = g.random_scalar,
) -> Signature:
    """Sign ``parts`` with the credential secret ``x``.

    Challenge: ``c = H(label, H_E, *parts, X, A)`` with ``X = x·B`` and ``A = w·B``; so a signature
    is bound to this election and to this public credential.
    """
    return prove_schnorr(secret, g.base_mul(secret), label=label, context=(election_hash, *parts), rng=rng)


def verify_signature(
    public: Point,
    signature: Signature,
    election_hash: bytes,
    *parts: Part,
    label: str = LABEL_BALLOT_SIGNATURE,
) -> bool:
    """True iff ``signature`` was made over exactly these parts by the holder of ``public``."""
    return verify_schnorr(public, signature, label=label, context=(election_hash, *parts))
