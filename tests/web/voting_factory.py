"""Test data for voting: final lists, a frozen manifest, a key ceremony bound to it, codes and an open vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from crypto import group as g
from crypto.ballot import encrypt_ballot
from crypto.credentials import derive_credential
from election.models import Candidacy, CandidateList, CommitteeMember, Election, RegisterPerson
from election.models.committee import Role
from election.procedure import Phase
from election.procedure_store import apply_step, regulation_of
from election.timeline import AMSTERDAM
from election.voting_codes import IssuedCode, identity_of, issue_codes, manifest_of
from tests.helpers import make_member
from tests.web.ceremony_factory import complete_ceremony
from tests.web.lists_factory import make_list_election


@dataclass
class VotingElection:
    """An election ready for voting, with every voter's code (tests only: codes are never stored)."""

    election_id: int
    codes: list[IssuedCode]

    def code_in(self, group_name: str, index: int = 0) -> IssuedCode:
        """The ``index``-th code issued in a group."""
        return [c for c in self.codes if c.group_name == group_name][index]


def _add_lists(db: Any, election: Election) -> None:
    people = list(db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election.id)))
    number = 1
    for group in election.groups:
        members = [p for p in people if p.electoral_group_id == group.id and p.passive]
        for half in (members[: len(members) // 2 + 1], members[len(members) // 2 + 1 :]):
            if not half:
                continue
            lst = CandidateList(
                election_id=election.id,
                electoral_group_id=group.id,
                kind="free",
                name=f"Lijst {number}",
                status="valid",
                via="paper",
                received_on=datetime.now(UTC).date(),
                submitted_at=datetime.now(UTC),
                number=number,
                published_at=datetime.now(UTC),
            )
            lst.candidates = [Candidacy(person_id=p.id, position=i, status="active") for i, p in enumerate(half, 1)]
            db.add(lst)
            number += 1
    db.flush()


def voting_day_noon(app: Any, election_id: int) -> datetime:
    """Noon in Amsterdam on the election's voting day (inside the voting window)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        return datetime.combine(election.voting_day, time(12, 0), tzinfo=AMSTERDAM).astimezone(UTC)


def make_final_lists_election(
    app: Any, *, people: int = 12, seats: tuple[int, int] = (2, 1), phase: str = "lists_final"
) -> int:
    """An election in ``phase`` with published lists: more candidates than seats in both groups."""
    election_id = make_list_election(app, phase=phase, people=people, seats=seats)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        _add_lists(db, election)
        db.commit()
    return election_id


def make_trustees(app: Any, count: int) -> list[int]:
    """``count`` committee accounts that may hold a key share (a chair, then members), by id."""
    roles = [Role.CHAIR] + [Role.MEMBER] * (count - 1)
    return [make_member(app, role, f"trustee{i}@example.org").id for i, role in enumerate(roles, start=1)]


def make_voting_election(
    app: Any, *, people: int = 12, seats: tuple[int, int] = (2, 1), open_vote: bool = True
) -> VotingElection:
    """Final lists (more candidates than seats in both groups), keys, codes; voting open at noon.

    The key ceremony freezes the manifest and is bound to its hash; the codes are issued under it.
    """
    election_id = make_final_lists_election(app, people=people, seats=seats)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        regulation = regulation_of(election)
    trustee_ids = make_trustees(app, regulation.trustees)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        members = [db.get(CommitteeMember, i) for i in trustee_ids]
        complete_ceremony(db, election, [m for m in members if m is not None], regulation.decryption_threshold)
        codes = issue_codes(db, election, "test", datetime.now(UTC))
        db.commit()
    if open_vote:
        open_voting_now(app, election_id)
    return VotingElection(election_id, codes)


def open_voting_now(app: Any, election_id: int) -> None:
    """Move the test clock to the voting day and take the step to VOTING (effects included)."""
    noon = voting_day_noon(app, election_id)
    clock = app.config["CLOCK"]
    clock.advance(noon - clock.now())
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        apply_step(db, election, Phase.VOTING, "test", noon)
        db.commit()


def make_ballot(
    app: Any, election_id: int, issued: IssuedCode, choice: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A real ballot for ``issued``'s group choosing option ``choice`` (-1: blank); and its disclosure."""
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        assert identity is not None and identity.election_hash is not None and identity.joint_key is not None
        x, _ = derive_credential(issued.code, identity.uuid, bytes.fromhex(identity.manifest_hash))
        group = next(gr for gr in manifest_of(identity)["groups"] if gr["name"] == issued.group_name)
        n = sum(len(lst["candidates"]) for lst in group["lists"]) + len(group["candidates"]) + 1
        choices = [0] * n
        choices[choice] = 1
        ballot, secrets_ = encrypt_ballot(
            choices,
            joint_key=g.Point(bytes.fromhex(identity.joint_key)),
            election_hash=bytes.fromhex(identity.election_hash),
            group_id=group["id"],
            credential_secret=x,
            system=group["system"],
            k=group["max_choices"],
        )
        return ballot.to_dict(), secrets_.reveal()


def later(app: Any, delta: timedelta) -> None:
    """Move the test clock."""
    app.config["CLOCK"].advance(delta)
