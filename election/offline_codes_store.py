"""The server's side of offline voting codes: the files for the offline machine, and the upload back.

The server hands out the frozen manifest and the voter file and takes back only the public
credential file (``election.offline_codes``). The upload is checked whole before anything is stored:
made under this manifest's hash, every expected voter exactly once in their own electoral group, no
one else, every credential a valid point not yet known to this election. Then, in one transaction,
each credential is stored with its holder. Nothing the server stores or logs can give a code back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.models import Election, ElectoralGroup, RegisterPerson
from election.models.voting import CredentialHolder, ElectionIdentity, VotingCredential
from election.offline_codes import (
    CREDENTIALS_FORMAT,
    VERSION,
    VOTERS_FORMAT,
    Holding,
    OfflineCodesError,
    holder_ref,
    person_of,
    read_credential_file,
)
from election.voting_codes import (
    VotingSetupError,
    bound_ceremony,
    group_key,
    identity_of,
    manifest_of,
)

__all__ = ["CREDENTIALS_FORMAT", "OfflineCodesError", "expected_voters", "upload_credentials", "voter_file"]


def offline_identity(db: Session, election: Election) -> ElectionIdentity:
    """The frozen identity of an election whose codes are made offline; ``VotingSetupError`` otherwise."""
    identity = identity_of(db, election.id)
    if identity is None:
        raise VotingSetupError(
            "no_manifest", "the election manifest is frozen when the key ceremony is set up: hold the ceremony first"
        )
    if identity.credential_mode != "offline":
        raise VotingSetupError("not_offline", "this election's voting codes are made by the server")
    return identity


def _live_holders(db: Session, election_id: int) -> set[int]:
    query = (
        select(CredentialHolder.person_id)
        .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
        .where(CredentialHolder.election_id == election_id, VotingCredential.revoked.is_(False))
    )
    return set(db.scalars(query))


def expected_voters(db: Session, election: Election, identity: ElectionIdentity) -> list[RegisterPerson]:
    """Voters with an active voting right in a group that holds a vote and without a live code yet."""
    voting = {g["id"] for g in manifest_of(identity)["groups"]}
    have = _live_holders(db, election.id)
    query = (
        select(RegisterPerson)
        .where(RegisterPerson.election_id == election.id, RegisterPerson.active.is_(True))
        .where(RegisterPerson.electoral_group_id.is_not(None))
        .order_by(RegisterPerson.electoral_group_id, RegisterPerson.name, RegisterPerson.id)
    )
    return [
        p
        for p in db.scalars(query)
        if p.electoral_group_id is not None and group_key(p.electoral_group_id) in voting and p.id not in have
    ]


def voter_file(
    db: Session,
    election: Election,
    booth: dict[str, str],
    mail_from: str,
    people: Iterable[RegisterPerson] | None = None,
) -> dict[str, Any]:
    """The voter file for ``stembus codes generate``: every voter still without a code, or ``people``.

    Personal data (name, e-mail, department, location) leaves the server only in this file, for the
    letters and mails; the public credential file that comes back holds references only.
    """
    identity = offline_identity(db, election)
    names = {
        grp.id: grp.name for grp in db.scalars(select(ElectoralGroup).where(ElectoralGroup.election_id == election.id))
    }
    chosen = list(people) if people is not None else expected_voters(db, election, identity)
    voters = []
    for person in chosen:
        assert person.electoral_group_id is not None
        voters.append(
            {
                "ref": holder_ref(person.id),
                "name": person.name,
                "employee_number": person.employee_number,
                "group": group_key(person.electoral_group_id),
                "group_name": names.get(person.electoral_group_id, ""),
                "language": "en" if person.language == "en" else "nl",
                "email": person.email or "",
                "department": person.department or "",
                "location": person.location or "",
            }
        )
    return {
        "format": VOTERS_FORMAT,
        "version": VERSION,
        "election": identity.uuid,
        "manifest_hash": identity.manifest_hash,
        "organisation": election.organisation,
        "booth": booth,
        "mail_from": mail_from,
        "voters": voters,
    }


def check_holders(
    db: Session, election: Election, holdings: list[Holding], expected: list[RegisterPerson]
) -> list[tuple[RegisterPerson, Holding]]:
    """Match the file's rows to the expected voters: each exactly once, in their own group, nobody else."""
    by_id = {p.id: p for p in expected}
    matched: list[tuple[RegisterPerson, Holding]] = []
    for row, holding in enumerate(holdings, start=1):
        person = by_id.get(person_of(holding.ref))
        if person is None:
            raise OfflineCodesError(
                "unexpected_holder", "this person is not a voter waiting for a code in this election", row, holding.ref
            )
        assert person.electoral_group_id is not None
        if holding.group != group_key(person.electoral_group_id):
            raise OfflineCodesError(
                "wrong_group",
                f"group {holding.group} is not this voter's electoral group ({group_key(person.electoral_group_id)})",
                row,
                holding.ref,
            )
        matched.append((person, holding))
    missing = sorted(set(by_id) - {p.id for p, _ in matched})
    if missing:
        refs = ", ".join(holder_ref(i) for i in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise OfflineCodesError(
            "missing_holder",
            f"{len(missing)} voter(s) have no credential in the file: {refs}",
            count=len(missing),
            refs=refs,
        )
    known = set(
        db.scalars(
            select(VotingCredential.credential).where(
                VotingCredential.election_id == election.id,
                VotingCredential.credential.in_([h.credential for _, h in matched]),
            )
        )
    )
    for row, (_, holding) in enumerate(matched, start=1):
        if holding.credential in known:
            raise OfflineCodesError(
                "duplicate_credential", "this credential is already known to this election", row, holding.ref
            )
    return matched


def store_holdings(
    db: Session, identity: ElectionIdentity, matched: list[tuple[RegisterPerson, Holding]], now: datetime
) -> list[VotingCredential]:
    """Store each public credential with its holder, in the caller's transaction."""
    rows = []
    for person, holding in matched:
        assert person.electoral_group_id is not None
        row = VotingCredential(
            election_id=identity.election_id,
            electoral_group_id=person.electoral_group_id,
            credential=holding.credential,
            issued_at=now,
        )
        db.add(row)
        rows.append(row)
    db.flush()
    for (person, _), row in zip(matched, rows, strict=True):
        db.add(CredentialHolder(election_id=identity.election_id, person_id=person.id, credential_id=row.id))
    db.flush()
    return rows


def upload_credentials(db: Session, election: Election, raw: bytes, actor: str, now: datetime) -> int:
    """Take the public credential file for every voter still without a code; returns how many were stored.

    Refused whole (``OfflineCodesError`` naming the row, or ``VotingSetupError``), with nothing stored,
    unless the manifest is frozen for offline codes, its key ceremony is complete and bound to it,
    voting has not opened, and the file passes every check of the module docstring.
    """
    identity = offline_identity(db, election)
    if identity.opened_at is not None:
        raise VotingSetupError("opened", "voting has opened: the credential lists are final")
    bound_ceremony(db, identity)
    expected = expected_voters(db, election, identity)
    if not expected:
        raise VotingSetupError("all_issued", "every voter already has a voting code")
    holdings = read_credential_file(raw, identity.uuid, identity.manifest_hash)
    matched = check_holders(db, election, holdings, expected)
    store_holdings(db, identity, matched, now)
    audit_log.record(db, actor, "voting_codes_uploaded", election.id, count=len(matched), mode="offline")
    return len(matched)
