"""With the database unreachable every page answers 503 with Retry-After and a short message, never a trace.

A fast check without a running server (the address refuses connections); the outage tests show the
same against a crashed and a frozen PostgreSQL behind gunicorn.
"""

from __future__ import annotations

import secrets

import pytest

from admin.app import create_app
from benchmarks.load.stack import free_port

TRACE_MARKERS = ("Traceback", "sqlalchemy", "psycopg", "OperationalError")


@pytest.fixture
def unreachable_app(tmp_path):
    # Not TESTING: errors must go through the handlers exactly as in production.
    app = create_app(
        {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "STEMBUS_DATABASE_URL": f"postgresql+psycopg://stembus@127.0.0.1:{free_port()}/stembus",
            "SESSION_COOKIE_SECURE": False,
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield app
    app.extensions["stembus_engine"].dispose()


def _assert_unavailable(answer) -> str:
    text = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()
    assert not any(marker in text for marker in TRACE_MARKERS), text
    return text


def test_booth_page_answers_503_in_dutch(unreachable_app):
    text = _assert_unavailable(unreachable_app.test_client().get("/stem/0c5e8a52-0000-4000-8000-000000000000"))
    assert "De dienst is even niet beschikbaar" in text


def test_a_visitor_with_a_session_cookie_gets_503_not_500(unreachable_app):
    # The session is read from the database before the view runs: that failure is a 503 too.
    client = unreachable_app.test_client()
    client.set_cookie("stembus_session", secrets.token_urlsafe(32))
    text = _assert_unavailable(
        client.get("/vote/0c5e8a52-0000-4000-8000-000000000000", headers={"Accept-Language": "en"})
    )
    assert "The service is briefly unavailable" in text


def test_a_cast_gets_a_json_503(unreachable_app):
    client = unreachable_app.test_client()
    client.set_cookie("stembus_session", secrets.token_urlsafe(32))
    answer = client.post("/vote/0c5e8a52-0000-4000-8000-000000000000/cast", json={}, headers={"Accept-Language": "en"})
    _assert_unavailable(answer)
    assert answer.json["error"] == "unavailable"
    assert "briefly unavailable" in answer.json["message"]


def test_readiness_reports_the_database(unreachable_app):
    answer = unreachable_app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.json["reason"] == "database"
