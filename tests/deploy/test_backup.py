"""Backup and restore drill: dump, encrypt, decrypt, restore, and the restored copy passes `stembus check`.

Runs against the local PostgreSQL (127.0.0.1:5432, or STEMBUS_TEST_POSTGRES_URL) with two scratch
databases that are dropped afterwards. Skipped only when the PostgreSQL client tools are missing on a
developer machine; in CI (CI=true) everything it needs must be there.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from admin.cli import main
from election import audit_log
from election.db import make_engine, make_session_factory
from election.migrate import upgrade
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_reachable

ROOT = Path(__file__).resolve().parents[2]
BACKUP, RESTORE = ROOT / "deploy" / "backup.sh", ROOT / "deploy" / "restore.sh"
IN_CI = os.environ.get("CI") == "true"


def _require(condition: bool, reason: str, skip_locally: bool) -> None:
    if condition:
        return
    if IN_CI or not skip_locally:
        pytest.fail(f"{reason} (install with: STEMBUS_NEED_DEPLOY_TOOLS=1 bash deploy/install-system-packages.sh)")
    pytest.skip(reason)


@pytest.fixture
def tools() -> None:
    _require(
        shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
        "pg_dump/pg_restore are not installed",
        skip_locally=True,
    )
    _require(
        shutil.which("age") is not None and shutil.which("age-keygen") is not None,
        "age is not installed",
        skip_locally=False,
    )
    _require(_postgres_reachable(), f"no PostgreSQL at {POSTGRES_ADMIN_URL}", skip_locally=True)


def _libpq_env() -> dict[str, str]:
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_URL)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PGCONNECT_TIMEOUT": "5"}
    for key, variable in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD")):
        if info.get(key):
            env[variable] = str(info[key])
    return env


def _sqlalchemy_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"


@pytest.fixture
def scratch_names(tools) -> Iterator[tuple[str, str]]:
    """Names for the original and the restored database; both are dropped at the end."""
    tag = uuid.uuid4().hex[:10]
    names = (f"stembus_backup_{tag}", f"stembus_restored_{tag}")
    yield names
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _keypair(folder: Path) -> tuple[Path, Path]:
    identity = folder / "committee.key"
    subprocess.run(["age-keygen", "-o", str(identity)], check=True, capture_output=True)
    recipients = folder / "recipients.txt"
    public = subprocess.run(["age-keygen", "-y", str(identity)], check=True, capture_output=True, text=True).stdout
    recipients.write_text(public)
    return identity, recipients


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def test_backup_restore_drill(tmp_path, scratch_names):
    original, restored = scratch_names
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{original}"')
    url = _sqlalchemy_url(original)
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        for action in ("announce", "freeze_register", "open_voting"):
            audit_log.record(session, "chair@example.org", action, election_id=1, note="drill")
        session.commit()
    engine.dispose()

    identity, recipients = _keypair(tmp_path)
    backups = tmp_path / "backups"
    env = _libpq_env() | {
        "STEMBUS_BACKUP_DIR": str(backups),
        "STEMBUS_BACKUP_RECIPIENTS": str(recipients),
        "STEMBUS_BACKUP_DATABASE": original,
        "STEMBUS_BACKUP_KEEP_DAYS": "30",
    }
    result = subprocess.run(["bash", str(BACKUP)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    [backup] = list(backups.glob("stembus-*.dump.age"))
    content = backup.read_bytes()
    assert content.startswith(b"age-encryption.org/v1")
    assert b"PGDMP" not in content and b"chair@example.org" not in content  # nothing readable without the key
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    result = subprocess.run(
        ["bash", str(RESTORE), "--create", str(backup), str(identity), restored],
        env=_libpq_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    query = "SELECT seq, actor, action, details, prev_hash, entry_hash FROM audit_entry ORDER BY seq"
    assert _rows(_sqlalchemy_url(restored), query) == _rows(url, query)
    assert len(_rows(_sqlalchemy_url(restored), query)) == 3
    check = CliRunner().invoke(
        main,
        ["check"],
        env={"STEMBUS_DATABASE_URL": _sqlalchemy_url(restored), "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48)},
    )
    assert check.exit_code == 0, check.output
    # The append-only trigger came back with the data.
    with pytest.raises(Exception, match="append-only"):
        _rows(_sqlalchemy_url(restored), "UPDATE audit_entry SET actor = 'x' RETURNING seq")

    # A second restore into the now filled database is refused rather than mixed in.
    again = subprocess.run(
        ["bash", str(RESTORE), str(backup), str(identity), restored],
        env=_libpq_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode != 0 and "not empty" in again.stderr


def test_backup_prunes_old_copies_but_keeps_the_newest(tmp_path, scratch_names):
    original, _ = scratch_names
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{original}"')
    _, recipients = _keypair(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    old, recent = backups / "stembus-20200101T000000Z.dump.age", backups / "stembus-20990101T000000Z.dump.age"
    unrelated = backups / "notes.txt"
    for path in (old, recent, unrelated):
        path.write_text("x")
    long_ago = time.time() - 40 * 86400
    os.utime(old, (long_ago, long_ago))
    os.utime(unrelated, (long_ago, long_ago))
    env = _libpq_env() | {
        "STEMBUS_BACKUP_DIR": str(backups),
        "STEMBUS_BACKUP_RECIPIENTS": str(recipients),
        "STEMBUS_BACKUP_DATABASE": original,
        "STEMBUS_BACKUP_KEEP_DAYS": "35",
    }
    result = subprocess.run(["bash", str(BACKUP)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not old.exists() and recent.exists() and unrelated.exists()
    assert "pruned" in result.stdout
    assert len(list(backups.glob("stembus-*.dump.age"))) == 2


def test_backup_refuses_to_run_without_a_public_key(tmp_path, tools):
    env = _libpq_env() | {"STEMBUS_BACKUP_DIR": str(tmp_path), "STEMBUS_BACKUP_RECIPIENTS": str(tmp_path / "none")}
    result = subprocess.run(["bash", str(BACKUP)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "no age public keys" in result.stderr
    assert list(tmp_path.iterdir()) == []
