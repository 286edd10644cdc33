"""PostgreSQL crashed and restarted, then paused, under continuous casting: 503 during, nothing lost after.

While voters keep casting, the server is stopped with ``pg_ctl stop -m immediate`` (a crash: no
checkpoint, recovery from the WAL at start) and started again, then frozen with SIGSTOP for 20 s
and woken with SIGCONT. During both outages the service answers 503 with Retry-After and a short
translated message, never a 500 or a trace, and within seconds also while the database is frozen;
afterwards it casts again, every receipt a voter received is on the board once, and ``stembus
check`` passes. ``STEMBUS_FAULT_PAUSE_SECONDS`` shortens the pause on a developer machine; CI always
pauses for the full 20 s.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass

import psycopg
import pytest

from benchmarks.load.seed import Voter
from tests.system.booth_client import Answer, Booth, BoothRefused, cast, open_booth, request

pytestmark = pytest.mark.slow

PAUSE_SECONDS = 20.0 if os.environ.get("CI") == "true" else float(os.environ.get("STEMBUS_FAULT_PAUSE_SECONDS", "20"))
# Requests in flight when the database freezes are cut loose within SETTLE seconds; a request that
# starts after that, while it is still frozen, is answered within ANSWER_WITHIN seconds.
SETTLE = 10.0
ANSWER_WITHIN = 5.0
VOTING_THREADS = 4
THINK = 0.25  # seconds between one voter's receipt and the next voter, per thread
RESERVED = 320  # more voters than the threads get through in the healthy part of the run
TRACE_MARKERS = ("Traceback", "sqlalchemy", "psycopg", 'File "')


@dataclass
class Seen:
    """One request the load made: when, what, and the answer (or the connection error)."""

    what: str
    started: float
    ended: float
    status: int | None
    answer: Answer | None


class Load:
    """Voters casting continuously, each retrying until they hold a receipt; every answer is kept."""

    def __init__(self, voting_stack, voters: int) -> None:
        self.stack = voting_stack
        self.waiting = voting_stack.take(RESERVED)
        self.stop = threading.Event()
        self.seen: list[Seen] = []
        self.receipts: list[tuple[Voter, Answer]] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._voter_loop) for _ in range(voters)]
        self._threads.append(threading.Thread(target=self._page_loop))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _record(self, what: str, started: float, answer: Answer | None) -> None:
        with self._lock:
            self.seen.append(Seen(what, started, time.monotonic(), answer.status if answer else None, answer))

    def _call(self, what: str, send) -> Answer | None:
        started = time.monotonic()
        try:
            answer = send()
        except OSError:
            answer = None
        self._record(what, started, answer)
        return answer

    def _booth(self) -> Booth | None:
        started = time.monotonic()
        try:
            booth = open_booth(self.stack.base_url, self.stack.election.uuid)
        except BoothRefused as refused:
            self._record("booth", started, refused.answer)
            return None
        except OSError:
            self._record("booth", started, None)
            return None
        self._record("booth", started, booth.answer)
        return booth

    def _voter_loop(self) -> None:
        while not self.stop.is_set():
            with self._lock:
                voter = self.waiting.pop() if self.waiting else None
            if voter is None:
                return
            while not self.stop.is_set():
                booth = self._booth()
                if booth is None:
                    time.sleep(0.2)
                    continue
                answer = self._call("cast", lambda b=booth, v=voter: cast(b, v.ballot, timeout=90))
                if answer is not None and answer.status in (200, 201):
                    with self._lock:
                        self.receipts.append((voter, answer))
                    time.sleep(THINK)
                    break
                time.sleep(0.2)

    def _page_loop(self) -> None:
        booth = None
        while booth is None:
            booth = self._booth()
        pages = [
            ("page", {"Cookie": booth.cookie}, booth.path),
            ("parameters", {}, f"{booth.path}/parameters.json"),
        ]
        while not self.stop.is_set():
            for what, headers, path in pages:
                self._call(
                    what, lambda h=headers, p=path: request(self.stack.base_url, "GET", p, headers=h, timeout=90)
                )
            time.sleep(0.3)

    def answered_between(self, start: float, end: float, status: int) -> list[Seen]:
        """Requests answered with ``status`` inside ``[start, end)``."""
        return [s for s in self.seen if s.status == status and start <= s.ended < end]


def _setting(voting_stack, name: str) -> str:
    port = voting_stack.stack.cluster.port
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=stembus", connect_timeout=10) as c:
        row = c.execute(f"SHOW {name}").fetchone()
        assert row is not None
        return str(row[0])


def test_database_crash_and_pause_answer_503_and_lose_nothing(voting_stack):
    cluster = voting_stack.stack.cluster
    assert _setting(voting_stack, "fsync") == "on"
    assert _setting(voting_stack, "synchronous_commit") == "on"

    with Load(voting_stack, voters=VOTING_THREADS) as load:
        time.sleep(3)
        crashed = time.monotonic()
        cluster.stop("immediate")
        time.sleep(4)
        cluster.start()
        restarted = time.monotonic()
        time.sleep(5)
        paused = time.monotonic()
        cluster.pause()
        try:
            time.sleep(PAUSE_SECONDS)
        finally:
            cluster.resume()
        resumed = time.monotonic()
        time.sleep(8)

    # Never a 500 or a trace: each answer is a receipt or 503 with Retry-After and a short message.
    statuses = {s.status for s in load.seen if s.status is not None}
    assert statuses <= {200, 201, 503}, statuses
    unavailable = [s.answer for s in load.seen if s.status == 503 and s.answer is not None]
    assert unavailable, "the outages were never noticed"
    for answer in unavailable:
        assert answer.headers.get("Retry-After", "").isdigit()
        assert not any(marker in answer.text for marker in TRACE_MARKERS), answer.text
        if answer.data is not None:
            assert answer.error == "unavailable"
            assert "niet beschikbaar" in answer.data["message"]
        else:
            assert "niet beschikbaar" in answer.text
    assert any(s.what == "page" for s in load.seen if s.status == 503), "no booth page was answered during an outage"

    # The crash is answered with 503 while the database is down.
    assert load.answered_between(crashed, restarted, 503)
    # The pause is answered with 503 while the database is still frozen, and quickly.
    assert load.answered_between(paused, resumed, 503), "requests hung until the database woke up"
    assert not [s for s in load.seen if s.started < paused + 1 and s.ended >= paused + SETTLE], "a request hung"
    late = [s for s in load.seen if paused + SETTLE <= s.started and s.ended < resumed]
    for seen in late:
        assert seen.status == 503 and seen.ended - seen.started < ANSWER_WITHIN, seen
    if PAUSE_SECONDS >= SETTLE + ANSWER_WITHIN:
        assert late, "no request was answered while the database stayed frozen"
    # Voting works again after each outage.
    assert load.answered_between(restarted, paused, 201), "no ballot was cast after the restart"
    assert load.answered_between(resumed, time.monotonic(), 201), "no ballot was cast after the pause"

    assert load.waiting, "the load ran out of voters"
    _every_receipt_on_the_board_once(voting_stack, load.receipts)


def _every_receipt_on_the_board_once(voting_stack, receipts: list[tuple[Voter, Answer]]) -> None:
    ballots = voting_stack.board_ballots()
    on_board = {b.credential: b for b in ballots}
    assert receipts
    for voter, receipt in receipts:
        stored = on_board[voter.credential]
        assert (stored.seq, stored.tracking_code) == (receipt.data["seq"], receipt.data["tracking_code"])
        assert stored.tracking_code == voter.tracking_code
    assert len({b.tracking_code for b in ballots}) == len(ballots)
    assert len({b.credential for b in ballots}) == len(ballots)
    assert voting_stack.chain_problems() == []
    check = voting_stack.check()
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["ok"] is True
