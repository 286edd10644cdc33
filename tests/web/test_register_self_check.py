"""The employee's self-check: one's own entry only, never another's; objections within the window."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from election.models import RegisterObjection, RegisterPerson, Role
from election.register_links import hash_token
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.register_factory import GOOD_ROWS, csv_file, import_file, make_election, post_on


@pytest.fixture
def links(app, db_session):
    """Import a register as the chair in a separate browser and return employee number -> token."""
    committee = app.test_client()
    committee.environ_base["wsgi.url_scheme"] = "https"
    committee.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(committee, make_member(app, Role.CHAIR), app)
    election_id = make_election(app)
    import_file(committee, election_id, csv_file(*GOOD_ROWS))
    response = post_on(
        committee,
        f"/committee/elections/{election_id}/register/links",
        form_url=f"/committee/elections/{election_id}/register",
    )
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    return {row[0]: row[3].split("#t=")[1] for row in rows[1:]}


def _open(client, token: str):
    page = client.get("/register/self")
    return client.post("/register/self", data={"csrf_token": csrf_token(page), "token": token})


def test_links_are_issued_once_and_only_their_hash_is_stored(links, db_session):
    assert len(links) == 4
    people = {p.employee_number: p for p in db_session.scalars(select(RegisterPerson))}
    for number, token in links.items():
        assert len(token) >= 32  # at least 128 bits of randomness
        assert people[number].token_hash == hash_token(token)
        assert token not in (people[number].token_hash or "")


def test_link_puts_the_token_in_the_fragment_and_a_script_posts_it(app, client, links):
    page = client.get("/register/self").get_data(as_text=True)
    nonce = re.search(
        r"script-src 'self' 'nonce-([^']+)'", client.get("/register/self").headers["Content-Security-Policy"]
    )
    assert nonce
    assert re.search(r'<script src="/static/js/self-check.js" nonce="[^"]+"', page)
    assert "onclick" not in page and "onload" not in page
    script = client.get("/static/js/self-check.js").get_data(as_text=True)
    assert "location.hash" in script and "replaceState" in script


def test_self_check_shows_only_the_owners_entry(client, links):
    page = _open(client, links["1001"]).get_data(as_text=True)
    assert "Anna Jansen" in page and "Yes, you may vote." in page
    for other in ("Bram Visser", "Cem Yilmaz", "Dirk Bos", "1002", "1003", "1004"):
        assert other not in page
    page = _open(client, links["1004"]).get_data(as_text=True)
    assert "Dirk Bos" in page and "No, you may not vote." in page
    assert "bestuurder (top executive) is not represented" in page
    assert "Anna Jansen" not in page


@pytest.mark.parametrize("token", ["", "1001", "x" * 32, secrets.token_urlsafe(24), "' OR 1=1 --", "a" * 500])
def test_wrong_or_guessed_tokens_show_nobody(client, links, token):
    response = _open(client, token)
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 404)
    for name in ("Anna Jansen", "Bram Visser", "Cem Yilmaz", "Dirk Bos"):
        assert name not in page


def test_token_attempts_are_rate_limited(client, links):
    statuses = [_open(client, secrets.token_urlsafe(24)).status_code for _ in range(12)]
    assert statuses[-1] == 429
    assert "Anna Jansen" not in _open(client, links["1001"]).get_data(as_text=True)  # still limited


def test_reissued_link_replaces_the_old_one(app, client, links, db_session):
    committee = app.test_client()
    committee.environ_base["wsgi.url_scheme"] = "https"
    sign_in(committee, make_member(app, Role.SECRETARY), app)
    anna = db_session.scalars(select(RegisterPerson).where(RegisterPerson.employee_number == "1001")).one()
    register = f"/committee/elections/{anna.election_id}/register"
    page = post_on(committee, f"{register}/people/{anna.id}/link", form_url=register).get_data(as_text=True)
    new_token = re.search(r"#t=([A-Za-z0-9_-]+)", page).group(1)
    assert "Anna Jansen" not in _open(client, links["1001"]).get_data(as_text=True)
    assert "Anna Jansen" in _open(client, new_token).get_data(as_text=True)


def test_committee_register_pages_are_not_reachable_anonymously(client, links, db_session):
    anna = db_session.scalars(select(RegisterPerson)).first()
    base = f"/committee/elections/{anna.election_id}/register"
    for path in (base, f"{base}/objections", f"{base}/objections/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post(f"{base}/search", data={"q": "Anna"}).status_code in (302, 400)
    assert client.get("/register/").status_code == 404
    assert client.get("/register/self/objection").status_code == 405


def _object(client, token: str, text: str = "My start date is wrong: I started in 2018."):
    page = client.get("/register/self")
    return client.post("/register/self/objection", data={"csrf_token": csrf_token(page), "token": token, "text": text})


def test_objection_within_the_window_is_recorded(client, links, db_session):
    page = _object(client, links["1003"]).get_data(as_text=True)
    assert "Your objection has been received" in page
    assert "waiting for a decision" in page
    [objection] = db_session.scalars(select(RegisterObjection)).all()
    assert objection.employee_number == "1003" and objection.decision is None
    assert "already have an objection" in _object(client, links["1003"]).get_data(as_text=True)


def test_late_objection_is_refused_with_the_date(app, client, links, db_session):
    app.config["CLOCK"].advance(timedelta(weeks=3))
    page = _open(client, links["1003"]).get_data(as_text=True)
    assert "The period for objections ended on" in page
    response = _object(client, links["1003"]).get_data(as_text=True)
    assert re.search(r"The period for objections ended on \w+ \d+, \d{4}\. Your objection cannot be accepted", response)
    assert db_session.scalars(select(RegisterObjection)).all() == []


def test_objection_with_a_wrong_token_is_refused(client, links, db_session):
    page = client.get("/register/self")
    response = client.post(
        "/register/self/objection",
        data={"csrf_token": csrf_token(page), "token": secrets.token_urlsafe(24), "text": "x"},
    )
    assert response.status_code == 404
    assert db_session.scalars(select(RegisterObjection)).all() == []
