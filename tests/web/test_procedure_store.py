"""Procedure steps that depend on the register: laid open only once imported, final only when decided."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from election import setup_store
from election.models import CommitteeMember, Election, RegisterObjection, RegisterPerson
from election.procedure import Phase, StepRefused
from election.procedure_store import apply_step, propose_step, timeline_of
from tests.helpers import make_member

VOTING_DAY = date(2027, 3, 16)


def _announced_election(app, db_session) -> tuple[Election, CommitteeMember]:
    chair = db_session.get(CommitteeMember, make_member(app).id)
    values = {
        "organisation": "Dok BV",
        "term_end": date(2027, 6, 1),
        "voting_day": VOTING_DAY,
        "voting_days": 1,
        "headcount": 120,
        "seats": None,
        "employer_consent_seats": False,
        "electoral_system": "list",
        "votes_per_voter": None,
    }
    election = setup_store.create_election(db_session, chair.email, values)
    apply_step(db_session, election, Phase.ANNOUNCED, chair.email, datetime.now(UTC))
    db_session.commit()
    return election, chair


def _person(election: Election, number: str) -> RegisterPerson:
    return RegisterPerson(
        election_id=election.id,
        employee_number=number,
        name=f"P {number}",
        start_date=date(2020, 1, 1),
        active=True,
        passive=True,
        updated_at=datetime.now(UTC),
    )


def test_register_cannot_be_laid_open_before_it_is_imported(app, db_session):
    election, chair = _announced_election(app, db_session)
    day = timeline_of(election)["date_objection_end"] + timedelta(days=1)
    with pytest.raises(StepRefused, match="not been imported"):
        propose_step(db_session, election, chair, Phase.REGISTER_OPEN_FOR_OBJECTION, datetime.now(UTC), day)
    db_session.rollback()
    db_session.add(_person(election, "1"))
    db_session.commit()
    outcome = propose_step(db_session, election, chair, Phase.REGISTER_OPEN_FOR_OBJECTION, datetime.now(UTC), day)
    assert outcome.applied
    assert election.phase == "register_open_for_objection"


def test_register_cannot_be_made_final_with_an_undecided_objection(app, db_session):
    election, chair = _announced_election(app, db_session)
    person = _person(election, "7")
    db_session.add(person)
    db_session.flush()
    apply_step(db_session, election, Phase.REGISTER_OPEN_FOR_OBJECTION, chair.email, datetime.now(UTC))
    db_session.add(
        RegisterObjection(
            election_id=election.id,
            person_id=person.id,
            employee_number="7",
            text="My start date is wrong",
            filed_at=datetime.now(UTC),
        )
    )
    db_session.commit()
    day = timeline_of(election)["register_objection_end"] + timedelta(days=1)
    with pytest.raises(StepRefused, match="1 objection"):
        propose_step(db_session, election, chair, Phase.REGISTER_FINAL, datetime.now(UTC), day)
    db_session.rollback()
    chair_id = chair.id
    objection = db_session.scalars(select(RegisterObjection)).one()
    objection.decision, objection.reasons = "rejected", "The HR record shows the start date."
    objection.decided_by, objection.decided_at = chair_id, datetime.now(UTC)
    db_session.commit()
    outcome = propose_step(db_session, election, chair, Phase.REGISTER_FINAL, datetime.now(UTC), day)
    assert not outcome.applied and outcome.pending is not None  # freezing needs a second member
