"""Personal self-check links: each person in the register can see their own entry, and only that.

A link carries a random token of 192 bits in the URL fragment (``/register/self#t=...``), which
browsers never send to the server, so it does not reach access logs. The database keeps only the
token's SHA-256: a copy of the database opens no entry. Issuing a new link for a person makes the
old one stop working.

Delivery: :func:`issue_links` returns the tokens once. The committee hands them to HR as a CSV
(:func:`links_csv`); e-mail delivery can take the same :class:`IssuedLink` values and put one
message per person in the outbox, built with :func:`self_check_url`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.models import RegisterPerson

TOKEN_BYTES = 24  # 192 bits: guessing is hopeless even without the rate limit
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}\Z")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued token for one person. The token exists nowhere else: deliver it, then drop it."""

    person_id: int
    employee_number: str
    name: str
    email: str
    language: str
    token: str


def self_check_url(base_url: str, token: str) -> str:
    """The personal link: the self-check page with the token in the fragment."""
    return f"{base_url}#t={token}"


def issue_links(
    db: Session,
    election_id: int,
    actor: str,
    now: datetime,
    *,
    reissue: bool = False,
    person_ids: Sequence[int] | None = None,
) -> list[IssuedLink]:
    """Give people of the register a new token and return the tokens (audit-logged, without them).

    By default only people without a link get one; ``reissue`` replaces every link (old links stop
    working); ``person_ids`` limits the issue to those people of this election.
    """
    query = select(RegisterPerson).where(RegisterPerson.election_id == election_id)
    if person_ids is not None:
        query = query.where(RegisterPerson.id.in_(list(person_ids)))
    elif not reissue:
        query = query.where(RegisterPerson.token_hash.is_(None))
    issued: list[IssuedLink] = []
    for person in db.scalars(query.order_by(RegisterPerson.employee_number)):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        person.token_hash = hash_token(token)
        person.token_issued_at = now
        issued.append(IssuedLink(person.id, person.employee_number, person.name, person.email, person.language, token))
    db.flush()
    audit_log.record(
        db,
        actor,
        "register_links_issued",
        election_id=election_id,
        count=len(issued),
        reissue=reissue or person_ids is not None,
        employee_numbers=[i.employee_number for i in issued] if person_ids is not None else None,
    )
    return issued


def person_for_token(db: Session, token: str) -> RegisterPerson | None:
    """The one register entry this token opens, or None for anything else."""
    candidate = token.strip()
    if not _TOKEN_SHAPE.match(candidate):
        return None
    return db.scalar(select(RegisterPerson).where(RegisterPerson.token_hash == hash_token(candidate)))


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula; quote it as text.
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def links_csv(links: Iterable[IssuedLink], base_url: str, header: Sequence[str]) -> str:
    """A CSV for HR: employee number, name, e-mail and personal link, one person per row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for link in links:
        writer.writerow(
            [_cell(link.employee_number), _cell(link.name), _cell(link.email), self_check_url(base_url, link.token)]
        )
    return out.getvalue()
