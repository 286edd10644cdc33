"""An election open for voting now, with its codes, and ballots encrypted ahead for load and fault runs.

The election is arranged with the service's own steps (register, published lists, a key ceremony
held in memory and bound to the frozen manifest, codes issued, the step to voting), in one
electoral group whose ballot has ``candidates`` candidates plus blank. Voting runs from yesterday
for a week, so the server accepts casts by its own clock whatever the hour.

The ballots are made in Python exactly as the booth makes them in the browser (encrypted, proved
and signed with the credential derived from the code), so the server does its full work on each.
"""

from __future__ import annotations

import json
import random
import secrets
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from typing import Any

from crypto import board as bd
from crypto import group as g
from crypto.ballot import ballot_to_bytes, encrypt_ballot
from crypto.ceremony import run_ceremony
from crypto.credentials import derive_credential
from crypto.threshold import DkgParams
from election.db import make_engine, make_session_factory
from election.key_ceremony import record_completed_ceremony
from election.models import Candidacy, CandidateList, Election, ElectoralGroup, RegisterPerson
from election.models.committee import Role
from election.procedure import Phase
from election.procedure_store import apply_step
from election.voting_codes import freeze_manifest, identity_of, issue_codes, manifest_of

TRUSTEES = 3
THRESHOLD = 2


@dataclass(frozen=True)
class OpenElection:
    """The seeded election: its public id, the booth parameters the ballots need, and every code."""

    election_id: int
    uuid: str
    codes: list[str]
    ballot_params: dict[str, Any]


@dataclass(frozen=True)
class Voter:
    """One voter's pre-made cast: the public credential, the ballot JSON and its tracking code."""

    credential: str
    ballot: dict[str, Any]
    tracking_code: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form (for the load generator's voter file)."""
        return {"credential": self.credential, "ballot": self.ballot, "tracking_code": self.tracking_code}


def seed_open_election(database_url: str, secret_key: str, *, voters: int, candidates: int = 20) -> OpenElection:
    """Create an election open for voting now with ``voters`` codes; returns the codes (kept nowhere else)."""
    from admin.accounts import create_member

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as db:
            today = datetime.now(UTC).date()
            election = _election(voters, candidates, today)
            db.add(election)
            db.flush()
            group = election.groups[0]
            people = [_person(election, group, i, passive=i < candidates) for i in range(voters)]
            db.add_all(people)
            db.flush()
            _publish_two_lists(db, election, group, people[:candidates])
            trustees = [
                create_member(
                    db,
                    email=f"trustee{j}@load.example",
                    name=f"Trustee {j}",
                    role=Role.CHAIR if j == 1 else Role.MEMBER,
                    password=secrets.token_urlsafe(24),  # nobody signs in as a seeded trustee
                    secret_key=secret_key,
                )[0]
                for j in range(1, TRUSTEES + 1)
            ]
            now = datetime.now(UTC)
            h_p = bytes.fromhex(freeze_manifest(db, election, "load", now).manifest_hash)
            result = run_ceremony(DkgParams(TRUSTEES, THRESHOLD, h_p))
            record_completed_ceremony(db, election, result.transcript, trustees, actor="load")
            issued = issue_codes(db, election, "load", now)
            apply_step(db, election, Phase.VOTING, "load", now)
            db.flush()
            identity = identity_of(db, election.id)
            assert identity is not None and identity.joint_key and identity.election_hash
            manifest_group = manifest_of(identity)["groups"][0]
            params = {
                "uuid": identity.uuid,
                "manifest_hash": identity.manifest_hash,
                "joint_key": identity.joint_key,
                "election_hash": identity.election_hash,
                "group_id": manifest_group["id"],
                "system": manifest_group["system"],
                "k": manifest_group["max_choices"],
                "n_options": sum(len(lst["candidates"]) for lst in manifest_group["lists"])
                + len(manifest_group["candidates"])
                + 1,
            }
            db.commit()
            return OpenElection(election.id, identity.uuid, [c.code for c in issued], params)
    finally:
        engine.dispose()


def _election(voters: int, candidates: int, today: date) -> Election:
    # More candidates than seats, so the group needs a vote (WOR art. 9 lid 2 otherwise elects them all).
    seats = max(1, min(9, candidates - 1))
    election = Election(
        organisation="Proefdraai BV",
        voting_day=today - timedelta(days=1),
        voting_days=8,
        term_end=today + timedelta(weeks=8),
        headcount=voters,
        seats=seats,
        employer_consent_seats=True,
        electoral_system="list",
        regulation=json.dumps({"voting_days": 8, "trustees": TRUSTEES, "decryption_threshold": THRESHOLD}),
        regulation_version=1,
        phase=Phase.LISTS_FINAL.value,
    )
    election.groups = [ElectoralGroup(name="Iedereen", position=0, seats=seats, earmarked_seats=0)]
    return election


def _person(election: Election, group: ElectoralGroup, i: int, *, passive: bool) -> RegisterPerson:
    number = str(100001 + i)
    return RegisterPerson(
        election_id=election.id,
        employee_number=number,
        name=f"Medewerker {number}",
        email=f"m{number}@load.example",
        language="nl",
        start_date=date(2020, 1, 1),
        employment_kind="employee",
        electoral_group_id=group.id,
        active=True,
        passive=passive,
        reasons="",
        updated_at=datetime.now(UTC),
    )


def _publish_two_lists(db: Any, election: Election, group: ElectoralGroup, candidates: list[RegisterPerson]) -> None:
    now = datetime.now(UTC)
    half = (len(candidates) + 1) // 2
    for number, members in enumerate((candidates[:half], candidates[half:]), start=1):
        if not members:
            continue
        lst = CandidateList(
            election_id=election.id,
            electoral_group_id=group.id,
            kind="free",
            name=f"Lijst {number}",
            status="valid",
            via="paper",
            received_on=now.date(),
            submitted_at=now,
            number=number,
            published_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i, status="active") for i, p in enumerate(members, 1)]
        db.add(lst)
    db.flush()


def make_voter(params: dict[str, Any], code: str, choice: int) -> Voter:
    """Encrypt, prove and sign a vote for option ``choice`` (the last option is blank) under ``code``."""
    secret, _public = derive_credential(code, params["uuid"], bytes.fromhex(params["manifest_hash"]))
    choices = [0] * params["n_options"]
    choices[choice] = 1
    ballot, _secrets = encrypt_ballot(
        choices,
        joint_key=g.Point(bytes.fromhex(params["joint_key"])),
        election_hash=bytes.fromhex(params["election_hash"]),
        group_id=params["group_id"],
        credential_secret=secret,
        system=params["system"],
        k=params["k"],
    )
    return Voter(ballot.credential.hex(), ballot.to_dict(), bd.tracking_code(ballot_to_bytes(ballot)))


def _make_voter_task(task: tuple[dict[str, Any], str, int]) -> Voter:
    return make_voter(*task)


def make_voters(election: OpenElection, *, processes: int = 1, seed: int | None = None) -> list[Voter]:
    """One ballot per code, each for a random option (blank included), in ``processes`` processes."""
    chooser = random.Random(seed)
    tasks = [
        (election.ballot_params, code, chooser.randrange(election.ballot_params["n_options"]))
        for code in election.codes
    ]
    if processes <= 1:
        return [_make_voter_task(task) for task in tasks]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_make_voter_task, tasks, chunksize=max(1, len(tasks) // (processes * 8))))
