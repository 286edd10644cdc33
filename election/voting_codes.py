"""Single-use voting codes (stemcodes): freezing the election manifest, issuing, revoking, opening.

Default ("server") mode: the server draws each code with ``crypto.credentials.generate_code``,
derives the public credential ``X`` from it (``derive_credential(code, uuid, H_P)``), stores only
``X``, hands the code to delivery (a sensitive e-mail or a printed letter) and forgets it. In the
high-assurance ("offline") mode of the regulation profile the server never sees a code: a committee
member makes them with ``stembus codes generate`` and uploads only the public credentials
(``election.offline_codes``). The manifest's ``credential_mode`` records which mode was used.

Order of events (``crypto/simulate.py`` is the reference):

1. ``freeze_manifest`` - when the lists are final, at the latest when the key ceremony is set up
   (``election.ceremony_relay.set_up_ceremony``): the manifest of ``docs/election-record.md``
   section 2 is fixed, with its hash ``H_P`` and a fresh election UUID. The committee's ``t`` of
   ``n`` comes from the regulation profile, so no ceremony is needed yet;
2. the key ceremony runs bound to that ``H_P`` (its transcript's params hash is the manifest hash);
3. ``issue_codes`` - once that ceremony is complete, one credential per voter with an active
   voting right, per electoral group, derived under the same ``H_P``;
4. ``revoke_and_reissue`` - a lost code is revoked and replaced before voting opens; while voting
   is open ``election.code_revocation`` does it with ``credential_revoked``/``credential_added``
   entries on the board, because the credential lists are then part of ``H_E``;
5. ``open_voting`` (the effect of the step to ``Phase.VOTING``) - ``keys.json`` and the sorted
   credential lists are frozen into ``H_E`` exactly as ``crypto.record_hashes`` computes it, and
   the board's ``setup`` entry is appended.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crypto import board as bd
from crypto import record as rc
from crypto import record_hashes as rh
from crypto.credentials import derive_credential, generate_code
from election import audit_log
from election.ballot_layout import BallotLayout
from election.key_ceremony import CompletedCeremony, completed_ceremony
from election.list_publication import ballot_preview, groups_needing_a_vote
from election.models import Candidacy, Election, ElectoralGroup, RegisterPerson
from election.models.voting import CredentialHolder, ElectionIdentity, VotingCredential
from election.procedure import Phase
from election.procedure_store import EFFECTS, PRECONDITIONS, regulation_of, timeline_of
from election.timeline import voting_window


class VotingSetupError(Exception):
    """A voting step that cannot be taken now; ``code`` names the reason for translation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IssuedCode:
    """A code that exists only in memory, on its way to one voter; never stored."""

    person_id: int
    name: str
    email: str
    language: str
    group_name: str
    code: str


def group_key(group: ElectoralGroup | int) -> str:
    """The electoral group's id in the manifest, the ballot and on the board."""
    return f"G{group if isinstance(group, int) else group.id}"


def canonical(obj: Any) -> str:
    """Canonical JSON text, as hashed (``crypto.board.canonical_json``)."""
    return bd.canonical_json(obj).decode("utf-8")


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def register_count(db: Session, election_id: int, group_id: int) -> int:
    """Voters with an active voting right in one electoral group."""
    query = select(func.count(RegisterPerson.id)).where(
        RegisterPerson.election_id == election_id,
        RegisterPerson.electoral_group_id == group_id,
        RegisterPerson.active.is_(True),
    )
    return int(db.scalar(query) or 0)


