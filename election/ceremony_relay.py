"""The server's part in the key ceremony: seat the trustees, relay their messages, check the result.

The server never holds a secret: it stores public messages, enforces their order (every commit
before any reveal, so nobody picks their polynomial after seeing the others'; every reveal before
any share; every share before complaints; complaints before answers), and when nothing is left
to wait for, verifies the whole transcript and records it with
:func:`election.key_ceremony.record_completed_ceremony`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crypto.threshold import DkgParams, check_dealing
from election import audit_log
from election.ceremony_messages import (
    BUNDLE_FORMAT,
    STAGES,
    Invitation,
    MessageError,
    PublicState,
    parse_message,
    state_from_messages,
)
from election.key_ceremony import CeremonyError, ceremony_of, record_completed_ceremony
from election.models import CommitteeMember, Election
from election.models.ceremony import CeremonyMessage, CeremonyTrustee, KeyCeremony
from election.models.committee import COMMITTEE_VOTERS
from election.procedure import Phase
from election.procedure_store import regulation_of
from election.voting_codes import VotingSetupError, freeze_manifest

TRUSTEE_ROLES = COMMITTEE_VOTERS  # chair and members hold key shares; the secretary does not


def params_of(ceremony: KeyCeremony) -> DkgParams:
    """The ceremony's ``t`` of ``n`` and ``H_P``."""
    return DkgParams(ceremony.trustee_count, ceremony.threshold, bytes.fromhex(ceremony.params_hash))


def eligible_trustees(db: Session) -> list[CommitteeMember]:
    """Committee accounts that may hold a key share (chair and members), by name."""
    roles = sorted(r.value for r in TRUSTEE_ROLES)
    return list(
        db.scalars(
            select(CommitteeMember)
            .where(CommitteeMember.role.in_(roles))
            .order_by(CommitteeMember.name, CommitteeMember.id)
        )
    )


def set_up_ceremony(db: Session, election: Election, member_ids: list[int], actor: str, now: datetime) -> KeyCeremony:
    """Seat the trustees (member number = position in ``member_ids``) and open the commit stage.

    Only once the lists are final and before voting; ``n`` and ``t`` come from the regulation
    profile and ``n`` trustees must be chosen among chair and members. Setting up freezes the
    election manifest (``election.voting_codes.freeze_manifest``, a no-op when already frozen) and
    binds the ceremony to its hash: ``H_P`` of every proof and share encryption is the manifest hash
    (``docs/election-record.md`` section 5). Refused when the manifest cannot be frozen.
    """
    if election.phase != Phase.LISTS_FINAL.value:
        raise CeremonyError("phase", "the key ceremony is held once the lists are final and before voting")
    if ceremony_of(db, election.id) is not None:
        raise CeremonyError("exists", "this election already has a key ceremony")
    regulation = regulation_of(election)
    n, t = regulation.trustees, regulation.decryption_threshold
    if not 1 <= t <= n:
        raise CeremonyError("threshold", "the regulation's threshold {t} does not lie between 1 and {n}", t=t, n=n)
    if len(member_ids) != n or len(set(member_ids)) != n:
        raise CeremonyError(
            "count", "the regulation asks for {n} trustees, {given} were chosen", n=n, given=len(set(member_ids))
        )
    eligible = {m.id for m in eligible_trustees(db)}
    if not set(member_ids) <= eligible:
        raise CeremonyError("role", "only the chair and members of the committee can be trustees")
    ceremony = KeyCeremony(
        election_id=election.id,
        trustee_count=n,
        threshold=t,
        params_hash=_freeze_params_hash(db, election, actor, now).hex(),
        status="running",
        created_at=now,
        created_by=db.scalars(select(CommitteeMember.id).where(CommitteeMember.email == actor)).one_or_none(),
    )
    ceremony.trustees = [
        CeremonyTrustee(member_index=j, committee_member_id=mid) for j, mid in enumerate(member_ids, start=1)
    ]
    db.add(ceremony)
    db.flush()
    audit_log.record(db, actor, "key_ceremony_set_up", election.id, trustees=member_ids, threshold=t)
    return ceremony


def _freeze_params_hash(db: Session, election: Election, actor: str, now: datetime) -> bytes:
    """``H_P``: the hash of the election manifest, frozen now if it was not yet."""
    try:
        identity = freeze_manifest(db, election, actor, now)
    except VotingSetupError as exc:
        raise CeremonyError(
            "manifest",
            f"the key ceremony is bound to the election manifest, which cannot be frozen yet: {exc.message}",
            reason=exc.message,
        ) from None
    return bytes.fromhex(identity.manifest_hash)


def cancel_ceremony(db: Session, election: Election, actor: str) -> None:
    """Abandon a running ceremony (a trustee lost their state, or one never answers) so it can restart."""
    ceremony = ceremony_of(db, election.id)
    if ceremony is None or ceremony.status != "running":
        raise CeremonyError("not_running", "there is no running key ceremony to cancel")
    received = len(messages_of(db, ceremony))
    db.delete(ceremony)
    db.flush()
    audit_log.record(db, actor, "key_ceremony_cancelled", election.id, messages=received)


def trustee_index(ceremony: KeyCeremony, member_id: int) -> int | None:
    """The member number a committee member holds in this ceremony, if any."""
    return next((t.member_index for t in ceremony.trustees if t.committee_member_id == member_id), None)


def invitation(election: Election, ceremony: KeyCeremony, member_id: int) -> Invitation:
    """The file a trustee starts ``stembus trustee init`` with; refuses a non-trustee."""
    index = trustee_index(ceremony, member_id)
    if index is None:
        raise CeremonyError("not_trustee", "you are not a trustee of this key ceremony")
    return Invitation(election.id, election.organisation, params_of(ceremony), index)


