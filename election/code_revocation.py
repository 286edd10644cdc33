"""Replacing a lost voting code: the old credential is revoked and a new one listed, also while voting is open.

Before voting opens the credential lists are not yet part of ``H_E``: the old credential is simply
marked revoked and the new one stored. Once voting has opened the lists are frozen, so the change
is published on the board in one transaction: a ``credential_revoked`` entry for the old credential
(group, credential, the committee's reason code; nothing personal) directly followed by a
``credential_added`` entry for the new one. The verifier replays both in board order
(``crypto.credential_book``).

The revocation entry takes the old credential's slot in the board's unique
``(election, counted_credential)`` constraint, the slot its ballot would take: a replacement and a
cast with the old code at the same moment cannot both succeed. A voter whose code has already cast
a ballot keeps that ballot and gets no replacement ("already voted").

In server mode the new code is drawn here, returned once for the one-person letter and never stored.
In offline mode the committee member makes it with ``stembus codes generate`` from a one-person voter
file and uploads the public credential file; the server never sees the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crypto import board as bd
from crypto.credential_book import REASONS, addition_payload, revocation_payload
from crypto.credentials import derive_credential, generate_code
from election import audit_log
from election.board_store import append_entry, counted_ballot_of, lock_head, retire_credential
from election.casting import CastRefused, open_identity
from election.models import Election, ElectoralGroup, RegisterPerson
from election.models.voting import CredentialHolder, ElectionIdentity, VotingCredential
from election.offline_codes import OfflineCodesError, holder_ref, read_credential_file
from election.offline_codes_store import check_holders
from election.voting_codes import group_key, identity_of

_APPEND_ATTEMPTS = 5
SEARCH_LIMIT = 25

__all__ = ["REASONS", "CodeRevocationError", "Replacement", "find_voters", "replace_code"]


class CodeRevocationError(Exception):
    """A replacement that was refused, with nothing stored; ``code`` selects the message shown."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Replacement:
    """A replaced code. ``code`` is set in server mode only, in memory, for the letter; never stored."""

    person_id: int
    name: str
    language: str
    group_name: str
    department: str
    on_board: bool
    code: str | None = None


@dataclass(frozen=True)
class VoterCode:
    """A voter as the replacement page shows them: who, which group, and the state of their code."""

    person_id: int
    name: str
    employee_number: str
    group: str
    status: str  # "live", "voted", "retired" or "no_code"


def live_credential(db: Session, election_id: int, person_id: int) -> VotingCredential | None:
    """The voter's credential that is not revoked (the newest, should there ever be two)."""
    query = (
        select(VotingCredential)
        .join(CredentialHolder, CredentialHolder.credential_id == VotingCredential.id)
        .where(CredentialHolder.person_id == person_id, VotingCredential.election_id == election_id)
        .where(VotingCredential.revoked.is_(False))
        .order_by(VotingCredential.id.desc())
    )
    return db.scalars(query).first()


def code_status(db: Session, election_id: int, person_id: int) -> str:
    """``live`` (replaceable), ``voted`` (a ballot was cast with it), ``retired`` (e.g. voted on paper), ``no_code``."""
    credential = live_credential(db, election_id, person_id)
    if credential is None:
        return "no_code"
    used = counted_ballot_of(db, election_id, credential.credential)
    if used is None:
        return "live"
    return "voted" if used.type == bd.BALLOT else "retired"


def find_voters(db: Session, election: Election, text: str) -> list[VoterCode]:
    """Voters with an active voting right whose name contains ``text`` or whose employee number is ``text``."""
    text = text.strip()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(RegisterPerson, ElectoralGroup.name)
        .join(ElectoralGroup, ElectoralGroup.id == RegisterPerson.electoral_group_id)
        .where(RegisterPerson.election_id == election.id, RegisterPerson.active.is_(True))
        .where(or_(RegisterPerson.name.ilike(pattern, escape="\\"), RegisterPerson.employee_number == text))
        .order_by(RegisterPerson.name, RegisterPerson.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        VoterCode(p.id, p.name, p.employee_number, group, code_status(db, election.id, p.id))
        for p, group in db.execute(query).all()
    ]


def replaceable_person(db: Session, election: Election, person_id: int) -> tuple[RegisterPerson, ElectoralGroup]:
    """The voter and their group, if they have an active voting right here; ``CodeRevocationError`` otherwise."""
    person = db.get(RegisterPerson, person_id)
    if person is None or person.election_id != election.id or not person.active or person.electoral_group_id is None:
        raise CodeRevocationError("not_eligible", "this person has no active voting right in this election")
    group = db.get(ElectoralGroup, person.electoral_group_id)
    assert group is not None
    return person, group


