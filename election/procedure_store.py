"""Taking procedure steps on a stored election: proposals, second-member confirmation, effects.

The rules themselves live in :mod:`election.procedure` (pure). This module applies them to the
database: a consequential step becomes a :class:`PendingAction` until a different chair or member
confirms it, every step is re-checked at the moment it takes effect, the phase changes with a
conditional UPDATE (two workers cannot both move the same election), and each step is audit-logged.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from election import audit_log
from election.clock import as_utc
from election.models import CommitteeMember, Election, PendingAction
from election.models.committee import COMMITTEE_VOTERS, ELECTION_POWERS, Role
from election.procedure import Phase, StepRefused, check_transition, needs_confirmation, postpone
from election.register_objections import open_objections
from election.register_overview import register_size
from election.regulation import Regulation
from election.setup_rules import GroupPlan, check_setup
from election.timeline import Timeline, compute_timeline, voting_window
from election.voting_extension import check_extension, closing_time

POSTPONE = "postpone"
EXTEND_VOTING = "extend_voting"
ISSUE_VOTING_CODES = "issue_voting_codes"


def regulation_of(election: Election) -> Regulation:
    """The election's regulation profile (SER defaults for anything it does not set)."""
    return Regulation.from_dict(json.loads(election.regulation or "{}"))


def timeline_of(election: Election, today: date | None = None) -> Timeline:
    """The election's legal timetable as it stands now."""
    return compute_timeline(
        election.voting_day,
        regulation_of(election),
        term_end=election.term_end,
        today=today,
        voting_days=election.voting_days,
    )


def voting_window_of(election: Election) -> tuple[datetime, datetime]:
    """When this election's voting opens and closes, a confirmed extension included."""
    opens, announced = voting_window(timeline_of(election))
    extended = election.voting_extended_until
    return opens, closing_time(announced, as_utc(extended) if extended is not None else None)


def setup_problems(election: Election, today: date) -> list[str]:
    """What still blocks announcing this election, in plain sentences."""
    problems = check_setup(
        headcount=election.headcount,
        seats=election.seats,
        employer_consent=election.employer_consent_seats,
        voting_day=election.voting_day,
        today=today,
        groups=[
            GroupPlan(g.name, g.seats, g.earmarked_seats, g.earmark_unit_value if g.earmark_unit_field else None)
            for g in election.groups
        ],
        electoral_system=election.electoral_system,
        votes_per_voter=election.votes_per_voter,
    )
    messages = [p.message for p in problems]
    messages += [n.message for n in timeline_of(election, today).errors]
    return messages


# Modules that register their own preconditions and effects for later phases. They import this
# module, so they are loaded on first use rather than at import time (no import cycle).
RULE_MODULES = (
    "election.key_ceremony",  # voting needs a completed key ceremony
    "election.list_publication",  # publication, final lists, no vote
    "election.nomination_report",  # closing candidacy purges the nominations
    "election.result_objections",  # announcing the result opens its objection window; final after it
    "election.tally_store",  # closing the vote closes the board and fixes the tally
    "election.voting_codes",  # voting opens with codes issued and H_E frozen
)


def _load_step_rules() -> None:
    for name in RULE_MODULES:
        importlib.import_module(name)


# Checks a step needs beyond the timetable, and what the step sets in motion, by target phase.
Precondition = Callable[[Session, Election, date], list[str]]
Effect = Callable[[Session, Election, str, datetime], None]
PRECONDITIONS: dict[Phase, list[Precondition]] = {}
EFFECTS: dict[Phase, list[Effect]] = {}


def _announce_precondition(db: Session, election: Election, today: date) -> list[str]:
    return setup_problems(election, today)


def _freeze_regulation(db: Session, election: Election, actor: str, now: datetime) -> None:
    # Domain 8 item 1: the regulation profile is frozen once the election is announced.
    election.regulation_frozen_at = now
    audit_log.record(
        db, actor, "regulation_frozen", election.id, version=election.regulation_version, profile=election.regulation
    )


def _invite_unions(db: Session, election: Election, actor: str, now: datetime) -> None:
    # WOR art. 9 lid 2 sub a: every union with members in the company is invited; never skipped.
    from election.announcement import send_union_invitations

    outcome = send_union_invitations(db, election)
    audit_log.record(
        db,
        actor,
        "unions_invited",
        election.id,
        by_email=[u.name for u in outcome.queued],
        by_post=[u.name for u in outcome.paper_letters],
    )