def messages_of(db: Session, ceremony: KeyCeremony) -> list[CeremonyMessage]:
    """Every message received, stage by stage, sender by sender."""
    rows = list(db.scalars(select(CeremonyMessage).where(CeremonyMessage.ceremony_id == ceremony.id)))
    return sorted(rows, key=lambda m: (STAGES.index(m.kind), m.sender))


def public_state(db: Session, ceremony: KeyCeremony) -> PublicState:
    """The public state gathered from the stored messages."""
    return state_from_messages(params_of(ceremony), [json.loads(m.body) for m in messages_of(db, ceremony)])


def bundle(db: Session, election: Election, ceremony: KeyCeremony) -> dict[str, Any]:
    """The public bundle trustees download: every message so far, and the transcript when complete."""
    state = public_state(db, ceremony)
    return {
        "format": BUNDLE_FORMAT,
        "version": 1,
        "election": election.id,
        "n": ceremony.trustee_count,
        "t": ceremony.threshold,
        "params_hash": ceremony.params_hash,
        "stage": "complete" if ceremony.status == "completed" else state.stage(),
        "messages": [json.loads(m.body) for m in messages_of(db, ceremony)],
        "transcript": json.loads(ceremony.transcript) if ceremony.transcript else None,
    }


def accept_message(
    db: Session, election: Election, uploader: CommitteeMember, raw: bytes, now: datetime
) -> CeremonyMessage:
    """Check one uploaded message and store it; complete the ceremony when it was the last one.

    Refused (``CeremonyError`` or ``MessageError``, nothing stored): no running ceremony, a file
    that is not a message of this ceremony, a sender who is not the signed-in trustee, a stage that
    has not opened (a reveal before every commit is in), a second message of a kind, or a dealing
    that does not match its commitment hash or whose proofs fail.
    """
    ceremony = ceremony_of(db, election.id)
    if ceremony is None or ceremony.status != "running":
        raise CeremonyError("not_running", "there is no running key ceremony for this election")
    index = trustee_index(ceremony, uploader.id)
    if index is None:
        raise CeremonyError("not_trustee", "you are not a trustee of this key ceremony")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MessageError("not_json", "the file is not JSON") from None
    params = params_of(ceremony)
    message = parse_message(data, params)
    if message.election != election.id:
        raise MessageError("other_ceremony", "this message was made for another key ceremony")
    if message.member != index:
        raise CeremonyError(
            "other_sender",
            "this message is from member {sender}, you are member {index}",
            sender=message.member,
            index=index,
        )
    state = public_state(db, ceremony)
    _check_order(state, message.kind, index)
    if message.kind == "reveal" and message.dealing is not None:
        problems = check_dealing(params, message.dealing, state.commitment_hashes.get(index))
        if problems:
            raise CeremonyError("bad_dealing", "the dealing does not verify: {problems}", problems="; ".join(problems))
    if message.kind == "answer":
        asked = {c.accuser for c in state.complaints if c.accused == index}
        if sorted(r.recipient for r in message.revealed) != sorted(asked):
            raise CeremonyError(
                "bad_answer",
                "an answer reveals exactly the shares complained about: {asked}",
                asked=", ".join(map(str, sorted(asked))),
            )
    row = CeremonyMessage(
        ceremony_id=ceremony.id,
        sender=index,
        kind=message.kind,
        body=json.dumps(message.to_dict(), sort_keys=True, separators=(",", ":")),
        received_at=now,
    )
    db.add(row)
    try:
        db.flush()
    except IntegrityError:
        raise CeremonyError(
            "duplicate", "member {index} has already sent a {kind} message", index=index, kind=message.kind
        ) from None
    audit_log.record(db, uploader.email, f"key_ceremony_{message.kind}", election.id, member=index)
    state.add(message)
    if state.stage() == "complete":
        _complete(db, election, ceremony, state, uploader.email, now)
    return row


def _check_order(state: PublicState, kind: str, index: int) -> None:
    """A stage opens only when the one before it is complete; the message must be expected."""
    for earlier in STAGES[: STAGES.index(kind)]:
        missing = sorted(state.expected(earlier) - state.senders[earlier])
        if missing:
            raise CeremonyError(
                "too_early",
                "the {kind} stage opens when every {earlier} message is in; still waiting for member(s) {missing}",
                kind=kind,
                earlier=earlier,
                missing=", ".join(map(str, missing)),
            )
    if index in state.senders[kind]:
        raise CeremonyError("duplicate", "member {index} has already sent a {kind} message", index=index, kind=kind)
    if index not in state.expected(kind):
        raise CeremonyError(
            "not_expected", "no one has complained about member {index}: there is nothing to answer", index=index
        )


def _complete(
    db: Session, election: Election, ceremony: KeyCeremony, state: PublicState, actor: str, now: datetime
) -> None:
    """Assemble, verify and record the transcript. A failed verification leaves the ceremony running."""
    transcript = state.transcript()
    trustees = [db.get(CommitteeMember, t.committee_member_id) for t in ceremony.trustees]
    try:
        record_completed_ceremony(
            db, election, transcript, [m for m in trustees if m is not None], actor=actor, now=now
        )
    except CeremonyError as exc:
        # Too few qualified dealers: the messages stay public, the committee cancels and restarts.
        audit_log.record(
            db, actor, "key_ceremony_failed", election.id, reason=exc.code, qualified=list(transcript.qualified)
        )
