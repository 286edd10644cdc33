"""Small helpers the web tests share: CSRF tokens, committee accounts and signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp

from admin.accounts import create_member
from election.models.committee import Role

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: Any) -> str:
    """The CSRF token in a rendered form."""
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, "page has no CSRF token"
    return found.group(1)


@dataclass
class Account:
    """A committee account created for a test, with what is needed to sign in as it."""

    id: int
    email: str
    totp: pyotp.TOTP


def make_member(app: Any, role: Role = Role.CHAIR, email: str | None = None) -> Account:
    """Create a committee account directly in the database."""
    email = email or f"{role.value}@example.org"
    with app.extensions["stembus_sessions"]() as db:
        member, secret = create_member(
            db, email=email, name=role.value.title(), role=role, password=PASSWORD, secret_key=app.config["SECRET_KEY"]
        )
        db.commit()
        return Account(member.id, email, pyotp.TOTP(secret))


def sign_in(client: Any, account: Account, app: Any, password: str = PASSWORD) -> Any:
    """Sign in with password and the current TOTP code; returns the final response."""
    app.config["CLOCK"].advance(timedelta(seconds=30))  # a fresh TOTP time step for every sign-in
    page = client.get("/auth/login")
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": account.email, "password": password})
    page = client.get("/auth/totp")
    if page.status_code != 200:  # the password step failed
        return page
    now = app.config["CLOCK"].now()
    return client.post("/auth/totp", data={"csrf_token": csrf_token(page), "code": account.totp.at(now)})


def post_form(client: Any, url: str, data: dict[str, Any], form_url: str | None = None) -> Any:
    """Open the form page, then post ``data`` with its CSRF token."""
    page = client.get(form_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})