def _manifest_group(db: Session, election: Election, group: ElectoralGroup, layout: BallotLayout) -> dict[str, Any]:
    reg = regulation_of(election)
    gid = group_key(group)
    rules: dict[str, Any] = {
        "remainder_method": reg.remainder_method,
        "remainder_threshold": str(reg.remainder_threshold),
        "preference_threshold": None if reg.preference_threshold is None else str(reg.preference_threshold),
        "surplus_seats": reg.surplus_seats,
        "lot_seed": secrets.token_hex(16),
    }
    earmarks = _earmarks(db, group, layout)
    if earmarks:
        rules["earmarks"] = earmarks
    doc: dict[str, Any] = {
        "id": gid,
        "name": group.name,
        "system": layout.system,
        "seats": layout.seats,
        "register_count": register_count(db, election.id, group.id),
        "max_choices": layout.max_marks,
        "rules": rules,
        "lists": [],
        "candidates": [],
    }
    if layout.system == "list":
        doc["lists"] = [
            {
                "id": f"{gid}-L{lst.number}",
                "name": lst.name,
                "candidates": [{"id": o.key, "name": o.name} for o in lst.options],
            }
            for lst in layout.lists
        ]
    else:
        doc["candidates"] = [{"id": o.key, "name": o.name} for o in layout.candidate_options]
    return doc


def earmark_label(group: ElectoralGroup) -> str:
    """The earmark's id in the manifest and ``seats.json``: the unit's register column and value."""
    return f"{group.earmark_unit_field}:{group.earmark_unit_value}"


def _earmarks(db: Session, group: ElectoralGroup, layout: BallotLayout) -> list[dict[str, Any]]:
    """The group's earmarked seats for the seat allocation, with the ballot ids of the unit's candidates.

    Domain 4.3: the reserved seats go to candidates whose register entry is in the unit (its
    ``department`` or ``location``). A group without earmarked seats, or without a unit, has none.
    """
    field = group.earmark_unit_field
    if group.earmarked_seats <= 0 or field not in ("department", "location") or not group.earmark_unit_value:
        return []
    column = RegisterPerson.department if field == "department" else RegisterPerson.location
    on_ballot = {o.key for o in layout.candidate_options}
    in_unit = db.scalars(
        select(Candidacy.id)
        .join(RegisterPerson, RegisterPerson.id == Candidacy.person_id)
        .where(RegisterPerson.election_id == group.election_id, column == group.earmark_unit_value)
    )
    unit = {f"c{cid}" for cid in in_unit} & on_ballot
    candidates = [o.key for o in layout.candidate_options if o.key in unit]
    return [{"id": earmark_label(group), "seats": group.earmarked_seats, "candidates": candidates}]


def build_manifest(db: Session, election: Election, election_uuid: str) -> dict[str, Any]:
    """The manifest of ``docs/election-record.md`` section 2 for the groups that hold a vote.

    The committee's size and decryption threshold come from the regulation profile: the key
    ceremony is set up with the same numbers, bound to this manifest's hash.
    """
    regulation = regulation_of(election)
    groups = []
    for group in groups_needing_a_vote(db, election):
        layout = ballot_preview(db, election, group.id)
        if layout is not None:
            groups.append(_manifest_group(db, election, group, layout))
    if not groups:
        raise VotingSetupError("no_vote", "no electoral group holds a vote")
    opens, closes = voting_window(timeline_of(election))
    manifest = {
        "format": rc.FORMAT,
        "version": rc.VERSION,
        "election": {
            "id": election_uuid,
            "organisation": election.organisation,
            "title": f"Works council election {election.voting_day.isoformat()}",
            "voting_opens": _utc_text(opens),
            "voting_closes": _utc_text(closes),
        },
        "committee": {"trustees": regulation.trustees, "threshold": regulation.decryption_threshold},
        "groups": groups,
        "credential_mode": regulation.code_mode,
    }
    rc.parse_manifest(_field(manifest))  # the record verifier's own parser must accept it
    return manifest


def _field(obj: Any) -> Any:
    from crypto.record_schema import Field

    return Field(rc.MANIFEST, "", obj)


def identity_of(db: Session, election_id: int) -> ElectionIdentity | None:
    """The frozen identity of an election, if its manifest was frozen."""
    return db.scalars(select(ElectionIdentity).where(ElectionIdentity.election_id == election_id)).one_or_none()


