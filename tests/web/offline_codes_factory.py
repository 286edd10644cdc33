"""Test data for offline voting codes: the regulation makes codes offline, keys are held, no code is made yet."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from election.models import CommitteeMember, Election
from election.models.committee import Role
from election.procedure_store import regulation_of
from election.voting_codes import IssuedCode
from tests.helpers import Account, make_member
from tests.web.ceremony_factory import complete_ceremony
from tests.web.voting_factory import make_final_lists_election

CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){5}\b")


@dataclass
class OfflineElection:
    """An election with final lists, offline code mode and a completed key ceremony; ``chair`` signs in."""

    election_id: int
    chair: Account


def set_code_mode(app: Any, election_id: int, mode: str) -> None:
    """Write ``code_mode`` into the election's regulation profile (before the manifest is frozen)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        profile = json.loads(election.regulation or "{}")
        profile["code_mode"] = mode
        election.regulation = json.dumps(profile)
        db.commit()


def make_offline_election(app: Any, *, people: int = 12) -> OfflineElection:
    """Final lists, ``code_mode = "offline"``, the manifest frozen with a completed key ceremony."""
    election_id = make_final_lists_election(app, people=people)
    set_code_mode(app, election_id, "offline")
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        regulation = regulation_of(election)
    roles = [Role.CHAIR] + [Role.MEMBER] * (regulation.trustees - 1)
    accounts = [make_member(app, role, f"trustee{i}@example.org") for i, role in enumerate(roles, start=1)]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        members = [db.get(CommitteeMember, a.id) for a in accounts]
        complete_ceremony(db, election, [m for m in members if m is not None], regulation.decryption_threshold)
        db.commit()
    return OfflineElection(election_id, accounts[0])


def codes_from_mails(folder: Path) -> dict[str, str]:
    """Each mailed voter's code, by e-mail address, read back from the ``.eml`` files the CLI wrote."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.eml")):
        message: Message = message_from_bytes(path.read_bytes())
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        match = CODE.search(payload.decode("utf-8"))
        assert match is not None, path
        found[str(message["To"])] = match.group(0)
    return found


def issued(person_id: int, name: str, email: str, group_name: str, code: str) -> IssuedCode:
    """An offline code in the shape the voting test helpers take."""
    return IssuedCode(person_id, name, email, "nl", group_name, code)
