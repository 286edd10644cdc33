"""Issuing the voting codes is a consequential step: one committee member proposes, a second confirms.

Issuing fixes who holds a code and sets the codes on their way, so it follows the four-eyes rule
of the procedure steps: the proposal is a :class:`~election.models.PendingAction` of kind
``issue_voting_codes``; a different chair or member confirms it (on the election overview or on
the voting codes screen) through :func:`election.procedure_store.confirm`, which calls
:func:`apply_issuing`; only then are the codes issued and the e-mails queued
(:func:`election.code_delivery.issue_for_delivery`).
"""

from __future__ import annotations

import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.code_delivery import issue_for_delivery
from election.delivery_status import delivery_overview
from election.models import CommitteeMember, Election, PendingAction
from election.models.committee import ELECTION_POWERS
from election.procedure import Phase, StepRefused
from election.procedure_store import ISSUE_VOTING_CODES
from election.voting_codes import VotingSetupError, bound_ceremony, identity_of

BASIS = "voting codes (issue 6: a code per voter, issued when the lists are final and the keys exist)"

# Why codes cannot be issued, by reason code; shown wherever the step is refused.
BLOCKERS = {
    "no_manifest": _l("Hold the key ceremony first: the codes are derived from the election it is bound to."),
    "no_keys": _l("The key ceremony has not been completed yet."),
    "keys_unbound": _l("The key ceremony is not bound to the frozen election manifest: hold it again."),
    "opened": _l("Voting has opened: the list of voting codes is final."),
    "offline_mode": _l("This election uses offline codes: they are made and delivered away from this server."),
    "offline": _l("This election uses offline codes: they are made and delivered away from this server."),
    "nobody": _l("Every voter already holds a voting code."),
    "already_pending": _l("Issuing the codes already waits for a second committee member."),
    "moved_on": _l("The election changed since the codes were proposed: propose again."),
    "role": _l("Your role cannot issue voting codes."),
}


def _refused(code: str) -> StepRefused:
    return StepRefused(str(BLOCKERS.get(code, code)), basis=BASIS, code=f"codes_{code}")


def issuing_blocker(db: Session, election: Election) -> str | None:
    """Why the codes cannot be issued now (a key of :data:`BLOCKERS`), or None when they can."""
    identity = identity_of(db, election.id)
    if identity is None:
        return "no_manifest"
    if identity.opened_at is not None or Phase(election.phase) is not Phase.LISTS_FINAL:
        return "opened"
    if identity.credential_mode != "server":
        return "offline_mode"
    try:
        bound_ceremony(db, identity)
    except VotingSetupError as refused:
        return refused.code
    if delivery_overview(db, election).without_code == 0:
        return "nobody"
    return None


def pending_issuing(db: Session, election: Election) -> PendingAction | None:
    """The proposal to issue codes that waits for a second member, if any."""
    query = select(PendingAction).where(
        PendingAction.election_id == election.id,
        PendingAction.action == ISSUE_VOTING_CODES,
        PendingAction.status == "pending",
    )
    return db.scalars(query.order_by(PendingAction.id)).first()


def propose_issuing(
    db: Session, election: Election, member: CommitteeMember, now: datetime, links: dict[str, str]
) -> PendingAction:
    """File the issuing of the codes for a second member to confirm.

    ``links`` holds the booth's address (without a code) per language, for the e-mails. Refused
    (``StepRefused``) when the codes cannot be issued now or a proposal already waits.
    """
    if member.role_enum not in ELECTION_POWERS:
        raise _refused("role")
    blocker = issuing_blocker(db, election)
    if blocker is not None:
        raise _refused(blocker)
    if pending_issuing(db, election) is not None:
        raise _refused("already_pending")
    identity = identity_of(db, election.id)
    assert identity is not None
    pending = PendingAction(
        election_id=election.id,
        action=ISSUE_VOTING_CODES,
        params=json.dumps({"manifest_hash": identity.manifest_hash, "links": links}, sort_keys=True),
        proposed_by=member.id,
        proposed_at=now,
        status="pending",
    )
    db.add(pending)
    db.flush()
    audit_log.record(db, member.email, "step_proposed", election.id, step=ISSUE_VOTING_CODES, pending=pending.id)
    return pending


def apply_issuing(db: Session, election: Election, pending: PendingAction, actor: str, now: datetime) -> None:
    """Issue the codes and queue their e-mails, as the confirmed proposal ``pending`` asked."""
    params = json.loads(pending.params)
    identity = identity_of(db, election.id)
    if identity is None or identity.manifest_hash != params.get("manifest_hash"):
        raise _refused("moved_on")
    blocker = issuing_blocker(db, election)
    if blocker is not None:
        raise _refused(blocker)
    links: dict[str, str] = params["links"]
    try:
        issue_for_delivery(db, election, actor, now, lambda language: links[language])
    except VotingSetupError as refused:
        raise _refused(refused.code) from None