def _register_drawn_up(db: Session, election: Election, today: date) -> list[str]:
    # WOR art. 6 lid 2-3: the register lists who may vote and stand; it is laid open only once it exists.
    return [] if register_size(db, election.id) else ["the electoral register has not been imported yet"]


def _objections_decided(db: Session, election: Election, today: date) -> list[str]:
    # SER model timetable: the register becomes final only after every objection is decided.
    undecided = open_objections(db, election.id)
    return [f"{undecided} objection(s) against the register still await a decision"] if undecided else []


PRECONDITIONS[Phase.ANNOUNCED] = [_announce_precondition]
PRECONDITIONS[Phase.REGISTER_OPEN_FOR_OBJECTION] = [_register_drawn_up]
PRECONDITIONS[Phase.REGISTER_FINAL] = [_objections_decided]
EFFECTS[Phase.ANNOUNCED] = [_freeze_regulation, _invite_unions]


@dataclass(frozen=True)
class StepOutcome:
    """What happened to a proposed step: taken at once, or waiting for a second member."""

    applied: bool
    pending: PendingAction | None = None


def _require_power(member: CommitteeMember, roles: frozenset[Role]) -> None:
    if member.role_enum not in roles:
        raise StepRefused("your role cannot take this step", basis="committee roles", code="role")


def _check(db: Session, election: Election, target: Phase, today: date) -> None:
    _load_step_rules()
    check_transition(Phase(election.phase), target, today, timeline_of(election, today))
    problems = [msg for check in PRECONDITIONS.get(target, []) for msg in check(db, election, today)]
    if problems:
        raise StepRefused("; ".join(problems), basis="election set-up", target=target, code="preconditions")


def propose_step(
    db: Session, election: Election, member: CommitteeMember, target: Phase, now: datetime, today: date
) -> StepOutcome:
    """Take a procedure step, or, when it is consequential, file it for a second member to confirm."""
    _require_power(member, ELECTION_POWERS)
    _check(db, election, target, today)
    if not needs_confirmation(Phase(election.phase), target):
        apply_step(db, election, target, member.email, now)
        return StepOutcome(applied=True)
    pending = PendingAction(
        election_id=election.id,
        action=target.value,
        params=json.dumps({"from": election.phase}),
        proposed_by=member.id,
        proposed_at=now,
        status="pending",
    )
    db.add(pending)
    db.flush()
    audit_log.record(db, member.email, "step_proposed", election.id, step=target.value, pending=pending.id)
    return StepOutcome(applied=False, pending=pending)


def propose_postponement(
    db: Session, election: Election, member: CommitteeMember, new_day: date, reason: str, now: datetime, today: date
) -> PendingAction:
    """File a postponement of the voting day; it takes effect when a second member confirms."""
    _require_power(member, ELECTION_POWERS)
    postpone(Phase(election.phase), timeline_of(election, today), new_day, reason, today)  # refuses early
    pending = PendingAction(
        election_id=election.id,
        action=POSTPONE,
        params=json.dumps({"voting_day": new_day.isoformat()}),
        reason=reason.strip(),
        proposed_by=member.id,
        proposed_at=now,
        status="pending",
    )
    db.add(pending)
    db.flush()
    audit_log.record(
        db,
        member.email,
        "postponement_proposed",
        election.id,
        voting_day=new_day.isoformat(),
        reason=reason.strip(),
        pending=pending.id,
    )
    return pending


def _check_extension(election: Election, new_close: datetime, now: datetime) -> None:
    _, announced = voting_window(timeline_of(election))
    _, current = voting_window_of(election)
    check_extension(Phase(election.phase), now, current, announced, new_close)


def propose_extension(
    db: Session, election: Election, member: CommitteeMember, new_close: datetime, reason: str, now: datetime
) -> PendingAction:
    """File a later closing of the vote; it takes effect when a second member confirms in time."""
    _require_power(member, ELECTION_POWERS)
    _check_extension(election, new_close, now)
    pending = PendingAction(
        election_id=election.id,
        action=EXTEND_VOTING,
        params=json.dumps({"closes": as_utc(new_close).isoformat()}),
        reason=reason.strip(),
        proposed_by=member.id,
        proposed_at=now,
        status="pending",
    )
    db.add(pending)
    db.flush()
    audit_log.record(
        db,
        member.email,
        "extension_proposed",
        election.id,
        closes=as_utc(new_close).isoformat(),
        reason=reason.strip(),
        pending=pending.id,
    )
    return pending


