"""The container files: a small non-root image, and a compose file that holds no secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY\b|API_KEY", re.I)


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def test_compose_has_database_redis_migration_web_and_mail():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "mail"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["stembus", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["mail"]["command"] == ["stembus", "mail", "send", "--loop"]
    assert services["web"]["environment"]["STEMBUS_PROXY_COUNT"] == "1"
    assert all(port.startswith("127.0.0.1:") for port in services["web"]["ports"])


def test_compose_secrets_are_files_and_every_secret_setting_points_at_one():
    document = compose()
    assert set(document["secrets"]) == {"secret_key", "db_password"}
    assert all(set(spec) == {"file"} for spec in document["secrets"].values())
    for name, service in document["services"].items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: environment as a mapping, please"
        for key, value in environment.items():
            if SECRET_WORDS.search(key):
                assert key.endswith("_FILE") and str(value).startswith("/run/secrets/"), f"{name}: {key}={value}"
            assert not re.search(r"://[^/@\s:]+:[^/@\s]+@", str(value)), f"{name}: a password inside {key}"
        for secret in service.get("secrets", []):
            assert secret in document["secrets"]


def test_compose_file_holds_no_secret_literal():
    text = (DEPLOY / "compose.yaml").read_text()
    assert not re.search(r"(?i)(password|secret|token)\s*[:=]\s*['\"]?[A-Za-z0-9+/_-]{12,}", text)
    assert "POSTGRES_PASSWORD:" not in text  # only POSTGRES_PASSWORD_FILE


def test_app_containers_are_read_only_without_privileges():
    for name in ("migrate", "web", "mail"):
        service = compose()["services"][name]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]


def test_dockerfile_is_multi_stage_non_root_with_a_health_check():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(stages) >= 2 and "AS build" in text
    assert "python:3" in text and "slim" in text
    runtime = text.rsplit("\nFROM ", 1)[1]
    assert "build-essential" not in runtime
    for package in ("libsodium23", "libdecaf0", "libpango-1.0-0"):
        assert package in runtime
    users = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.M)
    assert "gunicorn" in runtime and "deploy/gunicorn.conf.py" in runtime


def test_dockerfile_copies_only_what_exists():
    text = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert (ROOT / source).exists(), source