def manifest_of(identity: ElectionIdentity) -> dict[str, Any]:
    """The frozen manifest as JSON data."""
    data: dict[str, Any] = json.loads(identity.manifest)
    return data


def freeze_manifest(db: Session, election: Election, actor: str, now: datetime) -> ElectionIdentity:
    """Fix the manifest and ``H_P`` once; returns the existing identity when already frozen."""
    existing = identity_of(db, election.id)
    if existing is not None:
        return existing
    if Phase(election.phase) is not Phase.LISTS_FINAL:
        raise VotingSetupError("phase", "the election manifest is frozen when the candidate lists are final")
    election_uuid = str(uuid.uuid4())
    manifest = build_manifest(db, election, election_uuid)
    identity = ElectionIdentity(
        election_id=election.id,
        uuid=election_uuid,
        manifest=canonical(manifest),
        manifest_hash=rh.manifest_hash(manifest).hex(),
        credential_mode=manifest["credential_mode"],
        frozen_at=now,
    )
    db.add(identity)
    db.flush()
    audit_log.record(db, actor, "manifest_frozen", election.id, manifest_hash=identity.manifest_hash)
    return identity


def bound_ceremony(db: Session, identity: ElectionIdentity) -> CompletedCeremony:
    """The completed key ceremony, checked to be bound to the frozen manifest.

    Codes are derived under ``H_P`` and ballots encrypted under the joint key, so both must belong
    to the same manifest: the transcript's params hash is the manifest hash and its ``t`` of ``n``
    is the manifest's committee. Refuses (``VotingSetupError``) otherwise.
    """
    ceremony = completed_ceremony(db, identity.election_id)
    if ceremony is None:
        raise VotingSetupError("no_keys", "the key ceremony has not been completed")
    params = ceremony.transcript.params
    if params.params_hash.hex() != identity.manifest_hash:
        raise VotingSetupError(
            "keys_unbound", "the key ceremony was not bound to the frozen election manifest (its H_P differs)"
        )
    committee = manifest_of(identity)["committee"]
    if (params.n, params.t) != (committee["trustees"], committee["threshold"]):
        raise VotingSetupError(
            "keys_unbound",
            f"the key ceremony has {params.t} of {params.n} trustees, the manifest "
            f"{committee['threshold']} of {committee['trustees']}",
        )
    return ceremony


def _eligible(db: Session, election_id: int, group_id: int) -> Iterator[RegisterPerson]:
    query = select(RegisterPerson).where(
        RegisterPerson.election_id == election_id,
        RegisterPerson.electoral_group_id == group_id,
        RegisterPerson.active.is_(True),
    )
    yield from db.scalars(query.order_by(RegisterPerson.id))


def _holders_with_live_code(db: Session, election_id: int) -> set[int]:
    query = (
        select(CredentialHolder.person_id)
        .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
        .where(CredentialHolder.election_id == election_id, VotingCredential.revoked.is_(False))
    )
    return set(db.scalars(query))


def _new_credential(
    db: Session, identity: ElectionIdentity, person: RegisterPerson, group: ElectoralGroup, now: datetime
) -> IssuedCode:
    code = generate_code()
    _, public = derive_credential(code, identity.uuid, bytes.fromhex(identity.manifest_hash))
    row = VotingCredential(
        election_id=identity.election_id, electoral_group_id=group.id, credential=public.hex(), issued_at=now
    )
    db.add(row)
    db.flush()
    db.add(CredentialHolder(election_id=identity.election_id, person_id=person.id, credential_id=row.id))
    return IssuedCode(person.id, person.name, person.email, person.language or "nl", group.name, code)


