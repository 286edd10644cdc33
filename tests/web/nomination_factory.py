"""Test data for the nomination pre-round: a register, a round, and the personal links as mailed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from election import nomination_round as rounds
from election.models import Election, OutboxMessage, RegisterPerson
from election.nomination_rules import RoundSettings
from tests.web.register_factory import make_election

# name, group, department, active, passive, email
PEOPLE = (
    ("Anna Jansen", "Noord", "Zorg", True, True, "anna@voorbeeld.nl"),
    ("Annelies de Wit", "Noord", "Zorg", True, True, "annelies@voorbeeld.nl"),
    ("Bram Visser", "Zuid", "Keuken", True, True, "bram@voorbeeld.nl"),
    ("Cem Yilmaz", "Noord", "Zorg", True, False, "cem@voorbeeld.nl"),
    ("Dirk Bos", "Noord", "Directie", False, False, "dirk@voorbeeld.nl"),
    ("Eva Smit", "Zuid", "Keuken", True, True, ""),
    ("Fatima El Amrani", "Noord", "Techniek", True, True, "fatima@voorbeeld.nl"),
    ("Gijs de Boer", "Zuid", "Techniek", True, True, "gijs@voorbeeld.nl"),
)


def nomination_election(
    app: Any, *, people: tuple[tuple[Any, ...], ...] = PEOPLE, languages: dict[str, str] | None = None
) -> int:
    """An election 20 weeks ahead (candidacy opens in 7 weeks) with a small register."""
    election_id = make_election(app, phase="draft", weeks_ahead=20)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        groups = {g.name: g.id for g in election.groups}
        for i, (name, group, department, active, passive, email) in enumerate(people):
            db.add(RegisterPerson(
                election_id=election_id, employee_number=str(2001 + i), name=name, email=email,
                department=department, language=(languages or {}).get(name, "nl"), start_date=date(2020, 1, 1),
                electoral_group_id=groups[group], active=active, passive=passive, bestuurder=not active,
                updated_at=datetime.now(UTC),
            ))
        db.commit()
    return election_id


def settings(app: Any, **changes: Any) -> RoundSettings:
    """Round settings from today for two weeks, three per person, threshold 2."""
    today = app.config["CLOCK"].today()
    values: dict[str, Any] = {
        "opens_on": today, "closes_on": today + timedelta(days=14), "max_per_person": 3, "self_nomination": True,
        "scope": "organisation", "threshold": 2,
        "invitation_nl": "Wie zie jij graag in de OR?", "invitation_en": "Who would you like to see on the council?",
    }
    values.update(changes)
    return RoundSettings(**values)


def open_round(app: Any, election_id: int, **changes: Any) -> dict[str, str]:
    """Set up the round, mail the links, and return each mailed person's token by name."""
    clock = app.config["CLOCK"]
    with app.app_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        round_ = rounds.save_round(db, election, "chair@example.org", settings(app, **changes), clock.today(),
                                   clock.now())
        rounds.send_links(db, election, round_, "chair@example.org", "https://localhost/nominate/", clock.today(),
                          clock.now())
        db.commit()
        return tokens_by_name(db, election_id)


def tokens_by_name(db: Any, election_id: int) -> dict[str, str]:
    """The token in each queued link message, by the recipient's name."""
    register = db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election_id))
    people = {p.email: p.name for p in register}
    found: dict[str, str] = {}
    for message in db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nomination_link")):
        token = re.search(r"#t=([A-Za-z0-9_-]+)", message.body_text)
        assert token, message.body_text
        found[people[message.recipient]] = token.group(1)
    return found
