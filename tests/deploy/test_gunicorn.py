"""The gunicorn settings load, and gunicorn accepts them together with the app."""

from __future__ import annotations

import runpy
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def test_settings_are_sane(monkeypatch):
    monkeypatch.delenv("STEMBUS_WORKERS", raising=False)
    settings = runpy.run_path(str(CONFIG))
    assert 1 <= settings["workers"] <= 9
    assert settings["timeout"] > settings["graceful_timeout"] > 0
    assert settings["control_socket_disable"] is True
    assert settings["preload_app"] is False
    assert "%(q)s" not in settings["access_log_format"] and "%(r)s" not in settings["access_log_format"]
    assert "%(U)s" in settings["access_log_format"]


def test_worker_count_follows_the_environment(monkeypatch):
    monkeypatch.setenv("STEMBUS_WORKERS", "3")
    assert runpy.run_path(str(CONFIG))["workers"] == 3


def test_gunicorn_accepts_the_configuration_and_loads_the_app(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48),
        "STEMBUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONFIG), "--check-config", "admin.app:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