def issue_codes(db: Session, election: Election, actor: str, now: datetime) -> list[IssuedCode]:
    """Issue one code to every voter with an active voting right who has no live code yet.

    Returns the codes, in memory only, for delivery in this same request; the database keeps the
    public credentials. Refused before the manifest is frozen and the key ceremony bound to it has
    completed (see :func:`bound_ceremony`), and once voting has opened.
    """
    identity = identity_of(db, election.id)
    if identity is None:
        raise VotingSetupError(
            "no_manifest", "the election manifest is frozen when the key ceremony is set up: hold the ceremony first"
        )
    if identity.opened_at is not None:
        raise VotingSetupError("opened", "voting has opened: the credential lists are final")
    if identity.credential_mode == "offline":
        raise VotingSetupError(
            "offline", "this election's codes are made offline: upload the public credential file instead"
        )
    bound_ceremony(db, identity)
    have = _holders_with_live_code(db, election.id)
    voting_groups = {g["id"] for g in manifest_of(identity)["groups"]}
    issued: list[IssuedCode] = []
    for group in election.groups:
        if group_key(group) not in voting_groups:
            continue
        for person in _eligible(db, election.id, group.id):
            if person.id not in have:
                issued.append(_new_credential(db, identity, person, group, now))
    db.flush()
    audit_log.record(db, actor, "voting_codes_issued", election.id, count=len(issued), mode=identity.credential_mode)
    return issued


def revoke_and_reissue(db: Session, election: Election, person_id: int, actor: str, now: datetime) -> IssuedCode:
    """Revoke a voter's live code (lost, stolen) and issue a new one; the old credential is refused."""
    identity = identity_of(db, election.id)
    if identity is None:
        raise VotingSetupError("not_issued", "no voting codes have been issued yet")
    if identity.opened_at is not None:
        raise VotingSetupError("opened", "voting has opened: the credential lists are final")
    if identity.credential_mode == "offline":
        raise VotingSetupError("offline", "this election's codes are made offline: the server cannot make one")
    person = db.get(RegisterPerson, person_id)
    if person is None or person.election_id != election.id or not person.active or person.electoral_group_id is None:
        raise VotingSetupError("not_eligible", "this person has no active voting right")
    revoke(db, election, person_id, actor, now)
    group = db.get(ElectoralGroup, person.electoral_group_id)
    assert group is not None
    issued = _new_credential(db, identity, person, group, now)
    audit_log.record(db, actor, "voting_code_reissued", election.id, person=person.id)
    return issued


def revoke(db: Session, election: Election, person_id: int, actor: str, now: datetime) -> int:
    """Revoke every live code of one voter; returns how many. A revoked credential cannot vote."""
    query = (
        select(VotingCredential)
        .join(CredentialHolder, CredentialHolder.credential_id == VotingCredential.id)
        .where(CredentialHolder.person_id == person_id, VotingCredential.election_id == election.id)
        .where(VotingCredential.revoked.is_(False))
    )
    rows = list(db.scalars(query))
    for row in rows:
        row.revoked, row.revoked_at = True, now
    db.flush()
    if rows:
        audit_log.record(db, actor, "voting_code_revoked", election.id, person=person_id, count=len(rows))
    return len(rows)


def _changed_on_board(db: Session, election_id: int) -> tuple[set[str], set[str]]:
    """Credentials retired and credentials added by board entries (after voting opened)."""
    from election.models.voting import BoardEntry

    retired: set[str] = set()
    added: set[str] = set()
    query = select(BoardEntry.type, BoardEntry.payload).where(
        BoardEntry.election_id == election_id, BoardEntry.type.in_(sorted(bd.RETIRING_TYPES | bd.ADDING_TYPES))
    )
    for kind, payload in db.execute(query).all():
        credential = json.loads(payload)["credential"]
        (added if kind in bd.ADDING_TYPES else retired).add(credential)
    return retired, added