def _check_state(db: Session, identity: ElectionIdentity, old: VotingCredential | None, now: datetime) -> None:
    if old is None:
        raise CodeRevocationError("no_code", "this voter has no voting code to replace")
    if identity.opened_at is None:
        return
    try:
        open_identity(db, identity.election_id, now)
    except CastRefused:
        raise CodeRevocationError("not_voting", "voting has closed: codes can no longer be replaced") from None
    used = counted_ballot_of(db, identity.election_id, old.credential)
    if used is not None and used.type == bd.BALLOT:
        # The ballot stays; one voter, one ballot: no second code.
        raise CodeRevocationError("already_voted", "this voter has already voted with their code")
    if used is not None:
        raise CodeRevocationError("retired", "this voter's code was already taken out of use on the board")


def _new_public(
    db: Session, election: Election, identity: ElectionIdentity, person: RegisterPerson, uploaded: bytes | None
) -> tuple[str, str | None]:
    """The new public credential (hex) and, in server mode, its code."""
    if identity.credential_mode == "offline":
        if uploaded is None:
            raise CodeRevocationError("upload_needed", "upload the public credential file made offline for this voter")
        holdings = read_credential_file(uploaded, identity.uuid, identity.manifest_hash)
        if len(holdings) != 1 or holdings[0].ref != holder_ref(person.id):
            raise OfflineCodesError(
                "not_this_voter", "the file must hold this one voter's new credential only", 1, holdings[0].ref
            )
        [(_, holding)] = check_holders(db, election, holdings, [person])
        return holding.credential, None
    code = generate_code()
    _, public = derive_credential(code, identity.uuid, bytes.fromhex(identity.manifest_hash))
    return public.hex(), code


def _store_new(
    db: Session, identity: ElectionIdentity, person: RegisterPerson, group: ElectoralGroup, public: str, now: datetime
) -> None:
    row = VotingCredential(
        election_id=identity.election_id, electoral_group_id=group.id, credential=public, issued_at=now
    )
    db.add(row)
    db.flush()
    db.add(CredentialHolder(election_id=identity.election_id, person_id=person.id, credential_id=row.id))
    db.flush()


def _publish(
    db: Session,
    identity: ElectionIdentity,
    person: RegisterPerson,
    group: ElectoralGroup,
    old: VotingCredential,
    public: str,
    reason: str,
    now: datetime,
) -> int:
    """Revoke, list the new credential and append both entries, in one savepoint; returns the revocation's seq."""
    gid = group_key(group)
    revoked = revocation_payload(gid, bytes.fromhex(old.credential), reason)
    added = addition_payload(gid, bytes.fromhex(public), bytes.fromhex(old.credential))
    for _ in range(_APPEND_ATTEMPTS):
        try:
            with db.begin_nested():
                lock_head(db, identity.election_id)
                old.revoked, old.revoked_at = True, now
                _store_new(db, identity, person, group, public, now)
                entry = retire_credential(db, identity, bd.CREDENTIAL_REVOKED, revoked, old.credential, gid, now)
                append_entry(
                    db,
                    identity,
                    bd.CREDENTIAL_ADDED,
                    bd.payload_hash(bd.CREDENTIAL_ADDED, added),
                    added,
                    now,
                    group_key=gid,
                )
            return entry.seq
        except IntegrityError:
            # A ballot under the old code arrived a moment ago (refuse: it stays), or, on SQLite only,
            # another entry took the same sequence number (append again after it).
            db.refresh(old)
            _check_state(db, identity, old, now)
    raise CodeRevocationError("busy", "the board is busy; try again")


def replace_code(
    db: Session,
    election: Election,
    person_id: int,
    reason: str,
    actor: str,
    now: datetime,
    *,
    uploaded: bytes | None = None,
) -> Replacement:
    """Revoke a voter's code and list a new one, in the caller's transaction.

    Refused (``CodeRevocationError``, nothing stored) when no codes exist yet, the reason is not a
    known code, the person has no active voting right or no live code, voting has closed, the voter
    has already voted (their ballot stays) or their code was already retired; in offline mode with
    ``OfflineCodesError`` naming the row when the uploaded file is not this voter's new public
    credential under this manifest. The audit log records
    who replaced whose code and why, never the code.
    """
    identity = identity_of(db, election.id)
    if identity is None:
        raise CodeRevocationError("not_issued", "no voting codes have been issued yet")
    if reason not in REASONS:
        raise CodeRevocationError("reason", "choose why the code is replaced")
    person, group = replaceable_person(db, election, person_id)
    old = live_credential(db, election.id, person.id)
    _check_state(db, identity, old, now)
    assert old is not None
    public, code = _new_public(db, election, identity, person, uploaded)
    seq: int | None = None
    if identity.opened_at is None:
        old.revoked, old.revoked_at = True, now
        _store_new(db, identity, person, group, public, now)
    else:
        seq = _publish(db, identity, person, group, old, public, reason, now)
    audit_log.record(
        db,
        actor,
        "voting_code_replaced",
        election.id,
        person=person.id,
        reason=reason,
        board_seq=seq,
        mode=identity.credential_mode,
    )
    return Replacement(
        person.id,
        person.name,
        "en" if person.language == "en" else "nl",
        group.name,
        person.department or "",
        seq is not None,
        code,
    )
