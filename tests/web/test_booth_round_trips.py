"""How many SQL statements a voter's visit costs: a guard against round trips creeping back in.

Each step of the visit (booth page, parameters, credential, cast, board lookup) is counted on its
own. The limits are what the booth needs now; a change that adds a statement to the path every
voter takes should be a deliberate one, so raise a limit only with a reason. A read of the
database's clock (which judges the voting window) is counted apart: at most one per request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from admin.sessions import TOUCH_AFTER
from crypto.credentials import derive_credential
from election.voting_codes import identity_of
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF = re.compile(r'data-csrf="([^"]+)"')
_CLOCK_READ = "SELECT statement_timestamp()"

# Statements per step. The cast has one more on PostgreSQL: the advisory lock on the board's head.
LIMITS = {
    "booth page": 2,  # the election; the new session with its CSRF token
    "parameters": 2,  # the session; the election (the parameters themselves are built once per process)
    "credential": 5,  # the session; the election; the throttle; the open check; the credential
    "cast sqlite": 11,  # as the credential, then savepoint, head, insert, the group's running tally, release
    "cast postgresql": 12,
    "board lookup": 4,  # the session; the election; the head; the tracking code
}


@contextmanager
def _statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the application sends while the block runs."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    engine = app.extensions["stembus_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _visit(app: Any, client: Any) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """One voter's whole visit; the statements of each step, and what the steps answered."""
    ve = make_voting_election(app)
    code = ve.code_in("Noord")
    ballot, _ = make_ballot(app, ve.election_id, code, 1)
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
        _, public = derive_credential(code.code, uuid, bytes.fromhex(identity.manifest_hash))
    steps: dict[str, list[str]] = {}
    answers: dict[str, Any] = {}
    with _statements(app) as steps["booth page"]:
        page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF.search(page.get_data(as_text=True)).group(1)}
    with _statements(app) as steps["parameters"]:
        answers["parameters"] = client.get(f"/vote/{uuid}/parameters.json")
    with _statements(app) as steps["credential"]:
        answers["credential"] = client.post(
            f"/vote/{uuid}/credential", json={"credential": public.hex()}, headers=headers
        )
    with _statements(app) as steps["cast"]:
        answers["cast"] = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
    tracking = answers["cast"].get_json()["tracking_code"]
    with _statements(app) as steps["board lookup"]:
        answers["board lookup"] = client.get(f"/board/{uuid}?code={tracking}")
    return steps, answers


def test_every_step_of_a_visit_stays_within_its_statement_budget(app, client):
    steps, answers = _visit(app, client)
    assert answers["parameters"].status_code == 200 and answers["parameters"].get_json()["groups"]
    assert answers["credential"].status_code == 200
    assert answers["cast"].status_code == 201
    assert "will be counted" in answers["board lookup"].get_data(as_text=True)
    dialect = app.extensions["stembus_engine"].dialect.name
    for step, sent in steps.items():
        limit = LIMITS[f"cast {dialect}"] if step == "cast" else LIMITS[step]
        clock_reads = sent.count(_CLOCK_READ)
        assert clock_reads <= 1, step
        assert len(sent) - clock_reads <= limit, f"{step}: {len(sent)} statements\n" + "\n".join(sent)


def test_no_step_after_the_booth_page_writes_the_session_or_reads_the_whole_board(app, client):
    steps, _ = _visit(app, client)
    for step in ("parameters", "credential", "cast", "board lookup"):
        writes = [s for s in steps[step] if s.startswith(("INSERT INTO web_session", "UPDATE web_session"))]
        assert writes == [], step
    lookup = steps["board lookup"]
    # Only the head (LIMIT 1) and the tracking code's own entries are read, never the list of entries.
    assert all("WHERE board_entry.election_id" not in s or "LIMIT" in s or "tracking_code =" in s for s in lookup)


def test_an_unchanged_session_is_written_again_once_it_is_a_minute_old_so_idle_timeouts_still_hold(app, client):
    ve = make_voting_election(app)
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    client.get(f"/vote/{uuid}")
    with _statements(app) as quiet:
        client.get(f"/vote/{uuid}/parameters.json")
    app.config["CLOCK"].advance(TOUCH_AFTER + timedelta(seconds=1))
    with _statements(app) as touched:
        client.get(f"/vote/{uuid}/parameters.json")
    assert not [s for s in quiet if "web_session" in s and not s.startswith("SELECT")]
    assert [s for s in touched if s.startswith("UPDATE web_session")]
    # A voter active every few minutes keeps the session well past the idle timeout ...
    step = app.config["SESSION_IDLE_TIMEOUT"] - TOUCH_AFTER - timedelta(seconds=1)
    for _ in range(3):
        app.config["CLOCK"].advance(step)
        assert client.get(f"/vote/{uuid}/parameters.json").status_code == 200
    assert client.get_cookie("stembus_session") is not None
    token = _CSRF.search(client.get(f"/vote/{uuid}").get_data(as_text=True))
    assert token is not None
    answer = client.post(f"/vote/{uuid}/credential", json={"credential": "0" * 64}, headers={"X-CSRFToken": token[1]})
    assert answer.status_code == 403  # the CSRF token still matched: the session survived
    # ... and one idle for longer loses it: the CSRF token no longer matches.
    app.config["CLOCK"].advance(app.config["SESSION_IDLE_TIMEOUT"] + timedelta(seconds=1))
    stale = client.post(f"/vote/{uuid}/credential", json={"credential": "0" * 64}, headers={"X-CSRFToken": token[1]})
    assert stale.status_code == 400
