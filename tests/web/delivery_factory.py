"""Test data for delivering voting codes: an election with its keys ready and no code issued yet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import LargeBinary, String, Text, select

from election.db import Base
from election.models import CommitteeMember, Election, RegisterPerson
from election.procedure_store import regulation_of
from tests.web.ceremony_factory import complete_ceremony
from tests.web.voting_factory import make_final_lists_election, make_trustees

# A voting code as printed: six groups of four characters of the code alphabet.
CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){5}\b")


def make_keyed_election(
    app: Any, *, people: int = 12, without_email: tuple[str, ...] = (), english: tuple[str, ...] = ()
) -> int:
    """Final lists and a completed key ceremony bound to the frozen manifest; no code issued yet.

    Employees 1001.. alternate between Noord and Zuid; those in ``without_email`` have no e-mail
    address, those in ``english`` read English.
    """
    election_id = make_final_lists_election(app, people=people)
    with app.extensions["stembus_sessions"]() as db:
        for person in db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election_id)):
            if person.employee_number in without_email:
                person.email = ""
            if person.employee_number in english:
                person.language = "en"
        election = db.get(Election, election_id)
        assert election is not None
        regulation = regulation_of(election)
        db.commit()
    trustee_ids = make_trustees(app, regulation.trustees)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        members = [db.get(CommitteeMember, i) for i in trustee_ids]
        complete_ceremony(db, election, [m for m in members if m is not None], regulation.decryption_threshold)
        db.commit()
    return election_id


def stored_text(app: Any) -> Iterator[tuple[str, str, str]]:
    """Every text and binary value in every table, as (table, column, value)."""
    with app.extensions["stembus_sessions"]() as db:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
            for column in columns:
                for value in db.execute(select(column)).scalars():
                    if value is None:
                        continue
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    yield table.name, column.name, text


def places_holding(app: Any, code: str) -> list[str]:
    """Where in the database ``code`` (as printed, or without its dashes) can be found."""
    plain = code.replace("-", "")
    return [
        f"{table}.{column}"
        for table, column, text in stored_text(app)
        if code in text or plain in text.replace("-", "")
    ]
