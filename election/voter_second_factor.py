"""The voters' optional second factor: a one-time code by e-mail besides the voting code.

When the regulation profile asks for it (``voter_second_factor``), a ballot is accepted only with
the one-time code the server mailed to the credential holder's address on the register, so a
stolen letter alone cannot vote. The server learns nothing new by it: it already knows who holds
which credential (for turnout), never how anyone voted.

The code is six digits, lives ten minutes, allows five wrong tries and is used once; the database
keeps only an HMAC of it under the instance key, bound to the election and the credential. A new
code can be asked for once a minute; asking again replaces the earlier one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from election.board_store import counted_ballot_of
from election.casting import CastRefused
from election.clock import as_utc
from election.mail import queue_message
from election.models import Election, RegisterPerson
from election.models.second_factor import VoterSecondFactor
from election.models.voting import CredentialHolder, VotingCredential
from election.procedure_store import regulation_of

DIGITS = 6
LIFETIME = timedelta(minutes=10)
RESEND_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5


def required(election: Election) -> bool:
    """Whether this election's regulation asks voters for the e-mailed one-time code."""
    return regulation_of(election).voter_second_factor


def _code_hash(secret_key: str, election_id: int, credential: str, code: str) -> str:
    message = f"stembus/v1/voter-second-factor\x00{election_id}\x00{credential}\x00{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _holder(db: Session, election_id: int, credential: str) -> RegisterPerson:
    query = (
        select(RegisterPerson)
        .join(CredentialHolder, CredentialHolder.person_id == RegisterPerson.id)
        .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
        .where(VotingCredential.election_id == election_id, VotingCredential.credential == credential)
    )
    person = db.scalars(query).first()
    if person is None:
        raise CastRefused("unknown_credential", 403)
    if not person.email:
        raise CastRefused("second_factor_no_email", 409)
    return person


def send_code(db: Session, election: Election, credential: str, secret_key: str, now: datetime) -> None:
    """Mail a fresh one-time code to the holder of ``credential``; refuses a resend within a minute."""
    person = _holder(db, election.id, credential)
    row = db.scalars(
        select(VoterSecondFactor).where(
            VoterSecondFactor.election_id == election.id, VoterSecondFactor.credential == credential
        )
    ).first()
    if row is not None and now - as_utc(row.sent_at) < RESEND_AFTER:
        raise CastRefused("second_factor_wait", 429)
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    if row is None:
        row = VoterSecondFactor(election_id=election.id, credential=credential)
        db.add(row)
    row.code_hash = _code_hash(secret_key, election.id, credential, code)
    row.sent_at, row.expires_at, row.attempts, row.used_at = now, now + LIFETIME, 0, None
    db.flush()
    _mail(db, election, person, code, f"voter-second-factor:{row.id}:{now.isoformat()}")


def _mail(db: Session, election: Election, person: RegisterPerson, code: str, key: str) -> None:
    locale = "en" if (person.language or "").lower().startswith("en") else "nl"
    with force_locale(locale):
        subject = _("Your one-time code for voting: %(org)s", org=election.organisation)
        text = _(
            "Dear %(name)s,\n\nYour one-time code for voting in the works council election of %(org)s is "
            "%(code)s. It is valid for ten minutes. Type it in the voting page together with your voting code.\n\n"
            "Did you not ask for this code? Then someone may have your voting code: tell the election committee.\n\n"
            "The election committee",
            name=person.name,
            org=election.organisation,
            code=code,
        )
    queue_message(
        db,
        dedupe_key=key,
        recipient=person.email,
        subject=subject,
        text=text,
        kind="voter_second_factor",
        language=locale,
        election_id=election.id,
        sensitive=True,
    )


def use_code(db: Session, election_id: int, credential: str, typed: str, secret_key: str, now: datetime) -> None:
    """Accept ``typed`` once for ``credential`` in the caller's transaction, or refuse (``CastRefused``)."""
    row = db.scalars(
        select(VoterSecondFactor).where(
            VoterSecondFactor.election_id == election_id, VoterSecondFactor.credential == credential
        )
    ).first()
    if row is None or row.used_at is not None or now >= as_utc(row.expires_at):
        raise CastRefused("second_factor_expired", 403)
    if row.attempts >= MAX_ATTEMPTS:
        raise CastRefused("second_factor_locked", 403)
    cleaned = "".join(ch for ch in typed if ch in "0123456789")
    if not hmac.compare_digest(row.code_hash, _code_hash(secret_key, election_id, credential, cleaned)):
        raise CastRefused("second_factor_wrong", 403)
    row.used_at = now


def guard_cast(db: Session, election_id: int, body: Any, typed: str, secret_key: str, now: datetime) -> None:
    """Before a cast: use up the voter's one-time code when the election asks for one.

    A credential that already has a ballot goes on to casting without it, so an identical retry
    after a dropped connection still gets its receipt (any other ballot is refused as already voted).
    """
    election = db.get(Election, election_id)
    credential = body.get("credential") if isinstance(body, dict) else None
    if election is None or not required(election) or not isinstance(credential, str):
        return
    if counted_ballot_of(db, election_id, credential.lower()) is None:
        use_code(db, election_id, credential.lower(), typed, secret_key, now)


def count_wrong_try(db: Session, election_id: int, credential: str) -> None:
    """Count a wrong one-time code against the credential's current code (after the cast was rolled back)."""
    row = db.scalars(
        select(VoterSecondFactor).where(
            VoterSecondFactor.election_id == election_id, VoterSecondFactor.credential == credential
        )
    ).first()
    if row is not None:
        row.attempts += 1
