"""Test data for the count: a vote with real ballots, the trustees' sealed shares, and closing by two members."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from crypto import group as g
from crypto import keystore
from crypto.group import Scalar
from election.casting import cast_ballot
from election.models import CommitteeMember, Election
from election.models.committee import Role
from election.procedure import Phase
from election.procedure_store import confirm, propose_step, regulation_of, timeline_of
from election.timeline import voting_window
from election.trustee_tool import BACKUP_FORMAT
from election.voting_codes import IssuedCode, identity_of, issue_codes
from tests.helpers import Account, make_member
from tests.web.ceremony_factory import complete_ceremony
from tests.web.voting_factory import make_ballot, make_final_lists_election, open_voting_now

PASSPHRASE = "correct horse battery staple"
CHEAP = keystore.Argon2Cost(time_cost=1, memory_kib=8 * 1024, parallelism=1)


@dataclass
class CountElection:
    """An open vote whose trustees' secret shares the test knows (never so in a real election)."""

    election_id: int
    codes: list[IssuedCode]
    trustees: list[int]  # committee member ids, trustee 1 first
    accounts: list[Account]  # the same trustees, to sign in as
    shares: dict[int, Scalar]  # committee member id -> s_j
    cast: dict[str, list[int]] = field(default_factory=dict)  # manifest group id -> chosen option per ballot


def make_count_election(app: Any, *, people: int = 12) -> CountElection:
    """Final lists, a 2-of-3 key ceremony with known shares, codes issued and voting open at noon."""
    election_id = make_final_lists_election(app, people=people)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        regulation = regulation_of(election)
    roles = [Role.CHAIR] + [Role.MEMBER] * (regulation.trustees - 1)
    accounts = [make_member(app, role, f"trustee{i}@example.org") for i, role in enumerate(roles, start=1)]
    trustee_ids = [a.id for a in accounts]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        members = [db.get(CommitteeMember, i) for i in trustee_ids]
        shares = complete_ceremony(db, election, [m for m in members if m is not None], regulation.decryption_threshold)
        codes = issue_codes(db, election, "test", app.config["CLOCK"].now())
        db.commit()
    open_voting_now(app, election_id)
    return CountElection(election_id, codes, trustee_ids, accounts, shares)


def cast(app: Any, ce: CountElection, issued: IssuedCode, choice: int) -> None:
    """Cast a real ballot for ``issued`` choosing option ``choice`` and remember the choice."""
    ballot, _ = make_ballot(app, ce.election_id, issued, choice)
    with app.extensions["stembus_sessions"]() as db:
        cast_ballot(db, ce.election_id, ballot, app.config["CLOCK"].now())
        db.commit()
    ce.cast.setdefault(ballot["group"], []).append(choice)


def after_voting(app: Any, election_id: int) -> None:
    """Move the test clock past the end of the voting window."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        _, closes = voting_window(timeline_of(election))
    clock = app.config["CLOCK"]
    clock.advance(closes.astimezone(UTC) + timedelta(minutes=1) - clock.now())


def close_vote(app: Any, election_id: int, proposer: int, confirmer: int) -> None:
    """Close the vote: one committee member proposes COUNTED, a second confirms (the effect closes the board)."""
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        first, second = db.get(CommitteeMember, proposer), db.get(CommitteeMember, confirmer)
        assert election is not None and first is not None and second is not None
        outcome = propose_step(db, election, first, Phase.COUNTED, now, now.date())
        assert outcome.pending is not None
        confirm(db, outcome.pending, second, now, now.date())
        db.commit()


def write_backup(path: Path, app: Any, ce: CountElection, member_id: int) -> Path:
    """A trustee's sealed share backup, in the format ``stembus trustee finish`` writes."""
    j = ce.trustees.index(member_id) + 1
    share = ce.shares[member_id]
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ce.election_id)
        assert identity is not None and identity.keys is not None
        keys = json.loads(identity.keys)
    backup = {
        "format": BACKUP_FORMAT,
        "version": 1,
        "election": ce.election_id,
        "member": j,
        "n": keys["trustees"],
        "t": keys["threshold"],
        "params_hash": identity.manifest_hash,
        "joint_key": keys["joint_key"],
        "verification_key": bytes(g.base_mul(share)).hex(),
        "sealed": keystore.seal(bytes(share), PASSPHRASE, label=f"trustee {j}", cost=CHEAP),
    }
    path.write_text(json.dumps(backup), encoding="utf-8")
    return path
