"""One code, many simultaneous casts, real HTTP to gunicorn on PostgreSQL: exactly one ballot is stored.

Casting is idempotent for the identical ballot (a retry gets the original receipt, 200, marked
``repeated``) and refuses any other ballot under a used code (409 ``already_voted``, no receipt).
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.load.seed import make_voter
from tests.system.booth_client import Answer, Booth, cast, open_booth, post_json, raw_cast_request

pytestmark = pytest.mark.slow

SIMULTANEOUS = 50


def _cast_together(booths: list[Booth], ballots: list[dict]) -> list[Answer]:
    barrier = threading.Barrier(len(booths))

    def one(i: int) -> Answer:
        barrier.wait(timeout=60)
        return cast(booths[i], ballots[i])

    with ThreadPoolExecutor(len(booths)) as pool:
        return list(pool.map(one, range(len(booths))))


def test_fifty_simultaneous_casts_with_one_code_store_exactly_one_ballot(voting_stack):
    [voter] = voting_stack.take()
    params = voting_stack.election.ballot_params
    code = voting_stack.code_of(voter)
    # Half the devices send the voter's ballot, half another ballot made with the same code.
    other = make_voter(params, code, 0)
    assert other.credential == voter.credential and other.tracking_code != voter.tracking_code
    with ThreadPoolExecutor(10) as pool:
        booths = list(
            pool.map(lambda _i: open_booth(voting_stack.base_url, voting_stack.election.uuid), range(SIMULTANEOUS))
        )
    ballots = [voter.ballot if i % 2 == 0 else other.ballot for i in range(SIMULTANEOUS)]

    answers = _cast_together(booths, ballots)

    statuses = sorted(a.status for a in answers)
    assert statuses.count(201) == 1, statuses
    winner_index = next(i for i, a in enumerate(answers) if a.status == 201)
    winner = answers[winner_index]
    same_ballot = [a for i, a in enumerate(answers) if i % 2 == winner_index % 2 and i != winner_index]
    different_ballot = [a for i, a in enumerate(answers) if i % 2 != winner_index % 2]
    assert len(same_ballot) == SIMULTANEOUS // 2 - 1 and len(different_ballot) == SIMULTANEOUS // 2
    for answer in same_ballot:
        assert answer.status == 200, answer.text
        assert answer.data["repeated"] is True
        assert (answer.data["tracking_code"], answer.data["seq"]) == (
            winner.data["tracking_code"],
            winner.data["seq"],
        )
    for answer in different_ballot:
        assert answer.status == 409, answer.text
        assert answer.error == "already_voted"
        assert "Met deze code is al gestemd" in answer.data["message"]
        assert "tracking_code" not in answer.data
    stored = [b for b in voting_stack.board_ballots() if b.credential == voter.credential]
    assert len(stored) == 1
    assert stored[0].tracking_code == winner.data["tracking_code"]
    assert stored[0].seq == winner.data["seq"]
    # A device that enters the code now is told it has voted before it gets a ballot.
    told = post_json(
        open_booth(voting_stack.base_url, voting_stack.election.uuid), "credential", {"credential": voter.credential}
    )
    assert told.status == 409 and told.error == "already_voted"


def _wait_for(path: Path, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path.name} was never reached")


def test_a_retry_after_a_dropped_connection_gets_the_same_receipt(voting_stack):
    [voter] = voting_stack.take()
    booth = open_booth(voting_stack.base_url, voting_stack.election.uuid)
    marker = voting_stack.fault_dir / "after-commit"
    marker.unlink(missing_ok=True)
    headers = {"X-Fault-Pause": "after-commit", "X-Fault-Pause-Seconds": "1"}
    with socket.create_connection(("127.0.0.1", voting_stack.stack.server.port), timeout=30) as connection:
        connection.sendall(raw_cast_request(booth, voter.ballot, headers))
        _wait_for(marker)  # the ballot is committed; the answer is still on its way
    marker.unlink()
    time.sleep(1.5)  # the worker tries to answer on the closed connection

    retry = cast(booth, voter.ballot)

    assert retry.status == 200, retry.text
    assert retry.data["repeated"] is True
    assert retry.data["tracking_code"] == voter.tracking_code
    stored = [b for b in voting_stack.board_ballots() if b.credential == voter.credential]
    assert [(b.seq, b.tracking_code) for b in stored] == [(retry.data["seq"], voter.tracking_code)]
    # The identical ballot sent again from a second booth session gets the same receipt too.
    again = cast(open_booth(voting_stack.base_url, voting_stack.election.uuid, lang="en"), voter.ballot)
    assert again.status == 200 and again.data["tracking_code"] == voter.tracking_code
