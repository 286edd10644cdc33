"""Sign-in limits per address hold across workers because the counters live in the database."""

from __future__ import annotations

import secrets
from datetime import timedelta

from admin.app import create_app
from election.throttle import Limit, failures, is_blocked, record_failure
from tests.conftest import https_client
from tests.helpers import csrf_token, make_member, sign_in


def _second_worker(app, tmp_path):
    """Another app object on the same database, as a second gunicorn worker would be."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "STEMBUS_DATABASE_URL": app.config["STEMBUS_DATABASE_URL"],
            "CLOCK": app.config["CLOCK"],
        },
        instance_path=str(tmp_path / "worker2"),
    )


def _fail_login(client, email: str) -> int:
    page = client.get("/auth/login")
    response = client.post(
        "/auth/login", data={"csrf_token": csrf_token(page), "email": email, "password": secrets.token_hex(8)}
    )
    return response.status_code


def test_address_limit_counts_failures_from_every_worker(app, tmp_path):
    make_member(app)
    worker2 = _second_worker(app, tmp_path)
    one, two = https_client(app), https_client(worker2)
    for attempt in range(20):
        # Spread over many made-up accounts, so the per-account lock-out never triggers.
        assert _fail_login(one if attempt % 2 else two, f"user{attempt}@example.org") == 200
    assert _fail_login(one, "chair@example.org") == 429
    assert _fail_login(two, "chair@example.org") == 429
    worker2.extensions["stembus_engine"].dispose()


def test_address_limit_also_stops_the_right_password_until_the_window_ends(app, client):
    chair = make_member(app)
    for attempt in range(20):
        _fail_login(client, f"user{attempt}@example.org")
    sign_in(client, chair, app)
    assert client.get("/committee/").status_code == 302
    app.config["CLOCK"].advance(timedelta(minutes=15))
    sign_in(client, chair, app)
    assert client.get("/committee/").status_code == 200


def test_counter_starts_a_new_window(db_session, clock):
    limit = Limit("test", failures=2, window=timedelta(minutes=1))
    now = clock.now()
    record_failure(db_session, limit, "203.0.113.9", now)
    record_failure(db_session, limit, "203.0.113.9", now)
    db_session.commit()
    assert is_blocked(db_session, limit, "203.0.113.9", now)
    assert not is_blocked(db_session, limit, "198.51.100.1", now)
    later = now + timedelta(minutes=1)
    assert not is_blocked(db_session, limit, "203.0.113.9", later)
    record_failure(db_session, limit, "203.0.113.9", later)
    db_session.commit()
    assert failures(db_session, limit, "203.0.113.9", later) == 1
