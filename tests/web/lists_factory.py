"""Test data for candidate lists: an election with a register, unions and personal links."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from election.models import Election, ElectoralGroup, OutboxMessage, RegisterPerson, TradeUnion
from election.register_links import issue_links


def make_list_election(
    app: Any,
    *,
    mode: str = "sequential",
    phase: str = "union_candidacy",
    seats: tuple[int, int] = (3, 2),
    people: int = 12,
    weeks_ahead: int = 8,
    regulation: dict[str, Any] | None = None,
) -> int:
    """An election in ``phase`` whose voting day lies ``weeks_ahead`` weeks after the test clock's today.

    Employees 1001.. alternate between Noord and Zuid; 1001-1010 may stand; 1011 and later may vote
    only. Two unions are invited (FNV with an e-mail address, CNV without).
    """
    today = app.config["CLOCK"].today()
    with app.extensions["stembus_sessions"]() as db:
        election = Election(
            organisation="Haven Logistiek BV",
            term_end=today + timedelta(weeks=weeks_ahead + 8),
            voting_day=today + timedelta(weeks=weeks_ahead),
            voting_days=1,
            headcount=300,
            seats=sum(seats),
            employer_consent_seats=True,
            electoral_system="list",
            phase=phase,
            regulation=json.dumps({"candidacy_mode": mode, **(regulation or {})}),
            regulation_version=1,
        )
        election.groups = [
            ElectoralGroup(name="Noord", position=0, seats=seats[0], earmarked_seats=0),
            ElectoralGroup(name="Zuid", position=1, seats=seats[1], earmarked_seats=0),
        ]
        election.unions = [
            TradeUnion(name="FNV", email="kader@fnv.example"),
            TradeUnion(name="CNV", email=None, postal_address="Postbus 1, Utrecht"),
        ]
        db.add(election)
        db.flush()
        for i in range(people):
            number = str(1001 + i)
            db.add(
                RegisterPerson(
                    election_id=election.id,
                    employee_number=number,
                    name=f"{['Anna', 'Bram', 'Cem', 'Dana', 'Eva', 'Finn'][i % 6]} Medewerker{number}",
                    email=f"m{number}@haven.example",
                    language="nl",
                    start_date=date(2020, 1, 1),
                    employment_kind="employee",
                    electoral_group_id=election.groups[i % 2].id,
                    active=True,
                    passive=i < 10,
                    reasons="",
                    updated_at=datetime.now(UTC),
                )
            )
        db.commit()
        return election.id


def noord(people: range | list[int]) -> list[str]:
    """Employee numbers of Noord people (1001, 1003, ...) by index."""
    return [str(1001 + 2 * i) for i in people]


def zuid(people: range | list[int]) -> list[str]:
    """Employee numbers of Zuid people (1002, 1004, ...) by index."""
    return [str(1002 + 2 * i) for i in people]


def register_token(app: Any, election_id: int, number: str) -> str:
    """Issue one person a register self-check link and return its token."""
    with app.extensions["stembus_sessions"]() as db:
        person = db.scalar(
            select(RegisterPerson).where(
                RegisterPerson.election_id == election_id, RegisterPerson.employee_number == number
            )
        )
        assert person is not None
        [link] = issue_links(db, election_id, "test", datetime.now(UTC), person_ids=[person.id])
        db.commit()
        return link.token


def tokens_mailed(app: Any, kind: str) -> dict[str, str]:
    """Recipient -> token of the personal links of ``kind`` in the outbox (latest wins)."""
    with app.extensions["stembus_sessions"]() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
        out = {}
        for row in rows:
            found = re.search(r"#t=([A-Za-z0-9_-]{32})", row.body_text)
            if found:
                out[row.recipient] = found.group(1)
        return out


def set_phase(app: Any, election_id: int, phase: str) -> None:
    """Move the election's phase directly (arranging a test, not taking a step)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        election.phase = phase
        db.commit()
