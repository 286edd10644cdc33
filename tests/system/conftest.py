"""One private PostgreSQL cluster and one gunicorn for the system tests, with an election open for voting.

The cluster is started for this run alone (never the shared server on 5432), so the tests may
crash, stop and pause it. gunicorn loads ``tests.system.fault_app`` (production plus test-only
pause hooks) with three workers. The ballots are encrypted before any test starts.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.pool import NullPool

from benchmarks.load.seed import OpenElection, Voter, make_voters, seed_open_election
from benchmarks.load.stack import Stack, StackError, postgres_bin, running_stack, stembus_check
from election.board_store import verify_stored_chain
from election.db import make_engine
from election.models.voting import BoardEntry

VOTERS = 450
CANDIDATES = 6
WORKERS = 3


@dataclass(frozen=True)
class BoardBallot:
    """A counted ballot as stored on the board."""

    seq: int
    tracking_code: str
    credential: str


@dataclass
class VotingStack:
    """The running stack, its open election, and pre-made ballots handed out one voter at a time."""

    stack: Stack
    election: OpenElection
    voters: list[Voter]
    fault_dir: Path
    _taken: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """Where gunicorn listens."""
        return self.stack.server.base_url

    def take(self, count: int = 1) -> list[Voter]:
        """Voters nobody has used yet."""
        with self._lock:
            if self._taken + count > len(self.voters):
                raise AssertionError("the system tests need more pre-made voters; raise VOTERS")
            chosen = self.voters[self._taken : self._taken + count]
            self._taken += count
            return chosen

    def code_of(self, voter: Voter) -> str:
        """The voting code a pre-made voter's ballot was made with."""
        return self.election.codes[self.voters.index(voter)]

    def board_ballots(self) -> list[BoardBallot]:
        """Every counted ballot on the board, read straight from the database."""
        engine = make_engine(self.stack.database_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                query = (
                    select(BoardEntry.seq, BoardEntry.tracking_code, BoardEntry.counted_credential)
                    .where(BoardEntry.election_id == self.election.election_id, BoardEntry.type == "ballot")
                    .order_by(BoardEntry.seq)
                )
                return [BoardBallot(seq, code, cred) for seq, code, cred in connection.execute(query)]
        finally:
            engine.dispose()

    def chain_problems(self) -> list[str]:
        """What is wrong with the stored board chain (empty: intact)."""
        from sqlalchemy.orm import Session

        engine = make_engine(self.stack.database_url, poolclass=NullPool)
        try:
            with Session(engine) as db:
                election_hash = bytes.fromhex(self.election.ballot_params["election_hash"])
                return verify_stored_chain(db, self.election.election_id, election_hash)
        finally:
            engine.dispose()

    def check(self) -> subprocess.CompletedProcess[str]:
        """``stembus check`` on the stack's database."""
        return stembus_check(self.stack.server)


def _postgres_available() -> None:
    try:
        postgres_bin()
    except StackError as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def voting_stack_binaries() -> None:
    """PostgreSQL's server programs are installed (skipped without them, except in CI)."""
    _postgres_available()


@pytest.fixture(scope="session")
def voting_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VotingStack]:
    """The shared stack for every system test of this run."""
    _postgres_available()
    fault_dir = tmp_path_factory.mktemp("faults")
    with running_stack(
        workers=WORKERS,
        threads=4,
        app_spec="tests.system.fault_app:create_app()",
        extra_env={"STEMBUS_FAULT_DIR": str(fault_dir)},
    ) as stack:
        election = seed_open_election(stack.database_url, stack.secret_key, voters=VOTERS, candidates=CANDIDATES)
        voters = make_voters(election, seed=8)
        stack.server.start()
        yield VotingStack(stack, election, voters, fault_dir)
