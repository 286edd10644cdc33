"""The demo election that is open for voting, so someone who starts ``make run`` can vote at once.

It is built with the real steps of the service, arranged in one go: a register, published candidate
lists, the committee's key ceremony (held in memory among the demo trustees, whose share backups
are written to the instance folder sealed under printed passphrases, so the demo can be counted with
``stembus trustee decrypt``), the issuing of codes and the opening of the vote. Voting runs for a
week from yesterday, so the booth is open whatever the hour.

The codes are shown once, when they are made; like every voting code they are not stored, so they
cannot be shown again. Each ``demo seed`` therefore opens a fresh demo election with fresh codes.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.ceremony import run_ceremony
from crypto.threshold import DkgParams
from election.clock import dutch_date
from election.key_ceremony import record_completed_ceremony
from election.models import Candidacy, CandidateList, CommitteeMember, Election, ElectoralGroup, RegisterPerson
from election.procedure import Phase
from election.procedure_store import apply_step, regulation_of
from election.trustee_tool import sealed_backup
from election.voting_codes import IssuedCode, freeze_manifest, issue_codes

VOTING_ORGANISATION = "Demo Havenbedrijf BV"
DEMO_CODES_SHOWN = 5

_FIRST = ("Anouk", "Bas", "Chantal", "Daan", "Esra", "Fleur", "Gijs", "Hanna", "Ilias", "Joost", "Kim", "Lotte")
_LAST = ("Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters")
_GROUPS = (("Operatie", 3), ("Kantoor", 2))
_PEOPLE = 36
_CANDIDATES_PER_LIST = 4


@dataclass(frozen=True)
class DemoCode:
    """A demo voter's code and the booth address that carries it in the fragment."""

    name: str
    group: str
    code: str
    booth_url: str


@dataclass(frozen=True)
class DemoTrustee:
    """Where a demo trustee's sealed share backup lies, and its passphrase (demo only)."""

    email: str
    backup: Path
    passphrase: str


@dataclass(frozen=True)
class VotingDemo:
    """What ``demo seed`` prints about the open demo election."""

    organisation: str
    codes: list[DemoCode]
    trustees: list[DemoTrustee]


def seed_voting_demo(app: Flask, db: Session, trustees: Sequence[CommitteeMember], base_url: str) -> VotingDemo:
    """Open a demo election for voting with ``trustees`` holding its key, and return demo codes."""
    now = app.config["CLOCK"].now()
    election = _election_with_final_lists(db, app.config["CLOCK"].today())
    backups = _hold_key_ceremony(db, election, list(trustees), Path(app.instance_path) / "demo-trustees")
    codes = issue_codes(db, election, "demo", now)
    apply_step(db, election, Phase.VOTING, "demo", now)
    db.flush()
    uuid = freeze_manifest(db, election, "demo", now).uuid
    shown = [_demo_code(issued, uuid, base_url) for issued in _spread(codes)]
    return VotingDemo(election.organisation, shown, backups)


def _spread(codes: list[IssuedCode]) -> list[IssuedCode]:
    """A few codes from every electoral group, so each ballot can be tried."""
    chosen: list[IssuedCode] = []
    groups = sorted({c.group_name for c in codes})
    while len(chosen) < min(DEMO_CODES_SHOWN, len(codes)):
        for name in groups:
            left = [c for c in codes if c.group_name == name and c not in chosen]
            if left and len(chosen) < DEMO_CODES_SHOWN:
                chosen.append(left[0])
    return chosen


def _demo_code(issued: IssuedCode, uuid: str, base_url: str) -> DemoCode:
    return DemoCode(issued.name, issued.group_name, issued.code, f"{base_url}/stem/{uuid}#code={issued.code}")


def _election_with_final_lists(db: Session, today: date) -> Election:
    """An election whose register is fixed and whose lists are published and final."""
    election = Election(
        organisation=VOTING_ORGANISATION,
        voting_day=today - timedelta(days=1),
        voting_days=8,
        term_end=today + timedelta(weeks=4),
        headcount=_PEOPLE,
        seats=sum(seats for _, seats in _GROUPS),
        employer_consent_seats=True,
        electoral_system="list",
        regulation=json.dumps({"voting_days": 8}),
        regulation_version=1,
        phase=Phase.LISTS_FINAL.value,
    )
    election.groups = [
        ElectoralGroup(name=name, position=i, seats=seats, earmarked_seats=0) for i, (name, seats) in enumerate(_GROUPS)
    ]
    db.add(election)
    db.flush()
    people = [_person(election, i) for i in range(_PEOPLE)]
    db.add_all(people)
    db.flush()
    for group in election.groups:
        _publish_lists(db, election, group, [p for p in people if p.electoral_group_id == group.id])
    db.flush()
    db.expire_all()  # read the stored times back, as every later step will see them
    return election


def _person(election: Election, i: int) -> RegisterPerson:
    number = str(5001 + i)
    name = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}"
    return RegisterPerson(
        election_id=election.id,
        employee_number=number,
        name=name,
        email=f"medewerker{number}@demo.stembus.nl",
        language="nl" if i % 3 else "en",
        start_date=date(2019, 1, 1),
        employment_kind="employee",
        electoral_group_id=election.groups[i % len(election.groups)].id,
        active=True,
        passive=True,
        reasons="",
        updated_at=datetime.now(UTC),
    )


def _publish_lists(db: Session, election: Election, group: ElectoralGroup, members: list[RegisterPerson]) -> None:
    """Two free lists per group with more candidates than seats, so a vote is needed."""
    now = datetime.now(UTC)
    taken = db.scalars(select(CandidateList.number).where(CandidateList.election_id == election.id)).all()
    number = max(taken, default=0) + 1
    for start in (0, _CANDIDATES_PER_LIST):
        candidates = members[start : start + _CANDIDATES_PER_LIST]
        demo_list = CandidateList(
            election_id=election.id,
            electoral_group_id=group.id,
            kind="free",
            name=f"Samen {group.name}" if start == 0 else f"Vernieuwing {group.name}",
            status="valid",
            via="paper",
            received_on=dutch_date(now),
            submitted_at=now,
            number=number,
            published_at=now,
        )
        demo_list.candidates = [
            Candidacy(person_id=p.id, position=i, status="active") for i, p in enumerate(candidates, start=1)
        ]
        db.add(demo_list)
        db.flush()
        number += 1


def _hold_key_ceremony(
    db: Session, election: Election, trustees: list[CommitteeMember], folder: Path
) -> list[DemoTrustee]:
    """Run the distributed key generation among the demo trustees and seal each share to a file."""
    regulation = regulation_of(election)
    threshold = min(regulation.decryption_threshold, len(trustees))
    h_p = bytes.fromhex(freeze_manifest(db, election, "demo", datetime.now(UTC)).manifest_hash)
    result = run_ceremony(DkgParams(len(trustees), threshold, h_p))
    record_completed_ceremony(db, election, result.transcript, trustees, actor="demo")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    held: list[DemoTrustee] = []
    for j, member in enumerate(trustees, start=1):
        passphrase = secrets.token_urlsafe(12)
        backup = sealed_backup(election.id, j, result.transcript, result.secret_shares[j], passphrase)
        path = folder / f"election-{election.id}-trustee-{j}.json"
        path.write_text(json.dumps(backup, indent=2), encoding="utf-8")
        path.chmod(0o600)
        held.append(DemoTrustee(member.email, path, passphrase))
    return held
