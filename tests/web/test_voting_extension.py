"""Extending the vote: two committee members, logged, and casting follows the new closing time."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from election.clock import AMSTERDAM
from election.models import AuditEntry, Election
from election.models.committee import Role
from election.procedure_store import voting_window_of
from election.voting_codes import identity_of
from tests.helpers import csrf_token, make_member, post_form, sign_in
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _second_client(app):  # type: ignore[no-untyped-def]
    other = app.test_client()
    other.environ_base.update({"wsgi.url_scheme": "https", "HTTP_ACCEPT_LANGUAGE": "en"})
    return other


def _closes(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        return voting_window_of(election)[1]


def _propose(client, election_id, closes, reason="Outage of the mail server"):  # type: ignore[no-untyped-def]
    local = closes.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
    return post_form(
        client,
        f"/committee/elections/{election_id}/extend-voting",
        {"closes": local, "reason": reason},
        form_url=f"/committee/elections/{election_id}/",
    )


def _confirm(app, member, election_id):  # type: ignore[no-untyped-def]
    other = _second_client(app)
    sign_in(other, member, app)
    page = other.get(f"/committee/elections/{election_id}/")
    pending = re.search(rf"/committee/elections/{election_id}/pending/(\d+)/confirm", page.get_data(as_text=True))
    return other.post(pending.group(0), data={"csrf_token": csrf_token(page)}, follow_redirects=True)


def test_an_extension_confirmed_by_a_second_member_lets_voters_cast_after_the_announced_closing(app, client):
    ve = make_voting_election(app)
    chair, member = (
        make_member(app, Role.CHAIR, "ext-chair@example.org"),
        make_member(app, Role.MEMBER, "ext@example.org"),
    )
    announced = _closes(app, ve.election_id)
    new_close = announced + timedelta(hours=3)
    sign_in(client, chair, app)
    page = _propose(client, ve.election_id, new_close)
    assert page.status_code == 302
    assert _closes(app, ve.election_id) == announced  # not before the second member confirms
    assert "Propose extension" in client.get(f"/committee/elections/{ve.election_id}/").get_data(as_text=True)
    _confirm(app, member, ve.election_id)
    assert _closes(app, ve.election_id) == new_close
    with app.extensions["stembus_sessions"]() as db:
        actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert "extension_proposed" in actions and "voting_extended" in actions

    clock = app.config["CLOCK"]
    clock.advance(announced + timedelta(hours=1) - clock.now())  # after the announced closing
    voter = _second_client(app)
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ve.election_id).uuid
    booth = voter.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(booth.get_data(as_text=True)).group(1)}
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 0)
    assert voter.post(f"/vote/{uuid}/cast", json=ballot, headers=headers).status_code == 201
    clock.advance(timedelta(hours=3))  # after the extended closing
    booth = voter.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(booth.get_data(as_text=True)).group(1)}
    late, _ = make_ballot(app, ve.election_id, ve.code_in("Zuid"), 0)
    refused = voter.post(f"/vote/{uuid}/cast", json=late, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"] == "closed"


def test_the_proposer_cannot_confirm_and_a_vote_that_closed_cannot_be_extended(app, client):
    ve = make_voting_election(app)
    chair = make_member(app, Role.CHAIR, "ext-chair@example.org")
    member = make_member(app, Role.MEMBER, "ext@example.org")
    announced = _closes(app, ve.election_id)
    sign_in(client, chair, app)
    _propose(client, ve.election_id, announced + timedelta(hours=2))
    page = client.get(f"/committee/elections/{ve.election_id}/")
    pending = re.search(r"/pending/(\d+)/confirm", page.get_data(as_text=True)).group(0)
    answer = client.post(
        f"/committee/elections/{ve.election_id}{pending}", data={"csrf_token": csrf_token(page)}, follow_redirects=True
    )
    assert "A second committee member must confirm this step." in answer.get_data(as_text=True)
    assert _closes(app, ve.election_id) == announced

    clock = app.config["CLOCK"]
    clock.advance(announced + timedelta(minutes=5) - clock.now())  # the vote closed before the confirmation
    answer = _confirm(app, member, ve.election_id)
    assert "a closed vote cannot be reopened" in answer.get_data(as_text=True)
    assert _closes(app, ve.election_id) == announced


def test_an_extension_beyond_a_week_or_without_a_reason_is_refused(app, client):
    ve = make_voting_election(app)
    chair = make_member(app, Role.CHAIR, "ext-chair@example.org")
    announced = _closes(app, ve.election_id)
    sign_in(client, chair, app)
    answer = _propose(client, ve.election_id, announced + timedelta(days=8))
    page = client.get(f"/committee/elections/{ve.election_id}/").get_data(as_text=True)
    assert answer.status_code == 302 and "at most seven days" in page
    _propose(client, ve.election_id, announced + timedelta(hours=1), reason="")
    with app.extensions["stembus_sessions"]() as db:
        assert "extension_proposed" not in [e.action for e in db.scalars(select(AuditEntry))]
