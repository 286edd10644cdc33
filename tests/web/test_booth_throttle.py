"""Code guessing at the booth: wrong credentials count per client address and in total, in the database.

The limits are ``admin.voting.CAST_FAILURES`` (per address) and ``CAST_FAILURES_GLOBAL`` (all
addresses together); both are held in the database, so every gunicorn worker sees the same counts.
"""

from __future__ import annotations

import re
import secrets

from admin.app import create_app
from admin.voting import CAST_FAILURES, CAST_FAILURES_GLOBAL
from crypto.credentials import derive_credential
from election.voting_codes import identity_of
from tests.conftest import https_client
from tests.web.voting_factory import make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')
THROTTLED_EN = "Too many failed attempts from this connection. Wait a quarter of an hour and try again."
THROTTLED_NL = "Te veel mislukte pogingen vanaf deze verbinding. Wacht een kwartier en probeer het opnieuw."


def _election(app):  # type: ignore[no-untyped-def]
    """An open vote: its UUID and the public credential of one real voting code."""
    ve = make_voting_election(app)
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        _, public = derive_credential(ve.code_in("Noord").code, identity.uuid, bytes.fromhex(identity.manifest_hash))
        return identity.uuid, public.hex()


def _booth_client(app, uuid, address="203.0.113.7"):  # type: ignore[no-untyped-def]
    """A booth visitor from ``address``, with the CSRF header its page gives it."""
    client = https_client(app)
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get(f"/vote/{uuid}")
    token = _CSRF_META.search(page.get_data(as_text=True)).group(1)
    return client, {"X-CSRFToken": token}


def _try(client, headers, uuid, credential=None, prefix="/vote"):  # type: ignore[no-untyped-def]
    body = {"credential": credential or secrets.token_hex(32)}
    return client.post(f"{prefix}/{uuid}/credential", json=body, headers=headers)


def _assert_throttled(response, message=THROTTLED_EN):  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.get_json()
    assert response.get_json() == {"error": "throttled", "message": message}


def test_one_client_is_stopped_after_its_wrong_credentials_even_with_the_right_one(app):
    uuid, right = _election(app)
    client, headers = _booth_client(app, uuid)
    for _ in range(CAST_FAILURES.failures):
        answer = _try(client, headers, uuid)
        assert answer.status_code == 403 and answer.get_json()["error"] == "unknown_credential"
    _assert_throttled(_try(client, headers, uuid))
    _assert_throttled(_try(client, headers, uuid, right))
    _assert_throttled(_try(client, headers, uuid, prefix="/stem"), THROTTLED_NL)
    # The ballot endpoints share the same counter.
    cast = client.post(f"/vote/{uuid}/cast", json={"ballot": "x"}, headers=headers)
    _assert_throttled(cast)
    # Another address is not affected by this one's guessing.
    other, other_headers = _booth_client(app, uuid, "198.51.100.20")
    assert _try(other, other_headers, uuid, right).status_code == 200


def test_one_failure_short_of_the_limit_still_lets_the_right_code_in(app):
    uuid, right = _election(app)
    client, headers = _booth_client(app, uuid)
    for _ in range(CAST_FAILURES.failures - 1):
        assert _try(client, headers, uuid).status_code == 403
    answer = _try(client, headers, uuid, right)
    assert answer.status_code == 200 and answer.get_json()["group"]


def test_the_throttled_answer_says_when_to_retry(app):
    uuid, _ = _election(app)
    client, headers = _booth_client(app, uuid)
    for _ in range(CAST_FAILURES.failures):
        _try(client, headers, uuid)
    answer = _try(client, headers, uuid)
    assert answer.status_code == 429
    retry = answer.headers.get("Retry-After")
    assert retry is not None and retry.isdigit()
    assert 0 < int(retry) <= CAST_FAILURES.window.total_seconds()


def test_the_limit_holds_across_two_workers_on_one_database(app, tmp_path):
    uuid, right = _election(app)
    worker2 = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "STEMBUS_DATABASE_URL": app.config["STEMBUS_DATABASE_URL"],
            "CLOCK": app.config["CLOCK"],
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        instance_path=str(tmp_path / "worker2"),
    )
    try:
        workers = [_booth_client(app, uuid), _booth_client(worker2, uuid)]
        for attempt in range(CAST_FAILURES.failures):
            client, headers = workers[attempt % 2]
            assert _try(client, headers, uuid).status_code == 403
        for client, headers in workers:
            _assert_throttled(_try(client, headers, uuid, right))
    finally:
        worker2.extensions["stembus_engine"].dispose()


def test_the_global_limit_stops_guessing_spread_over_many_addresses(app):
    uuid, right = _election(app)
    client, headers = _booth_client(app, uuid)
    per_address = CAST_FAILURES.failures - 1  # no single address reaches its own limit
    addresses = -(-CAST_FAILURES_GLOBAL.failures // per_address)
    sent = 0
    for n in range(addresses):
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 250}.{n % 250}.1"
        for _ in range(min(per_address, CAST_FAILURES_GLOBAL.failures - sent)):
            assert _try(client, headers, uuid).status_code == 403
            sent += 1
    assert sent == CAST_FAILURES_GLOBAL.failures
    fresh, fresh_headers = _booth_client(app, uuid, "192.0.2.99")
    _assert_throttled(_try(fresh, fresh_headers, uuid, right))


def test_the_right_code_works_again_once_the_window_has_passed(app):
    uuid, right = _election(app)
    client, headers = _booth_client(app, uuid)
    for _ in range(CAST_FAILURES.failures):
        _try(client, headers, uuid)
    _assert_throttled(_try(client, headers, uuid, right))
    app.config["CLOCK"].advance(CAST_FAILURES.window)
    answer = _try(client, headers, uuid, right)
    assert answer.status_code == 200 and answer.get_json()["group"]
