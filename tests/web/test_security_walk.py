"""Walk the whole URL map: security headers on every page, CSRF on every form post, safe cookies.

New routes are covered the day they are added, without a test naming them. A route may answer
302, 403, 404 or 405 to a visitor it is not meant for; it must never answer 500, and every answer,
error pages included, carries the same security headers.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from werkzeug.routing import Rule

from election.models import Role
from election.voting_codes import identity_of
from tests.helpers import make_member, sign_in
from tests.web.register_factory import make_election
from tests.web.voting_factory import make_ballot, make_voting_election

STATIC = Path(__file__).resolve().parents[2] / "static"
# Values for URL arguments that are not ids: a language code, a pending-step decision, a phase.
WORD_ARGUMENTS = {"code": "en", "decision": "confirm", "target": "announced"}


def rules(app: Any, method: str, with_arguments: bool) -> list[Rule]:
    """The application's routes that accept ``method``, with or without URL arguments."""
    found = [
        rule
        for rule in app.url_map.iter_rules()
        if method in (rule.methods or ()) and bool(rule.arguments) == with_arguments
    ]
    return sorted(found, key=lambda rule: rule.rule)


def some_static_file() -> str:
    """The path below /static/ of one real file, so the static route is walked too."""
    return next(str(p.relative_to(STATIC)) for p in sorted(STATIC.rglob("*.css")))


def build_url(app: Any, rule: Rule, election_id: int) -> str:
    """``rule`` with its arguments filled: the election that exists, 1 for other ids, a word otherwise."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == "election_id":
            values[name] = election_id
        elif name == "filename":
            values[name] = some_static_file()
        elif name in WORD_ARGUMENTS:
            values[name] = WORD_ARGUMENTS[name]
        else:
            values[name] = 1
    with app.test_request_context():
        return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def assert_security_headers(response: Any, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    assert "frame-ancestors 'none'" in csp, where
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    assert headers.get("Referrer-Policy") == "no-referrer", where


def assert_cookies_safe(response: Any, where: str) -> None:
    """Every cookie the app sets is Secure, HttpOnly and SameSite, and bound to this host only."""
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel.value == "" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                continue  # a deletion
            assert morsel["secure"], f"{where}: cookie {name} is not Secure"
            assert morsel["httponly"], f"{where}: cookie {name} is not HttpOnly"
            assert morsel["samesite"] in ("Lax", "Strict"), f"{where}: cookie {name} has no SameSite"
            assert not morsel["domain"], f"{where}: cookie {name} is sent to other hosts"


def visit_all_gets(app: Any, client: Any, with_arguments: bool, election_id: int) -> list[str]:
    """GET every route; check headers and cookies; return the paths visited."""
    visited = []
    for rule in rules(app, "GET", with_arguments):
        path = build_url(app, rule, election_id) if with_arguments else rule.rule
        response = client.get(path)
        where = f"GET {path} ({rule.endpoint}) -> {response.status_code}"
        assert response.status_code < 500, where
        assert_security_headers(response, where)
        assert_cookies_safe(response, where)
        visited.append(path)
    return visited


@pytest.fixture
def election_id(app: Any) -> int:
    return make_election(app)


def test_every_page_without_arguments_is_safe_for_an_anonymous_visitor(app, client, election_id):
    visited = visit_all_gets(app, client, with_arguments=False, election_id=election_id)
    assert "/" in visited and "/healthz" in visited and "/committee/" in visited


def test_every_page_without_arguments_is_safe_for_the_chair(app, client, election_id):
    sign_in(client, make_member(app, Role.CHAIR), app)
    visit_all_gets(app, client, with_arguments=False, election_id=election_id)


def test_every_page_with_arguments_is_safe_for_the_chair(app, client, election_id):
    sign_in(client, make_member(app, Role.CHAIR), app)
    visited = visit_all_gets(app, client, with_arguments=True, election_id=election_id)
    assert f"/committee/elections/{election_id}/" in visited


def test_every_page_with_arguments_is_safe_for_an_anonymous_visitor(app, client, election_id):
    visit_all_gets(app, client, with_arguments=True, election_id=election_id)


def test_error_pages_carry_the_headers_too(app, client):
    for path in ("/no-such-page", "/committee/elections/999999/"):
        assert_security_headers(client.get(path), path)
    assert_security_headers(client.delete("/"), "DELETE /")


def test_committee_and_sign_in_pages_are_never_cached(app, client, election_id):
    sign_in(client, make_member(app, Role.CHAIR), app)
    for rule in rules(app, "GET", with_arguments=False) + rules(app, "GET", with_arguments=True):
        path = build_url(app, rule, election_id)
        if path.startswith(("/committee", "/auth", "/register/self")):
            response = client.get(path)
            assert response.headers.get("Cache-Control") == "no-store", f"GET {path} -> {response.status_code}"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "chair"])
def test_every_post_route_refuses_a_request_without_csrf_token(app, client, election_id, signed_in):
    if signed_in:
        sign_in(client, make_member(app, Role.CHAIR), app)
    posted = []
    for rule in rules(app, "POST", with_arguments=False) + rules(app, "POST", with_arguments=True):
        path = build_url(app, rule, election_id)
        response = client.post(path, data={"email": "chair@example.org", "reason": "test"})
        where = f"POST {path} ({rule.endpoint}) -> {response.status_code}"
        assert response.status_code == 400, where
        assert_security_headers(response, where)
        posted.append(rule.endpoint)
    assert "auth.login" in posted and "auth.logout" in posted


def test_a_token_from_another_session_is_refused(app, client):
    from tests.conftest import https_client
    from tests.helpers import csrf_token

    other = https_client(app)
    token = csrf_token(other.get("/auth/login"))
    client.get("/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 400


def test_booth_pages_and_their_json_are_never_cached(app, client):
    # The booth's answers name the voter's group and hold their receipt: no cache may keep them.
    ve = make_voting_election(app)
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ve.election_id).uuid
    booth_rules = [
        rule for rule in app.url_map.iter_rules() if rule.rule.startswith(("/stem/", "/vote/")) and rule.arguments
    ]
    assert {r.rule.rsplit("/", 1)[-1] for r in booth_rules} >= {"<election_uuid>", "parameters.json", "cast"}
    page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True)).group(1)}
    for rule in booth_rules:
        path = rule.rule.replace("<election_uuid>", uuid)
        if "GET" in (rule.methods or ()):
            response = client.get(path)
            assert response.status_code == 200, path
        else:
            response = client.post(path, json={"credential": "00" * 32}, headers=headers)
            assert 400 <= response.status_code < 500 and response.is_json, path
        assert response.headers.get("Cache-Control") == "no-store", f"{rule.methods} {path}"
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 0)
    for prefix in ("/stem", "/vote"):
        cast = client.post(f"{prefix}/{uuid}/cast", json=ballot, headers=headers)
        assert cast.status_code in (200, 201) and cast.headers.get("Cache-Control") == "no-store"
