"""Configuration from defaults, the instance folder and ``STEMBUS_*`` environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

MIN_SECRET_BYTES = 32

ENVIRONMENT_KEYS = {
    "STEMBUS_DATABASE_URL": "STEMBUS_DATABASE_URL",
    "STEMBUS_REDIS_URL": "STEMBUS_REDIS_URL",
    "STEMBUS_SMTP_HOST": "SMTP_HOST",
    "STEMBUS_MAIL_FROM": "MAIL_FROM",
    "STEMBUS_MAIL_BACKEND": "MAIL_BACKEND",
    "STEMBUS_SMTP_USERNAME": "SMTP_USERNAME",
}


class ConfigurationError(RuntimeError):
    """The instance cannot start safely with this configuration."""


def defaults(instance_path: Path) -> dict[str, Any]:
    """Safe defaults: SQLite in the instance folder, short sessions, strict cookies."""
    return {
        "STEMBUS_DATABASE_URL": f"sqlite:///{instance_path / 'stembus.sqlite3'}",
        "STEMBUS_REDIS_URL": None,
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=20),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=8),
        "SESSION_COOKIE_NAME": "stembus_session",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the server-side session
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT": timedelta(minutes=15),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 25,
        "MAIL_FROM": "verkiezingscommissie@localhost",
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT": 30,
        "MAIL_BATCH_SIZE": 50,
        "MAIL_MAX_ATTEMPTS": 8,
        "MAIL_CLAIM_TIMEOUT": timedelta(minutes=15),
        "MAIL_POLL_INTERVAL": 5,
        "TESTING": False,
    }


def from_environment() -> dict[str, Any]:
    """Settings from ``STEMBUS_*`` variables; ``STEMBUS_SECRET_KEY_FILE`` reads the key from a file."""
    found: dict[str, Any] = {}
    for variable, key in ENVIRONMENT_KEYS.items():
        if os.environ.get(variable):
            found[key] = os.environ[variable]
    if os.environ.get("STEMBUS_SMTP_PORT"):
        found["SMTP_PORT"] = int(os.environ["STEMBUS_SMTP_PORT"])
    if os.environ.get("STEMBUS_PROXY_COUNT"):
        found["PROXY_COUNT"] = int(os.environ["STEMBUS_PROXY_COUNT"])
    if os.environ.get("STEMBUS_SMTP_STARTTLS") == "1":
        found["SMTP_STARTTLS"] = True
    if os.environ.get("STEMBUS_SMTP_PASSWORD_FILE"):
        found["SMTP_PASSWORD"] = Path(os.environ["STEMBUS_SMTP_PASSWORD_FILE"]).read_text().strip()
    password_file = os.environ.get("STEMBUS_DATABASE_PASSWORD_FILE")
    if password_file and found.get("STEMBUS_DATABASE_URL"):
        # Containers get the database password as a secret file, never inside the URL.
        url = make_url(found["STEMBUS_DATABASE_URL"]).set(password=Path(password_file).read_text().strip())
        found["STEMBUS_DATABASE_URL"] = url.render_as_string(hide_password=False)
    if os.environ.get("STEMBUS_INSECURE_COOKIES") == "1":
        found["SESSION_COOKIE_SECURE"] = False
    key_file = os.environ.get("STEMBUS_SECRET_KEY_FILE")
    if key_file:
        found["SECRET_KEY"] = Path(key_file).read_text().strip()
    elif os.environ.get("STEMBUS_SECRET_KEY"):
        found["SECRET_KEY"] = os.environ["STEMBUS_SECRET_KEY"]
    return found


def from_instance(instance_path: Path) -> dict[str, Any]:
    """The secret key that ``make run`` wrote into the instance folder, if any."""
    key_path = instance_path / "secret_key"
    return {"SECRET_KEY": key_path.read_text().strip()} if key_path.exists() else {}


def require_real_secret(config: dict[str, Any]) -> None:
    """Refuse to run outside tests without a long, random secret key."""
    if config.get("TESTING"):
        return
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < MIN_SECRET_BYTES or secret in {"dev", "change-me", "secret"}:
        raise ConfigurationError(
            "No real secret key: set STEMBUS_SECRET_KEY_FILE or put a random key of at least "
            f"{MIN_SECRET_BYTES} characters in instance/secret_key (make run creates one)."
        )
