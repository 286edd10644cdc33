"""Security by construction: role checks on every committee route, CSRF, headers, secrets."""

from __future__ import annotations

import pytest

from admin.app import create_app
from admin.config import ConfigurationError
from admin.security import ROLES_ATTRIBUTE
from election.models import Role
from tests.helpers import make_member, sign_in

PUBLIC_ENDPOINTS = {
    "static",
    "public.home",
    "public.choose_language",
    "public.healthz",
    "public.readyz",
    "auth.login",
    "auth.second_factor",
    "auth.logout",
}


def test_every_committee_route_declares_its_roles(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(
            ("booth.", "public_", "self_service.", "nomination.", "lists.")
        ):
            continue
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, ROLES_ATTRIBUTE), f"{rule.rule} ({rule.endpoint}) has no @committee_role"


def test_anonymous_visitor_is_sent_to_login_from_every_committee_page(app, client):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, ROLES_ATTRIBUTE) or rule.arguments:
            continue
        response = client.get(rule.rule)
        assert response.status_code in (302, 405), rule.rule
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]


def test_it_operator_has_no_election_powers(app, client):
    operator = make_member(app, Role.IT_OPERATOR)
    sign_in(client, operator, app)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, ROLES_ATTRIBUTE, None)
        if roles is None or rule.arguments or "GET" not in rule.methods:
            continue
        expected = 200 if Role.IT_OPERATOR in roles else 403
        assert client.get(rule.rule).status_code == expected, rule.rule


def test_form_post_without_csrf_token_is_refused(app, client):
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "whatever-long"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/auth/login", "/committee/", "/healthz", "/does-not-exist"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_committee_pages_are_not_cached(client):
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"


def test_app_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("STEMBUS_SECRET_KEY", raising=False)
    monkeypatch.delenv("STEMBUS_SECRET_KEY_FILE", raising=False)
    with pytest.raises(ConfigurationError):
        create_app({"SECRET_KEY": "dev"}, instance_path=str(tmp_path))
    with pytest.raises(ConfigurationError):
        create_app({}, instance_path=str(tmp_path))


def test_app_reads_the_secret_from_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("STEMBUS_SECRET_KEY", raising=False)
    monkeypatch.delenv("STEMBUS_SECRET_KEY_FILE", raising=False)
    (tmp_path / "secret_key").write_text("k" * 48)
    app = create_app({"STEMBUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "k" * 48
