"""The demo instance that ``make run`` serves: a committee and an election to try things on."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from flask import Flask
from sqlalchemy import select

from admin.accounts import create_member, hash_password, seal_totp_secret
from admin.demo_voting import VotingDemo, seed_voting_demo
from election import audit_log
from election.models import CommitteeMember, Election, ElectoralGroup, Role

DEMO_ORGANISATION = "Demo Zorggroep BV"


@dataclass(frozen=True)
class DemoAccount:
    """Sign-in details printed for the person trying the demo."""

    role: str
    email: str
    password: str
    totp_secret: str


DEMO_PEOPLE = (
    (Role.CHAIR, "voorzitter@demo.stembus.nl", "Anna de Vries"),
    (Role.MEMBER, "lid@demo.stembus.nl", "Bram Jansen"),
    (Role.SECRETARY, "secretaris@demo.stembus.nl", "Cem Yilmaz"),
    (Role.AUDITOR, "auditor@demo.stembus.nl", "Dirk Smit"),
)


DEMO_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class DemoSeed:
    """Everything ``demo seed`` prints: sign-ins, and the election open for voting with its codes."""

    accounts: list[DemoAccount]
    voting: VotingDemo


def seed(app: Flask) -> DemoSeed:
    """Create the demo accounts and elections; on later runs fresh secrets and a fresh open vote.

    One demo election stays in preparation for trying the committee's procedure; another is open
    for voting, with the chair, member and secretary holding its key shares.
    """
    accounts: list[DemoAccount] = []
    members: list[CommitteeMember] = []
    key = app.config["SECRET_KEY"]
    with app.extensions["stembus_sessions"]() as db:
        for role, email, name in DEMO_PEOPLE:
            password = secrets.token_urlsafe(9)
            totp_secret = pyotp.random_base32()
            existing = db.scalar(select(CommitteeMember).where(CommitteeMember.email == email))
            if existing is None:
                create_member(
                    db, email=email, name=name, role=role, password=password, secret_key=key, totp_secret=totp_secret
                )
            else:
                existing.password_hash = hash_password(password)
                existing.totp_secret_sealed = seal_totp_secret(totp_secret, key)
                existing.totp_last_step = 0
                existing.locked_until = None
            db.flush()
            members.append(db.scalars(select(CommitteeMember).where(CommitteeMember.email == email)).one())
            accounts.append(DemoAccount(role.value, email, password, totp_secret))
        if db.scalar(select(Election).where(Election.organisation == DEMO_ORGANISATION)) is None:
            _create_demo_election(app, db)
        trustees = [m for m in members if m.role in (Role.CHAIR.value, Role.MEMBER.value, Role.SECRETARY.value)]
        voting = seed_voting_demo(app, db, trustees, DEMO_BASE_URL)
        audit_log.record(db, "cli", "demo_seeded")
        db.commit()
    return DemoSeed(accounts, voting)


def _create_demo_election(app: Flask, db) -> None:  # type: ignore[no-untyped-def]
    today = app.config["CLOCK"].today()
    election = Election(
        organisation=DEMO_ORGANISATION,
        voting_day=today + timedelta(weeks=14),
        term_end=today + timedelta(weeks=18),
        headcount=1000,
        seats=15,
        electoral_system="list",
        regulation=json.dumps({}),
        phase="draft",
    )
    election.groups = [
        ElectoralGroup(name="Zorg", position=1, seats=10),
        ElectoralGroup(name="Ondersteuning", position=2, seats=5),
    ]
    db.add(election)
    db.flush()
