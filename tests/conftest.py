"""Shared fixtures: the app on SQLite and on PostgreSQL, a client, signed-in committee members.

Every database test runs once per backend. PostgreSQL is used when STEMBUS_TEST_POSTGRES_URL or a
server on 127.0.0.1:5432 answers; in CI (CI=true) it must answer.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings
from sqlalchemy import text

from election.clock import FixedClock
from election.db import make_engine
from election.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get("STEMBUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# In CI the property-based tests draw the same examples every run, so a red build always points at a
# reproducible input; locally they keep exploring new examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogs, as ``make`` does, so a bare pytest run sees Dutch."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "compile",
            "--use-fuzzy",
            "-d",
            str(root / "translations"),
        ],
        check=True,
        capture_output=True,
    )


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so every test starts from an empty schema."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run, migrated to head, dropped at the end."""
    if not _postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} does not answer")
        pytest.skip("no PostgreSQL server reachable on this machine")
    name = f"stembus_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _end_left_transactions(connection) -> None:  # type: ignore[no-untyped-def]
    """End transactions an earlier test's application left open, so TRUNCATE cannot wait on them forever.

    Each one is logged: it means some code kept a session open after its request.
    """
    left = connection.execute(
        text(
            "SELECT pid, left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
    ).all()
    for pid, query in left:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        logging.getLogger("tests").warning("an earlier test left a transaction open (last statement: %s)", query)


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        _end_left_transactions(connection)
        tables = (
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        if tables:
            # TRUNCATE does not fire the append-only row triggers, so tests can start clean.
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "stembus.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    """A clock the test can move; starts at the real current time so TOTP codes line up."""
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def app(database_url: str, clock: FixedClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The application on an empty database, with CSRF and every other protection switched on."""
    from admin.app import create_app

    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "STEMBUS_DATABASE_URL": database_url,
            "CLOCK": clock,
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield application
    application.extensions["stembus_engine"].dispose()


def https_client(app):  # type: ignore[no-untyped-def]
    """A test client whose requests arrive over HTTPS, as behind the production proxy."""
    test_client = app.test_client()
    test_client.environ_base["wsgi.url_scheme"] = "https"
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # assertions read English; i18n tests override
    return test_client


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser-like client on https://localhost (secure cookies are sent)."""
    return https_client(app)


@pytest.fixture
def db_session(app):  # type: ignore[no-untyped-def]
    """A database session outside any request, for arranging and inspecting data."""
    with app.extensions["stembus_sessions"]() as session:
        yield session
