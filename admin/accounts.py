"""Committee accounts: passwords (argon2id), TOTP second factor, lock-outs.

The TOTP secret is sealed with a key derived from the instance secret, so a database dump alone
does not give anyone the second factor.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from election.clock import as_utc
from election.models.committee import CommitteeMember, Role

# RFC 9106 second recommended option, lighter on memory so parallel logins fit on a small host.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
# Checked when the e-mail is unknown, so the answer takes as long as for a real account.
_DUMMY_HASH = _hasher.hash("no such account: constant-time filler")
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def _sealing_key(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"stembus/v1/totp-seal").derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal_totp_secret(secret: str, secret_key: str) -> str:
    """Encrypt a TOTP secret for storage."""
    nonce = os.urandom(12)
    sealed = _sealing_key(secret_key).encrypt(nonce, secret.encode(), b"totp")
    return base64.b64encode(nonce + sealed).decode()


def open_totp_secret(sealed: str, secret_key: str) -> str:
    """Decrypt a stored TOTP secret."""
    raw = base64.b64decode(sealed)
    return _sealing_key(secret_key).decrypt(raw[:12], raw[12:], b"totp").decode()


def create_member(
    db: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    secret_key: str,
    totp_secret: str | None = None,
) -> tuple[CommitteeMember, str]:
    """Create an account; returns it with the TOTP secret to show once for enrolment."""
    email = email.strip().lower()
    if db.scalar(select(func.count()).select_from(CommitteeMember).where(CommitteeMember.email == email)):
        raise AccountError("An account with this e-mail address already exists.")
    secret = totp_secret or pyotp.random_base32()
    member = CommitteeMember(
        email=email,
        name=name,
        role=role.value,
        password_hash=hash_password(password),
        totp_secret_sealed=seal_totp_secret(secret, secret_key),
        totp_last_step=0,
        failed_logins=0,
    )
    db.add(member)
    db.flush()
    return member, secret


@dataclass(frozen=True)
class PasswordCheck:
    """Outcome of the first login step. ``member`` is set only when the password was right."""

    member: CommitteeMember | None
    locked: bool = False


def check_password(
    db: Session, email: str, password: str, now: datetime, *, max_failures: int, lockout: timedelta
) -> PasswordCheck:
    """Verify e-mail and password, counting failures per account in the database.

    The caller shows one message for every failure, so nobody learns whether an address exists.
    """
    member = db.scalar(select(CommitteeMember).where(CommitteeMember.email == email.strip().lower()))
    if member is None:
        _verify(_DUMMY_HASH, password)
        return PasswordCheck(None)
    if member.locked_until is not None and as_utc(member.locked_until) > now:
        _verify(_DUMMY_HASH, password)
        return PasswordCheck(None, locked=True)
    if not _verify(member.password_hash, password):
        member.failed_logins += 1
        if member.failed_logins >= max_failures:
            member.locked_until = now + lockout
            member.failed_logins = 0
        return PasswordCheck(None)
    if _hasher.check_needs_rehash(member.password_hash):
        member.password_hash = _hasher.hash(password)
    return PasswordCheck(member)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_totp(member: CommitteeMember, code: str, now: datetime, secret_key: str) -> bool:
    """Accept a TOTP code once: a code whose time step was already used is refused (no replay)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(open_totp_secret(member.totp_secret_sealed, secret_key))
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now - 1, step_now, step_now + 1):  # one step of clock drift either way
        if step <= member.totp_last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            member.totp_last_step = step
            return True
    return False
