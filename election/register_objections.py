"""Objections against the electoral register and the committee's decisions on them.

An employee may object to their own entry until the end of the register's objection window
(``register_objection_end`` of the timetable, SER model: one week; domain 8.8). A late objection is
refused with the date. The committee decides each objection with reasons; an upheld objection
corrects the entry. The register cannot be frozen while objections are undecided
(:func:`open_objections`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from election import audit_log
from election.models import Election, ElectoralGroup, RegisterObjection, RegisterPerson
from election.procedure import Phase, precedes
from election.regulation import Regulation
from election.timeline import compute_timeline

MAX_TEXT = 4000
CORRECTED = "corrected_by_committee"


class ObjectionRefused(Exception):
    """An objection that cannot be filed: ``reason`` is late, final, pending or empty."""

    def __init__(self, reason: str, deadline: date | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.deadline = deadline


class AlreadyDecided(Exception):
    """Another committee member decided this objection first."""


# This module imports no other store, so the procedure store can import open_objections freely.


def register_open(election: Election) -> bool:
    """Whether the register is not yet final."""
    return precedes(Phase(election.phase), Phase.REGISTER_FINAL)


def objection_deadline(election: Election) -> date:
    """The last day on which objections against the register are accepted."""
    regulation = Regulation.from_dict(json.loads(election.regulation or "{}"))
    timeline = compute_timeline(
        election.voting_day, regulation, term_end=election.term_end, voting_days=election.voting_days
    )
    return timeline["register_objection_end"]


def objection_window_open(election: Election, today: date) -> bool:
    """Whether an employee may object today."""
    return register_open(election) and today <= objection_deadline(election)


def file_objection(
    db: Session, election: Election, person: RegisterPerson, text: str, today: date, now: datetime
) -> RegisterObjection:
    """Record an employee's objection against their own entry.

    Raises :class:`ObjectionRefused`: ``late`` after the window (with the deadline), ``final``
    once the register is final, ``pending`` while an earlier objection awaits a decision.
    """
    body = text.strip()[:MAX_TEXT]
    if not body:
        raise ObjectionRefused("empty")
    if not register_open(election):
        raise ObjectionRefused("final")
    deadline = objection_deadline(election)
    if today > deadline:
        raise ObjectionRefused("late", deadline)
    waiting = db.scalar(
        select(func.count()).where(RegisterObjection.person_id == person.id, RegisterObjection.decision.is_(None))
    )
    if waiting:
        raise ObjectionRefused("pending")
    objection = RegisterObjection(
        election_id=election.id, person_id=person.id, employee_number=person.employee_number, text=body, filed_at=now
    )
    db.add(objection)
    db.flush()
    audit_log.record(
        db, "employee (self-check)", "register_objection_filed", election_id=election.id, objection=objection.id
    )
    return objection


def open_objections(db: Session, election_id: int) -> int:
    """How many register objections of the election still await a decision."""
    count = db.scalar(
        select(func.count()).where(RegisterObjection.election_id == election_id, RegisterObjection.decision.is_(None))
    )
    return int(count or 0)


def objections_of(db: Session, election_id: int) -> list[RegisterObjection]:
    """All objections of the election: undecided first, then by filing time."""
    query = select(RegisterObjection).where(RegisterObjection.election_id == election_id)
    return list(db.scalars(query.order_by(RegisterObjection.decided_at.is_not(None), RegisterObjection.filed_at)))


def objections_of_person(db: Session, person: RegisterPerson) -> list[RegisterObjection]:
    """One person's own objections, oldest first."""
    query = select(RegisterObjection).where(RegisterObjection.person_id == person.id)
    return list(db.scalars(query.order_by(RegisterObjection.filed_at)))


@dataclass(frozen=True)
class Correction:
    """The entry as the committee sets it when it upholds an objection."""

    active: bool
    passive: bool
    electoral_group_id: int | None


def decide_objection(
    db: Session,
    objection: RegisterObjection,
    actor: str,
    upheld: bool,
    reasons: str,
    now: datetime,
    actor_id: int,
    correction: Correction | None = None,
) -> None:
    """Record the committee's decision with reasons; an upheld objection applies ``correction``.

    Raises :class:`AlreadyDecided` when the objection was decided in the meantime.
    """
    decision = "upheld" if upheld else "rejected"
    done = db.execute(
        update(RegisterObjection)
        .where(RegisterObjection.id == objection.id, RegisterObjection.decision.is_(None))
        .values(decision=decision, reasons=reasons.strip(), decided_by=actor_id, decided_at=now)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyDecided
    changes: dict[str, object] = {}
    person = db.get(RegisterPerson, objection.person_id) if objection.person_id else None
    if upheld and correction is not None and person is not None:
        group = db.get(ElectoralGroup, correction.electoral_group_id) if correction.electoral_group_id else None
        group_id = group.id if group is not None and group.election_id == objection.election_id else None
        changes = {"active": correction.active, "passive": correction.passive, "electoral_group_id": group_id}
        person.active, person.passive, person.electoral_group_id = correction.active, correction.passive, group_id
        person.reasons = " ".join(dict.fromkeys((*person.reason_codes, CORRECTED)))
        person.updated_at = now
    db.refresh(objection)
    audit_log.record(
        db,
        actor,
        "register_objection_decided",
        election_id=objection.election_id,
        objection=objection.id,
        decision=decision,
        reasons=reasons.strip(),
        correction=changes or None,
    )
