"""No voting code is ever written where the server keeps things: logs, database rows, URLs, bodies.

An election is driven from issuing to voting while everything is recorded: every log record of
every logger at DEBUG (SQL statements with their parameters and result rows included), every
request the clients made (method, path, query string, headers, body) and every answer, and
afterwards every value of every table the database catalog lists. No code may appear in any of
them: not as printed (``XXXX-XXXX-…``), not without its dashes, not with spaces, not in lower case.

Two ways codes come into being are covered: issued and handed over in memory
(``election.voting_codes.issue_codes``), and delivered as the committee does it, minted while the
e-mail is handed to the mail system and on printed letters (``election.code_delivery``). The mail
system and the letter are the only places a code may exist, so what the mail sender received is
not searched.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from election.models import Election, RegisterPerson
from election.voting_codes import IssuedCode, identity_of
from tests.conftest import https_client
from tests.helpers import make_member, sign_in
from tests.web.voting_factory import make_ballot, make_voting_election, open_voting_now

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


# --- recording ----------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@contextmanager
def every_log_line() -> Iterator[list[str]]:
    """Every record of every logger at DEBUG while the block runs (loggers that do not propagate too)."""
    lines: list[str] = []
    handler = _Collect(lines)
    loggers = [logging.getLogger(), logging.getLogger("sqlalchemy.engine"), logging.getLogger("werkzeug")]
    loggers += [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
        if not lg.propagate or lg is logging.getLogger():
            lg.addHandler(handler)
    try:
        yield lines
    finally:
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled
            lg.removeHandler(handler)


@dataclass
class Traffic:
    """What went over the wire between the clients and the application."""

    requests: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    def urls(self) -> list[str]:
        """The request lines (method, path and query string) as an access log would see them."""
        return [r.split("\n", 1)[0] for r in self.requests]


def record_traffic(app: Any) -> Traffic:
    """Wrap the WSGI app so that every request (line, headers, body) and every answer is kept."""
    traffic = Traffic()
    inner = app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        query = f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
        headers = "\n".join(f"{k}: {v}" for k, v in environ.items() if k.startswith("HTTP_"))
        traffic.requests.append(
            f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}{query}\n{headers}\n{body.decode('latin-1')}"
        )
        chunks = list(inner(environ, start_response))
        traffic.answers.append(b"".join(chunks).decode("latin-1"))
        return chunks

    app.wsgi_app = recording
    return traffic


def every_stored_value(app: Any) -> Iterator[tuple[str, str]]:
    """Every non-null value of every column of every table the database itself lists."""
    engine = app.extensions["stembus_engine"]
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            quoted = engine.dialect.identifier_preparer.quote(table)
            for row in connection.execute(text(f"SELECT * FROM {quoted}")).mappings():  # noqa: S608 (catalog names)
                for column, value in row.items():
                    if value is None:
                        continue
                    shown = value.decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                    yield f"{table}.{column}", shown


def spellings(code: str) -> set[str]:
    """The ways a code could be written down: as printed, without dashes, with spaces, in lower case."""
    plain = code.replace("-", "")
    forms = {code, plain, code.replace("-", " ")}
    return forms | {f.lower() for f in forms}


def assert_nowhere(codes: list[str], places: dict[str, list[str]]) -> None:
    """No spelling of any code in any of the recorded places (named in the failure)."""
    leaks = [
        f"{where}: {spelling}"
        for where, texts in places.items()
        for t in texts
        for code in codes
        for spelling in spellings(code)
        if spelling in t
    ]
    assert leaks == []


# --- the election ---------------------------------------------------------------------------------


def _issued(app: Any, election_id: int, person_id: int, code: str) -> IssuedCode:
    with app.extensions["stembus_sessions"]() as db:
        person = db.get(RegisterPerson, person_id)
        election = db.get(Election, election_id)
        assert person is not None and election is not None
        group = next(g.name for g in election.groups if g.id == person.electoral_group_id)
        return IssuedCode(person.id, person.name, person.email, person.language or "nl", group, code)


def _codes_by_delivery(app: Any) -> tuple[int, list[IssuedCode]]:
    """An election whose codes went out as the committee sends them: e-mails and one letter."""
    from election.code_delivery import issue_for_delivery, mint_letters
    from election.mail import MemoryMailSender, deliver_pending
    from tests.web.delivery_factory import CODE, make_keyed_election

    election_id = make_keyed_election(app, people=8, without_email=("1004",))
    now = app.config["CLOCK"].now()
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        identity = identity_of(db, election_id)
        assert election is not None and identity is not None
        booth = {"nl": f"https://stembus.example/stem/{identity.uuid}", "en": "https://stembus.example/vote/x"}
        issue_for_delivery(db, election, "chair@example.org", now, booth.__getitem__)
        db.commit()
    sender = MemoryMailSender("commissie@example.org")
    deliver_pending(app.extensions["stembus_sessions"], sender, clock=app.config["CLOCK"])
    by_address = {m["To"]: CODE.findall(m.get_body(("plain",)).get_content())[0] for m in sender.sent}
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        people = list(db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election_id)))
        letter_for = [p for p in people if not p.email]
        letters = mint_letters(db, election, letter_for, "chair@example.org", now, booth["nl"], "nl")
        db.commit()
        codes = {p.id: by_address[p.email] for p in people if p.email}
        codes |= {p.id: letter.code for p, letter in zip(letter_for, letters, strict=True)}
    assert len(codes) == 8
    open_voting_now(app, election_id)
    return election_id, [_issued(app, election_id, pid, code) for pid, code in sorted(codes.items())]


def _codes_in_memory(app: Any) -> tuple[int, list[IssuedCode]]:
    """An election whose codes were issued and handed over in memory."""
    ve = make_voting_election(app, people=8, seats=(1, 1))
    return ve.election_id, ve.codes


def _vote(app: Any, election_id: int, codes: list[IssuedCode]) -> list[str]:
    """Voters use their codes in the booth (cast, retry, a test ballot, a second vote) and look up receipts.

    Returns the public credentials the booth sent, to prove the SQL log really carries parameters.
    """
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        assert identity is not None
        uuid = identity.uuid
    credentials = []
    for n, issued in enumerate(codes[:4]):
        voter = https_client(app)
        page = voter.get(f"/stem/{uuid}" if n % 2 else f"/vote/{uuid}").get_data(as_text=True)
        headers = {"X-CSRFToken": _CSRF_META.search(page).group(1)}  # type: ignore[union-attr]
        voter.get(f"/vote/{uuid}/parameters.json")
        ballot, reveal = make_ballot(app, election_id, issued, choice=n % 2)
        credentials.append(ballot["credential"])
        assert voter.post(f"/vote/{uuid}/credential", json={"credential": ballot["credential"]}, headers=headers)
        if n == 0:  # a Benaloh test first, then a fresh ballot
            answer = voter.post(f"/vote/{uuid}/challenge", json={"ballot": ballot, "reveal": reveal}, headers=headers)
            assert answer.status_code == 201, answer.get_json()
            ballot, _ = make_ballot(app, election_id, issued, choice=0)
        receipt = voter.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
        assert receipt.status_code == 201, receipt.get_json()
        assert voter.post(f"/vote/{uuid}/cast", json=ballot, headers=headers).status_code == 200  # a retry
        again, _ = make_ballot(app, election_id, issued, choice=1)
        assert voter.post(f"/vote/{uuid}/cast", json=again, headers=headers).status_code == 409
        tracking = receipt.get_json()["tracking_code"]
        voter.get(f"/board/{uuid}?code={tracking}")
        voter.get(f"/board/{uuid}.json")
    return credentials


def _committee_looks(app: Any, election_id: int) -> None:
    """The chair opens every committee page of the election (turnout and voting codes included)."""
    chair = https_client(app)
    sign_in(chair, make_member(app, email="looking-chair@example.org"), app)
    prefix = f"/committee/elections/{election_id}/"
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and set(rule.arguments) == {"election_id"} and "." not in rule.rule:
            with app.test_request_context():
                path = rule.build({"election_id": election_id}, append_unknown=False)[1]  # type: ignore[index]
            if path.startswith(prefix):
                assert chair.get(path).status_code < 500, path


@pytest.mark.parametrize("delivery", ["in_memory", "mail_and_letter"])
def test_no_voting_code_is_ever_logged_stored_or_sent_in_a_url(app: Any, delivery: str) -> None:
    traffic = record_traffic(app)
    with every_log_line() as logs:
        if delivery == "mail_and_letter":
            pytest.importorskip("election.code_delivery")
            election_id, codes = _codes_by_delivery(app)
        else:
            election_id, codes = _codes_in_memory(app)
        credentials = _vote(app, election_id, codes)
        _committee_looks(app, election_id)

    stored = [f"{where}={value}" for where, value in every_stored_value(app)]
    # The recording works: the booth's public credentials are in the SQL log, the board and the URLs.
    assert any(credentials[0] in line for line in logs), "the SQL log carries no parameters"
    assert any(credentials[0] in value for value in stored)
    assert any("/cast" in url for url in traffic.urls()) and len(traffic.answers) == len(traffic.requests)
    assert_nowhere(
        [c.code for c in codes],
        {
            "log": logs,
            "url": traffic.urls(),
            "request": traffic.requests,
            "answer": traffic.answers,
            "database": stored,
        },
    )
