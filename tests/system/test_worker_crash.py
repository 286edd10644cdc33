"""A gunicorn worker killed with SIGKILL while casting loses no acknowledged ballot and stores none twice.

Killed just before the commit, the ballot is not stored and the retry stores it; killed just after,
the ballot is stored and the retry gets its receipt. Under continuous load with workers killed at
random, every receipt a voter received is on the board once, and ``stembus check`` passes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.load.seed import Voter
from tests.system.booth_client import Answer, cast, open_booth

pytestmark = pytest.mark.slow

KILLS = 6


def _killed_while_casting(voting_stack, voter: Voter, phase: str) -> BaseException | Answer:
    """Send the cast, SIGKILL the worker when it reaches ``phase``; return what the client got."""
    booth = open_booth(voting_stack.base_url, voting_stack.election.uuid)
    marker: Path = voting_stack.fault_dir / phase
    marker.unlink(missing_ok=True)
    outcome: list[BaseException | Answer] = []

    def send() -> None:
        try:
            outcome.append(cast(booth, voter.ballot, headers={"X-Fault-Pause": phase}, timeout=60))
        except OSError as dropped:
            outcome.append(dropped)

    client = threading.Thread(target=send)
    client.start()
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    worker = int(marker.read_text())
    assert worker in voting_stack.stack.server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    marker.unlink()
    client.join(timeout=60)
    _wait_for_all_workers(voting_stack)
    return outcome[0]


def _wait_for_all_workers(voting_stack) -> None:
    server = voting_stack.stack.server
    deadline = time.monotonic() + 60
    while len(server.worker_pids()) < server.workers or not server.ready():
        assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
        time.sleep(0.2)


def _stored(voting_stack, voter: Voter) -> list:
    return [b for b in voting_stack.board_ballots() if b.credential == voter.credential]


def test_worker_killed_just_before_the_commit_stores_nothing_and_the_retry_votes(voting_stack):
    [voter] = voting_stack.take()

    outcome = _killed_while_casting(voting_stack, voter, "before-commit")

    assert isinstance(outcome, OSError), outcome  # the voter saw the connection drop, no receipt
    assert _stored(voting_stack, voter) == []
    retry = cast(open_booth(voting_stack.base_url, voting_stack.election.uuid), voter.ballot)
    assert retry.status == 201, retry.text
    assert retry.data["tracking_code"] == voter.tracking_code
    assert [b.tracking_code for b in _stored(voting_stack, voter)] == [voter.tracking_code]


def test_worker_killed_just_after_the_commit_keeps_the_ballot_and_the_retry_gets_its_receipt(voting_stack):
    [voter] = voting_stack.take()

    outcome = _killed_while_casting(voting_stack, voter, "after-commit")

    assert isinstance(outcome, OSError), outcome
    [stored] = _stored(voting_stack, voter)
    assert stored.tracking_code == voter.tracking_code
    retry = cast(open_booth(voting_stack.base_url, voting_stack.election.uuid), voter.ballot)
    assert retry.status == 200, retry.text
    assert retry.data["repeated"] is True
    assert (retry.data["seq"], retry.data["tracking_code"]) == (stored.seq, stored.tracking_code)


def vote_until_receipt(voting_stack, voter: Voter, deadline: float) -> Answer | None:
    """Vote as a patient voter: when the connection drops, reopen the booth and cast again."""
    while time.monotonic() < deadline:
        try:
            booth = open_booth(voting_stack.base_url, voting_stack.election.uuid)
            answer = cast(booth, voter.ballot, timeout=30)
        except OSError:
            time.sleep(0.2)
            continue
        assert answer.status in (200, 201), answer.text  # a killed worker is a dropped connection, never an error
        return answer
    return None


def test_workers_killed_at_random_under_load_lose_and_double_nothing(voting_stack):
    voters = voting_stack.take(80)
    server = voting_stack.stack.server
    done = threading.Event()
    kills: list[int] = []
    chooser = random.Random(1)

    def killer() -> None:
        # One worker at a time, each once its predecessor's replacement is up: on a slow machine
        # the chaos slows down with it instead of leaving no worker alive.
        while len(kills) < KILLS and not done.wait(chooser.uniform(0.5, 1.5)):
            workers = server.worker_pids()
            if len(workers) == server.workers:
                victim = chooser.choice(workers)
                os.kill(victim, signal.SIGKILL)
                kills.append(victim)

    deadline = time.monotonic() + 240

    def paced_voter(index: int) -> Answer | None:
        # Voters start in step with the kills, so the load outlasts them however fast this machine is.
        due = index * (KILLS + 1) // len(voters)
        while len(kills) < due and not done.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        return vote_until_receipt(voting_stack, voters[index], deadline)

    chaos = threading.Thread(target=killer)
    chaos.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            receipts = list(pool.map(paced_voter, range(len(voters))))
    finally:
        done.set()
        chaos.join()
    _wait_for_all_workers(voting_stack)

    assert len(kills) == KILLS, "the load ended before every planned worker was killed"
    assert all(r is not None for r in receipts), "a voter never got a receipt"
    on_board = {b.credential: b for b in voting_stack.board_ballots()}
    for voter, receipt in zip(voters, receipts, strict=True):
        assert receipt is not None
        stored = on_board[voter.credential]
        assert (stored.seq, stored.tracking_code) == (receipt.data["seq"], receipt.data["tracking_code"])
    ballots = voting_stack.board_ballots()
    assert len({b.tracking_code for b in ballots}) == len(ballots)
    assert len({b.credential for b in ballots}) == len(ballots)
    assert voting_stack.chain_problems() == []
    check = voting_stack.check()
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["ok"] is True
