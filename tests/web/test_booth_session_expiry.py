"""A booth left open past the session's idle timeout says so in JSON; committee forms keep the error page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from crypto.credentials import derive_credential
from election.voting_codes import identity_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')

EXPIRED = {
    "nl": "Uw sessie is verlopen; uw stem is niet opgeslagen. Laad de pagina opnieuw en typ uw stemcode nog eens.",
    "en": "Your session has expired; your vote has not been stored. Reload the page and enter your code again.",
}
PREFIX = {"nl": "/stem", "en": "/vote"}


def _open_booth(app, client, election_id: int, lang: str) -> tuple[str, dict[str, str]]:
    """The booth page in ``lang``: the election's uuid and the CSRF header its script sends."""
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, election_id).uuid
    page = client.get(f"{PREFIX[lang]}/{uuid}")
    assert page.status_code == 200
    return uuid, {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}


def _past_idle_timeout(app) -> None:
    app.config["CLOCK"].advance(app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_cast_after_the_session_expired_gets_the_translated_json_refusal_and_a_fresh_page_votes(app, client, lang):
    ve = make_voting_election(app)
    code = ve.code_in("Noord")
    ballot, _ = make_ballot(app, ve.election_id, code, 0)
    uuid, headers = _open_booth(app, client, ve.election_id, lang)
    _past_idle_timeout(app)

    refused = client.post(f"{PREFIX[lang]}/{uuid}/cast", json=ballot, headers=headers)

    assert refused.status_code == 400
    assert refused.mimetype == "application/json"
    assert refused.get_json() == {"error": "session_expired", "message": EXPIRED[lang]}
    # Nothing was stored: after reloading the page the same ballot is cast for the first time.
    uuid, headers = _open_booth(app, client, ve.election_id, lang)
    assert client.post(f"{PREFIX[lang]}/{uuid}/cast", json=ballot, headers=headers).status_code == 201


def test_the_code_step_after_the_session_expired_gets_the_same_refusal(app, client):
    ve = make_voting_election(app)
    uuid, headers = _open_booth(app, client, ve.election_id, "en")
    with app.extensions["stembus_sessions"]() as db:
        manifest_hash = bytes.fromhex(identity_of(db, ve.election_id).manifest_hash)
    _, public = derive_credential(ve.code_in("Noord").code, uuid, manifest_hash)
    _past_idle_timeout(app)

    refused = client.post(f"/vote/{uuid}/credential", json={"credential": public.hex()}, headers=headers)

    assert refused.status_code == 400
    assert refused.get_json()["error"] == "session_expired"


def test_a_committee_form_with_an_expired_session_still_gets_the_error_page(app, client):
    sign_in(client, make_member(app), app)
    token = csrf_token(client.get("/committee/elections/new"))
    _past_idle_timeout(app)

    refused = client.post(
        "/committee/elections/new",
        data={"csrf_token": token, "name": "OR 2027"},
        headers={"Accept": "application/json"},
    )

    assert refused.status_code == 400
    assert refused.mimetype == "text/html"
    assert "This form has expired or was not sent from this site." in refused.get_data(as_text=True)
    assert "session_expired" not in refused.get_data(as_text=True)
