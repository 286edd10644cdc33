"""A disposable Stembus instance for the web scanners: a seeded database behind a real gunicorn.

The seed holds a page in every state a visitor without an account can reach: the booth of an
election open for voting (with ballots on its board and its published lists), the union and
free-list submission pages of an election in its candidacy period, the nomination pre-round of a
third, personal register self-check links, and the committee's sign-in.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import psycopg

from election.casting import cast_ballot
from election.clock import FixedClock
from election.list_store import union_links
from election.migrate import upgrade
from election.models import Election
from election.models.committee import Role
from election.voting_codes import identity_of
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_reachable
from tests.helpers import Account, make_member
from tests.web.lists_factory import make_list_election, register_token
from tests.web.nomination_factory import nomination_election, open_round
from tests.web.voting_factory import make_ballot, make_voting_election

ROOT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'data-csrf="([^"]+)"')


@dataclass
class Seeded:
    """What the scanners are pointed at: ids, public identifiers and the personal tokens issued."""

    voting_election_id: int
    election_uuid: str
    lists_election_id: int
    lists_group_id: int
    nomination_election_id: int
    ballot: dict[str, Any]
    idle_credential: str  # a voter's public credential that no probe casts under
    tracking_code: str
    union_token: str
    register_token: str
    free_list_token: str
    nomination_token: str
    chair: Account


@dataclass
class ScanTarget:
    """A running instance: its base URL, what was seeded, and the gunicorn log (access log included)."""

    base: str
    seeded: Seeded
    database_url: str
    log_path: Path
    secret_key: str
    now: datetime
    started_at: datetime

    def clock(self) -> datetime:
        """The instance's clock now: it started at the seed's ``now`` and runs at real speed."""
        return self.now + (datetime.now(UTC) - self.started_at)

    def log_text(self) -> str:
        """Everything gunicorn wrote so far."""
        return self.log_path.read_text(errors="replace")

    def access_log(self) -> list[tuple[str, int]]:
        """Every request in the access log so far, as (request line, status)."""
        # The path is logged decoded, so it may hold spaces and quotes: match up to the protocol.
        found = re.findall(r'"([A-Z]+ [^\n]*?) HTTP/[\d.]+" (\d{3}) ', self.log_text())
        return [(line, int(status)) for line, status in found]

    @property
    def dbms(self) -> str:
        """The database system behind the instance, as sqlmap names it."""
        return "PostgreSQL" if self.database_url.startswith("postgresql") else "SQLite"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def scan_database(tmp: Path) -> Iterator[str]:
    """A migrated, empty database of its own: PostgreSQL when the shared server answers, else SQLite."""
    if not _postgres_reachable():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} does not answer")
        url = f"sqlite:///{tmp / 'scan.sqlite3'}"
        upgrade(url)
        yield url
        return
    name = f"stembus_scan_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(app: Any) -> Seeded:
    """Fill the database: three elections in different phases, ballots, links and a committee chair."""
    ve = make_voting_election(app, people=12)
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        election_uuid = identity.uuid
    receipts = []
    for i, issued in enumerate(ve.codes[:3]):
        ballot, _ = make_ballot(app, ve.election_id, issued, choice=i % 2)
        with app.extensions["stembus_sessions"]() as db:
            receipts.append(cast_ballot(db, ve.election_id, ballot, now))
            db.commit()
    unused, _ = make_ballot(app, ve.election_id, ve.codes[5])
    idle, _ = make_ballot(app, ve.election_id, ve.codes[6])
    lists_id = make_list_election(app, mode="simultaneous", phase="candidacy")
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, lists_id)
        assert election is not None
        tokens = {u.name: t for u, t in union_links(db, election, "seed", now)}
        lists_group_id = election.groups[0].id
        db.commit()
    nomination_id = nomination_election(app)
    nomination_tokens = open_round(app, nomination_id)
    return Seeded(
        voting_election_id=ve.election_id,
        election_uuid=election_uuid,
        lists_election_id=lists_id,
        lists_group_id=lists_group_id,
        nomination_election_id=nomination_id,
        ballot=unused,
        idle_credential=str(idle["credential"]),
        tracking_code=receipts[0].tracking_code,
        union_token=tokens["FNV"],
        register_token=register_token(app, ve.election_id, "1002"),
        free_list_token=register_token(app, lists_id, "1001"),
        nomination_token=next(iter(nomination_tokens.values())),
        chair=make_member(app, Role.CHAIR, "chair@example.org"),
    )


def seed_database(url: str, secret_key: str, instance: Path) -> tuple[Seeded, datetime]:
    """Seed ``url`` through the application (as the factories do) and return the seed and its clock."""
    from admin.app import create_app

    clock = FixedClock(datetime.now(UTC))
    app = create_app(
        {"TESTING": True, "SECRET_KEY": secret_key, "STEMBUS_DATABASE_URL": url, "CLOCK": clock},
        instance_path=str(instance),
    )
    try:
        seeded = seed(app)
    finally:
        app.extensions["stembus_engine"].dispose()
    return seeded, clock.now()


@contextmanager
def running_instance(tmp: Path) -> Iterator[ScanTarget]:
    """Seed a database of its own and serve it with gunicorn on a free loopback port."""
    secret_key = secrets.token_urlsafe(48)
    with scan_database(tmp) as url:
        seeded, now = seed_database(url, secret_key, tmp / "instance")
        port = free_port()
        started_at = datetime.now(UTC)
        log_path = tmp / "gunicorn.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "STEMBUS_SECRET_KEY": secret_key,
            "STEMBUS_DATABASE_URL": url,
            "STEMBUS_INSECURE_COOKIES": "1",  # plain HTTP on loopback; production sets Secure behind TLS
            "STEMBUS_SCAN_NOW": now.isoformat(),
            "STEMBUS_SCAN_STARTED": started_at.isoformat(),
            "STEMBUS_WORKERS": "2",
            "STEMBUS_THREADS": "4",
        }
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    str(ROOT / "deploy" / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "tests.security.scan_app:create_scan_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(base, server, log_path)
            yield ScanTarget(base, seeded, url, log_path, secret_key, now, started_at)
        finally:
            server.send_signal(signal.SIGINT)  # a quick shutdown: nothing to finish here
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within a minute: {log_path.read_text(errors='replace')}")


class Browser:
    """A tiny cookie-keeping HTTP client for preparing sessions and CSRF tokens for the scanners."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> str:
        """GET (or POST ``data`` as a form) and return the body, whatever the status."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as answer:
                return str(answer.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return str(error.read().decode("utf-8", "replace"))

    def csrf(self, path: str) -> str:
        """The CSRF token of the form (or booth) at ``path``; it stays valid for this session."""
        page = self.request(path)
        found = CSRF_INPUT.search(page) or CSRF_META.search(page)
        assert found, f"{path} has no CSRF token"
        return found.group(1)

    def cookie_header(self) -> str:
        """The session cookie as a ``Cookie:`` header value."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def cookies(self) -> list[Any]:
        """The cookies this client holds."""
        return list(self.jar)

    def sign_in(self, target: ScanTarget) -> None:
        """Sign in as the seeded chair: password, then the TOTP code of the instance's clock."""
        from tests.helpers import PASSWORD

        account = target.seeded.chair
        self.request(
            "/auth/login", {"csrf_token": self.csrf("/auth/login"), "email": account.email, "password": PASSWORD}
        )
        token = self.csrf("/auth/totp")
        self.request("/auth/totp", {"csrf_token": token, "code": account.totp.at(target.clock())})
