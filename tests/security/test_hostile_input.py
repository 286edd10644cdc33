"""What the scanners found once, pinned: hostile values get a 4xx or a safe redirect, never a 500.

A NUL byte or an id beyond the integer range reached PostgreSQL and came back as a 500; a tab or a
line break in the language switch's ``next`` either broke the Location header or let a browser
leave the site.
"""

from __future__ import annotations

import re

from election.voting_codes import identity_of
from tests.helpers import csrf_token
from tests.web.voting_factory import make_ballot, make_voting_election

HUGE = "99999999999999999999"


LEAVING = ["/\t/evil.example/", "/\\evil.example", "/\r\nSet-Cookie: a=b", "//evil.example", "x", ""]
NOT_HEX = ["a" * 63 + "\x00", "\x00" * 64, "g" * 64, "A" * 63 + " "]


def test_the_language_switch_only_returns_to_a_path_on_this_site(client):
    for target in LEAVING:
        answer = client.get("/language/en", query_string={"next": target})
        assert answer.status_code == 302, target
        assert answer.headers["Location"] in ("/", "http://localhost/", "https://localhost/"), target
        assert "a=b" not in str(answer.headers), target
    assert client.get("/language/en?next=/register/self").headers["Location"].endswith("/register/self")


def test_nul_bytes_and_huge_ids_in_the_path_are_client_errors(client):
    for path in (f"/lists/{HUGE}", f"/lists/{HUGE}.pdf", "/board/%00", "/vote/%00", "/stem/%00/parameters.json"):
        assert 400 <= client.get(path).status_code < 500, path


def test_hostile_values_at_the_booth_and_the_board_are_client_errors(app, client):
    ve = make_voting_election(app, people=4, seats=(1, 1))
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    for query in ("?code=%00", "?code=AB%00CD", f".json?after={HUGE}", f".json?after=-{HUGE}"):
        assert client.get(f"/board/{uuid}{query}").status_code < 500, query
    token = re.search(r'data-csrf="([^"]+)"', client.get(f"/vote/{uuid}").get_data(as_text=True))
    assert token
    headers = {"X-CSRFToken": token.group(1)}
    for credential in NOT_HEX:
        answer = client.post(f"/vote/{uuid}/credential", json={"credential": credential}, headers=headers)
        assert answer.status_code == 400 and answer.get_json()["error"] == "malformed", credential
    ballot, _ = make_ballot(app, ve.election_id, ve.codes[0])
    answer = client.post(f"/vote/{uuid}/credential", json={"credential": ballot["credential"].upper()}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["group"]  # hex in either case is still hex


def test_text_the_database_cannot_hold_is_a_client_error_in_forms(client):
    page = client.get("/register/self")
    answer = client.post("/register/self", data={"csrf_token": csrf_token(page), "token": "abc\x00def"})
    assert 400 <= answer.status_code < 500
