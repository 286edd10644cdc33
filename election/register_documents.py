"""What the register extract and an objection decision say, as plain data for the documents.

The register code fills these from its own tables; ``election.documents`` renders them. The
extract holds one employee's own entry and nothing about anyone else (register privacy, GDPR).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from election.clock import AMSTERDAM, as_utc
from election.models import Election, ElectoralGroup, RegisterObjection, RegisterPerson
from election.register_objections import objection_deadline

ObjectionSubject = Literal["date", "register", "lists", "result"]
ObjectionOutcome = Literal["upheld", "partly_upheld", "rejected", "late"]


@dataclass(frozen=True)
class RegisterExtractContext:
    """One employee's own entry in the electoral register (verkiezingsregister) on the voting day."""

    organisation: str
    voting_day: date
    name: str
    employee_number: str
    electoral_group: str | None
    active: bool
    passive: bool
    reasons: tuple[str, ...]  # reason codes of election.eligibility
    objection_deadline: date
    issued_on: date
    contact: str | None = None


@dataclass(frozen=True)
class ObjectionDecisionContext:
    """The committee's decision, with reasons, on one objection (bezwaar)."""

    organisation: str
    objector_name: str
    subject: ObjectionSubject
    received_on: date
    objection_summary: str
    outcome: ObjectionOutcome
    reasons: str
    decided_on: date
    consequence: str | None = None
    reference: str | None = None


def register_extract_context(
    db: Session, election: Election, person: RegisterPerson, *, today: date, contact: str | None = None
) -> RegisterExtractContext:
    """The extract of ``person``'s own entry, issued ``today``."""
    group = db.get(ElectoralGroup, person.electoral_group_id) if person.electoral_group_id else None
    return RegisterExtractContext(
        organisation=election.organisation,
        voting_day=election.voting_day,
        name=person.name,
        employee_number=person.employee_number,
        electoral_group=group.name if group is not None else None,
        active=person.active,
        passive=person.passive,
        reasons=person.reason_codes,
        objection_deadline=objection_deadline(election),
        issued_on=today,
        contact=contact,
    )


def objection_decision_context(
    db: Session, election: Election, objection: RegisterObjection
) -> ObjectionDecisionContext:
    """The decision letter on a decided register objection (ValueError when it is undecided)."""
    if objection.decision is None or objection.decided_at is None:
        raise ValueError("the objection has not been decided")
    person = db.get(RegisterPerson, objection.person_id) if objection.person_id else None
    outcome: ObjectionOutcome = "upheld" if objection.decision == "upheld" else "rejected"
    return ObjectionDecisionContext(
        organisation=election.organisation,
        objector_name=person.name if person is not None else objection.employee_number,
        subject="register",
        received_on=as_utc(objection.filed_at).astimezone(AMSTERDAM).date(),
        objection_summary=objection.text,
        outcome=outcome,
        reasons=objection.reasons or "",
        decided_on=as_utc(objection.decided_at).astimezone(AMSTERDAM).date(),
        reference=f"{election.id}-{objection.id}",
    )
