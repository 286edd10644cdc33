"""The systemd units run Stembus sandboxed, with secrets handed over as credentials."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
SERVICES = ["stembus-web", "stembus-mail", "stembus-migrate", "stembus-backup", "stembus-check"]
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "SystemCallFilter": "@system-service",
}


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> every value given (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_sandboxed(name):
    service = unit(f"{name}.service")["Service"]
    for key, value in HARDENING.items():
        assert value in service.get(key, []), f"{name}: {key}={value} missing"
    assert service["User"] == ["stembus"]
    assert not any(v.startswith("STEMBUS_SECRET_KEY=") for v in service.get("Environment", []))


@pytest.mark.parametrize("name", ["stembus-web", "stembus-mail", "stembus-migrate", "stembus-check"])
def test_secret_key_comes_from_a_credential(name):
    service = unit(f"{name}.service")["Service"]
    assert "secret_key:/etc/stembus/secret_key" in service["LoadCredential"]
    assert "STEMBUS_SECRET_KEY_FILE=%d/secret_key" in " ".join(service["Environment"])


def test_web_service_serves_gunicorn_on_a_socket_in_its_runtime_directory():
    service = unit("stembus-web.service")["Service"]
    [command] = service["ExecStart"]
    assert "gunicorn -c /opt/stembus/deploy/gunicorn.conf.py" in command
    assert "--bind unix:%t/stembus/gunicorn.sock" in command
    assert service["RuntimeDirectory"] == ["stembus"]
    assert service["ReadWritePaths"] == ["/var/lib/stembus"]
    assert "STEMBUS_PROXY_COUNT=1" in service["Environment"]


def test_mail_worker_and_migration_run_the_right_commands():
    assert unit("stembus-mail.service")["Service"]["ExecStart"] == ["/opt/stembus/.venv/bin/stembus mail send --loop"]
    migrate = unit("stembus-migrate.service")["Service"]
    assert migrate["Type"] == ["oneshot"]
    assert migrate["ExecStart"] == ["/opt/stembus/.venv/bin/stembus db upgrade"]
    # The web service never migrates on its own: several hosts starting at once would race.
    assert "stembus db upgrade" not in (UNITS / "stembus-web.service").read_text()


def test_backup_runs_hourly_into_its_own_directory():
    service = unit("stembus-backup.service")["Service"]
    assert service["ExecStart"] == ["/opt/stembus/deploy/backup.sh"]
    assert service["ReadWritePaths"] == ["/var/backups/stembus"]
    assert unit("stembus-backup.timer")["Timer"]["OnCalendar"] == ["hourly"]
    assert unit("stembus-check.timer")["Timer"]["OnCalendar"]


def _offline_copies(tmp_path: Path) -> Path:
    """The units with /opt/stembus paths pointing into this checkout, so systemd can verify them."""
    venv_bin = Path(sys.executable).parent
    for source in UNITS.iterdir():
        text = source.read_text().replace("/opt/stembus/.venv/bin/", f"{venv_bin}/")
        (tmp_path / source.name).write_text(text.replace("/opt/stembus/deploy/", f"{ROOT}/deploy/"))
    return tmp_path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units_and_rates_them_well_sandboxed(tmp_path):
    folder = _offline_copies(tmp_path)
    files = sorted(str(p) for p in folder.iterdir())
    verify = subprocess.run(["systemd-analyze", "verify", "--man=no", *files], capture_output=True, text=True)
    assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
    for name in SERVICES:
        result = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(folder / f"{name}.service")],
            capture_output=True,
            text=True,
        )
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
        assert found, result.stdout + result.stderr
        assert float(found.group(1)) <= 2.0, f"{name}: exposure {found.group(1)}"