def credential_lists(db: Session, identity: ElectionIdentity) -> list[dict[str, Any]]:
    """``credentials.json``'s groups: per manifest group the sorted credentials that may vote at opening.

    Before voting opens these are the live credentials. Once it has opened they are the lists frozen
    into ``H_E``: credentials retired since by a board entry are still in them, replacements added by
    a board entry are not (the board itself publishes those changes, in order).
    """
    retired, added = _changed_on_board(db, identity.election_id) if identity.opened_at is not None else (set(), set())
    out = []
    for group in manifest_of(identity)["groups"]:
        gid = int(group["id"][1:])
        rows = db.execute(
            select(VotingCredential.credential, VotingCredential.revoked).where(
                VotingCredential.election_id == identity.election_id,
                VotingCredential.electoral_group_id == gid,
            )
        )
        creds = [x for x, revoked in rows if (not revoked or x in retired) and x not in added]
        ordered = sorted(bytes.fromhex(x) for x in creds)
        out.append(
            {
                "id": group["id"],
                "register_count": group["register_count"],
                "count": len(ordered),
                "credentials": [x.hex() for x in ordered],
            }
        )
    return out


def keys_document(db: Session, election_id: int) -> dict[str, Any]:
    """``keys.json`` from the completed key ceremony."""
    ceremony = completed_ceremony(db, election_id)
    if ceremony is None:
        raise VotingSetupError("no_keys", "the key ceremony has not been completed")
    n = len(ceremony.trustees)
    return {
        "trustees": n,
        "threshold": ceremony.threshold,
        "joint_key": ceremony.joint_key.hex(),
        "verification_keys": [ceremony.verification_keys[j].hex() for j in range(1, n + 1)],
        "dkg": ceremony.transcript.to_dict(),
    }


def compute_election_hash(
    manifest_hash: bytes, keys: dict[str, Any], cred_groups: list[dict[str, Any]], version: int = rc.VERSION
) -> bytes:
    """``H_E`` exactly as the record verifier recomputes it (``version``: the manifest's record version)."""
    roots = [
        (c["id"], rh.credential_root(c["id"], c["register_count"], [bytes.fromhex(x) for x in c["credentials"]]))
        for c in cred_groups
    ]
    return rh.election_hash(version, manifest_hash, rh.keys_hash(keys), roots)


def open_voting(db: Session, election: Election, actor: str, now: datetime) -> ElectionIdentity:
    """Freeze ``H_E`` and append the board's setup entry (the effect of opening the vote)."""
    from election.board_store import append_entry

    identity = identity_of(db, election.id)
    if identity is None:
        raise VotingSetupError("not_issued", "no voting codes have been issued yet")
    if identity.opened_at is not None:
        return identity
    bound_ceremony(db, identity)
    keys = keys_document(db, election.id)
    election_hash = compute_election_hash(
        bytes.fromhex(identity.manifest_hash),
        keys,
        credential_lists(db, identity),
        manifest_of(identity)["version"],  # a manifest frozen under record version 1 keeps it
    )
    identity.keys = canonical(keys)
    identity.joint_key = keys["joint_key"]
    identity.election_hash = election_hash.hex()
    identity.opened_at = now
    db.flush()
    payload = {"election_hash": election_hash.hex(), "manifest_hash": identity.manifest_hash}
    append_entry(db, identity, bd.SETUP, bd.payload_hash(bd.SETUP, payload), payload, now)
    audit_log.record(db, actor, "voting_opened", election.id, election_hash=identity.election_hash)
    return identity


# ---- the procedure: voting opens only with codes issued to every voter ---------------------------


def issuing_problems(db: Session, election: Election, today: date) -> list[str]:
    """What keeps voting from opening, as far as voting codes go."""
    identity = identity_of(db, election.id)
    if identity is None:
        return ["no voting codes have been issued: issue them before voting opens"]
    have = _holders_with_live_code(db, election.id)
    voting_groups = {g["id"] for g in manifest_of(identity)["groups"]}
    missing = sum(
        1
        for group in election.groups
        if group_key(group) in voting_groups
        for person in _eligible(db, election.id, group.id)
        if person.id not in have
    )
    return [f"{missing} voter(s) have no voting code yet"] if missing else []


def _open_effect(db: Session, election: Election, actor: str, now: datetime) -> None:
    open_voting(db, election, actor, now)


PRECONDITIONS.setdefault(Phase.VOTING, []).append(issuing_problems)
EFFECTS.setdefault(Phase.VOTING, []).append(_open_effect)