def _apply_extension(db: Session, election: Election, pending: PendingAction, actor: str, now: datetime) -> None:
    new_close = datetime.fromisoformat(json.loads(pending.params)["closes"])
    _check_extension(election, new_close, now)  # again: voting may have closed meanwhile
    election.voting_extended_until = new_close
    audit_log.record_at(
        db, now, actor, "voting_extended", election.id, closes=new_close.isoformat(), pending=pending.id
    )


def confirm(db: Session, pending: PendingAction, member: CommitteeMember, now: datetime, today: date) -> None:
    """Confirm a pending step as a second chair or member; the step is checked again and taken."""
    _require_power(member, COMMITTEE_VOTERS)
    if pending.status != "pending":
        raise StepRefused("this step was already confirmed or withdrawn", basis="four-eyes rule", code="not_pending")
    if pending.proposed_by == member.id:
        raise StepRefused(
            "a second committee member must confirm this step", basis="four-eyes rule", code="second_member"
        )
    election = db.get(Election, pending.election_id)
    assert election is not None
    if pending.action == POSTPONE:
        _apply_postponement(db, election, pending, member.email, today, now)
    elif pending.action == EXTEND_VOTING:
        _apply_extension(db, election, pending, member.email, now)
    elif pending.action == ISSUE_VOTING_CODES:
        # Loaded on use: election.code_issuing imports this module.
        from election.code_issuing import apply_issuing

        apply_issuing(db, election, pending, member.email, now)
    else:
        target = Phase(pending.action)
        if json.loads(pending.params).get("from") != election.phase:
            raise StepRefused(
                "the election moved on since this step was proposed", basis="procedure order", code="moved_on"
            )
        _check(db, election, target, today)
        apply_step(db, election, target, member.email, now)
    pending.status = "confirmed"
    pending.confirmed_by = member.id
    pending.confirmed_at = now
    audit_log.record(db, member.email, "step_confirmed", election.id, step=pending.action, pending=pending.id)


def withdraw(db: Session, pending: PendingAction, member: CommitteeMember) -> None:
    """Withdraw a pending step (any chair or member may)."""
    _require_power(member, ELECTION_POWERS)
    if pending.status != "pending":
        raise StepRefused("this step is no longer pending", basis="four-eyes rule", code="not_pending")
    pending.status = "withdrawn"
    audit_log.record(db, member.email, "step_withdrawn", pending.election_id, step=pending.action, pending=pending.id)


def apply_step(db: Session, election: Election, target: Phase, actor: str, now: datetime) -> None:
    """Move the election to ``target`` exactly once and run the step's effects."""
    _load_step_rules()
    current = election.phase
    moved = db.execute(
        update(Election)
        .where(Election.id == election.id, Election.phase == current)
        .values(phase=target.value)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise StepRefused(
            "another committee member changed the phase at the same moment", basis="procedure order", code="moved_on"
        )
    election.phase = target.value
    audit_log.record_at(db, now, actor, "phase_changed", election.id, phase_from=current, phase_to=target.value)
    for effect in EFFECTS.get(target, []):
        effect(db, election, actor, now)


def _apply_postponement(
    db: Session, election: Election, pending: PendingAction, actor: str, today: date, now: datetime
) -> None:
    new_day = date.fromisoformat(json.loads(pending.params)["voting_day"])
    result = postpone(Phase(election.phase), timeline_of(election, today), new_day, pending.reason or "", today)
    election.voting_day = new_day
    audit_log.record_at(
        db,
        now,
        actor,
        "voting_day_postponed",
        election.id,
        old=result.old_voting_day.isoformat(),
        new=result.new_voting_day.isoformat(),
        reason=result.reason,
        changed={key: [str(old), str(new)] for key, old, new in result.changed},
    )


def pending_actions(db: Session, election: Election) -> list[PendingAction]:
    """Steps of this election waiting for a second committee member."""
    query = select(PendingAction).where(PendingAction.election_id == election.id, PendingAction.status == "pending")
    return list(db.scalars(query.order_by(PendingAction.id)))
