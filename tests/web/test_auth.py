"""Committee sign-in: argon2 passwords, TOTP, sessions that rotate, expire and die at logout."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from election.models import AuditEntry, CommitteeMember, Role
from tests.conftest import https_client
from tests.helpers import PASSWORD, csrf_token, make_member, sign_in


def test_member_signs_in_with_password_and_totp(app, client):
    chair = make_member(app, Role.CHAIR)
    response = sign_in(client, chair, app)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/committee/")
    assert client.get("/committee/").status_code == 200


def test_password_is_stored_as_argon2id(app, db_session):
    make_member(app, Role.MEMBER)
    stored = db_session.scalar(select(CommitteeMember.password_hash))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_password_alone_does_not_open_committee_pages(app, client):
    chair = make_member(app)
    page = client.get("/auth/login")
    client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": chair.email, "password": PASSWORD})
    response = client.get("/committee/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_unknown_email_and_wrong_password_get_the_same_answer(app, client):
    make_member(app)
    page = client.get("/auth/login")
    token = csrf_token(page)
    wrong_password = client.post(
        "/auth/login", data={"csrf_token": token, "email": "chair@example.org", "password": "not the password"}
    )
    unknown = client.post(
        "/auth/login", data={"csrf_token": token, "email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.get_data(as_text=True).count("not correct") == 1
    assert unknown.get_data(as_text=True).count("not correct") == 1


def test_account_locks_after_repeated_failures(app, client):
    chair = make_member(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        page = client.get("/auth/login")
        client.post("/auth/login", data={"csrf_token": csrf_token(page), "email": chair.email, "password": "wrong!"})
    sign_in(client, chair, app)  # the right password is refused while locked
    assert client.get("/committee/").status_code == 302
    app.config["CLOCK"].advance(app.config["LOGIN_LOCKOUT"])
    sign_in(client, chair, app)
    assert client.get("/committee/").status_code == 200


def test_totp_code_cannot_be_replayed(app, client):
    chair = make_member(app)
    sign_in(client, chair, app)
    code = chair.totp.at(app.config["CLOCK"].now())
    other = https_client(app)
    page = other.get("/auth/login")
    other.post("/auth/login", data={"csrf_token": csrf_token(page), "email": chair.email, "password": PASSWORD})
    page = other.get("/auth/totp")
    response = other.post("/auth/totp", data={"csrf_token": csrf_token(page), "code": code})
    assert response.status_code == 200
    assert "not valid" in response.get_data(as_text=True)
    assert other.get("/committee/").status_code == 302


def test_session_id_rotates_at_login(app, client):
    chair = make_member(app)
    client.get("/auth/login")
    before = client.get_cookie("stembus_session").value
    sign_in(client, chair, app)
    after = client.get_cookie("stembus_session").value
    assert before != after
    stale = https_client(app)
    stale.set_cookie("stembus_session", before, domain="localhost")
    assert stale.get("/committee/").status_code == 302


def test_logout_kills_the_session_on_the_server(app, client):
    chair = make_member(app)
    sign_in(client, chair, app)
    cookie = client.get_cookie("stembus_session").value
    page = client.get("/committee/")
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    replay = https_client(app)
    replay.set_cookie("stembus_session", cookie, domain="localhost")
    assert replay.get("/committee/").status_code == 302


def test_idle_session_expires(app, client):
    chair = make_member(app)
    sign_in(client, chair, app)
    app.config["CLOCK"].advance(app.config["SESSION_IDLE_TIMEOUT"] + timedelta(seconds=1))
    assert client.get("/committee/").status_code == 302


def test_busy_session_still_ends_at_the_absolute_timeout(app, client):
    chair = make_member(app)
    sign_in(client, chair, app)
    step = app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1)
    elapsed = timedelta(0)
    while elapsed < app.config["SESSION_ABSOLUTE_TIMEOUT"]:
        app.config["CLOCK"].advance(step)
        elapsed += step
        client.get("/committee/")
    assert client.get("/committee/").status_code == 302


def test_session_cookie_flags(app, client):
    chair = make_member(app)
    sign_in(client, chair, app)
    cookie = client.get_cookie("stembus_session")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_login_and_logout_are_in_the_audit_log(app, client, db_session):
    chair = make_member(app)
    sign_in(client, chair, app)
    page = client.get("/committee/")
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["login", "logout"]
