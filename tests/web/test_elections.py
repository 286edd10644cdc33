"""Election set-up and the procedure as the committee drives it through the web screens."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from election.models import AuditEntry, Election, OutboxMessage, Role
from tests.helpers import csrf_token, make_member, post_form, sign_in


def _create(app, client, **overrides):
    today = app.config["CLOCK"].today()
    data = {
        "organisation": "Zorg Noord BV",
        "term_end": (today + timedelta(weeks=20)).isoformat(),
        "voting_day": (today + timedelta(weeks=14)).isoformat(),
        "voting_days": "2",
        "headcount": "420",
        "seats": "",
        "electoral_system": "list",
        "votes_per_voter": "",
    }
    data.update(overrides)
    return post_form(client, "/committee/elections/new", data)


def _election(db_session) -> Election:
    db_session.expire_all()
    return db_session.scalars(select(Election)).one()


def _step(client, election_id: int, target: str):
    page = client.get(f"/committee/elections/{election_id}/")
    return client.post(f"/committee/elections/{election_id}/steps/{target}", data={"csrf_token": csrf_token(page)})


def test_new_election_gets_seats_from_the_headcount(app, client, db_session):
    sign_in(client, make_member(app), app)
    response = _create(app, client)
    assert response.status_code == 302
    election = _election(db_session)
    assert election.seats == 11  # WOR art. 6 lid 1: 400-599 persons
    assert [g.seats for g in election.groups] == [11]


def test_other_seat_number_needs_employer_consent(app, client, db_session):
    sign_in(client, make_member(app), app)
    response = _create(app, client, seats="13")
    assert response.status_code == 200
    assert "employer" in response.get_data(as_text=True)
    assert db_session.scalars(select(Election)).all() == []
    _create(app, client, seats="13", employer_consent_seats="y")
    assert _election(db_session).seats == 13


def test_zero_headcount_is_refused_with_a_message(app, client, db_session):
    sign_in(client, make_member(app), app)
    response = _create(app, client, headcount="0")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db_session.scalars(select(Election)).all() == []


def test_checklist_shows_every_dated_step_with_its_basis(app, client, db_session):
    sign_in(client, make_member(app), app)
    _create(app, client)
    election = _election(db_session)
    page = client.get(f"/committee/elections/{election.id}/").get_data(as_text=True)
    for label in ("Announce the election", "Deadline for union lists", "Voting opens", "WOR art. 9"):
        assert label in page


def test_announcement_needs_a_second_member_and_freezes_the_set_up(app, client, db_session):
    chair = make_member(app, Role.CHAIR)
    member = make_member(app, Role.MEMBER)
    sign_in(client, chair, app)
    _create(app, client)
    election = _election(db_session)
    post_form(client, f"/committee/elections/{election.id}/unions", {"name": "FNV", "email": "or@fnv.example"})
    post_form(client, f"/committee/elections/{election.id}/unions", {"name": "CNV", "postal_address": "Utrecht"})
    response = _step(client, election.id, "announced")
    assert "second committee member" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _election(db_session).phase == "draft"

    # The proposer cannot confirm their own step.
    page = client.get(f"/committee/elections/{election.id}/")
    pending_url = f"/committee/elections/{election.id}/pending/1/confirm"
    client.post(pending_url, data={"csrf_token": csrf_token(page)})
    assert _election(db_session).phase == "draft"

    other = app.test_client()
    other.environ_base.update({"wsgi.url_scheme": "https", "HTTP_ACCEPT_LANGUAGE": "en"})
    sign_in(other, member, app)
    page = other.get(f"/committee/elections/{election.id}/")
    other.post(pending_url, data={"csrf_token": csrf_token(page)})
    election = _election(db_session)
    assert election.phase == "announced"
    assert election.regulation_frozen_at is not None

    edit = post_form(other, f"/committee/elections/{election.id}/groups", {"name": "Late", "seats": "1"})
    assert "can no longer change" in edit.get_data(as_text=True)
    assert [g.name for g in _election(db_session).groups] == ["Alle medewerkers"]
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert {"step_proposed", "phase_changed", "step_confirmed", "regulation_frozen", "unions_invited"} <= set(actions)
    # WOR art. 9 lid 2 sub a: the union with an address gets the invitation by e-mail, with the letter.
    invitation = db_session.scalars(select(OutboxMessage)).one()
    assert invitation.recipient == "or@fnv.example" and invitation.kind == "union_invitation"
    invited = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "unions_invited")).one()
    assert '"by_post":["CNV"]' in invited.details


def test_announcement_refused_while_group_seats_do_not_add_up(app, client, db_session):
    sign_in(client, make_member(app), app)
    _create(app, client)
    election = _election(db_session)
    post_form(client, f"/committee/elections/{election.id}/groups", {"name": "Extra", "seats": "2"})
    response = _step(client, election.id, "announced")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Step refused" in page
    assert "13 seats together" in page


def test_step_out_of_order_is_refused_with_its_basis(app, client, db_session):
    sign_in(client, make_member(app), app)
    _create(app, client)
    election = _election(db_session)
    response = _step(client, election.id, "voting")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Step refused" in page and "Basis" in page
    assert _election(db_session).phase == "draft"


def test_postponement_by_two_members_moves_every_deadline(app, client, db_session):
    chair = make_member(app, Role.CHAIR)
    member = make_member(app, Role.MEMBER)
    sign_in(client, chair, app)
    _create(app, client)
    election = _election(db_session)
    old_day = election.voting_day
    new_day = old_day + timedelta(weeks=2)
    post_form(
        client,
        f"/committee/elections/{election.id}/postpone",
        {"voting_day": new_day.isoformat(), "reason": "Holiday period"},
        form_url=f"/committee/elections/{election.id}/",
    )
    assert _election(db_session).voting_day == old_day
    other = app.test_client()
    other.environ_base.update({"wsgi.url_scheme": "https", "HTTP_ACCEPT_LANGUAGE": "en"})
    sign_in(other, member, app)
    page = other.get(f"/committee/elections/{election.id}/")
    other.post(f"/committee/elections/{election.id}/pending/1/confirm", data={"csrf_token": csrf_token(page)})
    assert _election(db_session).voting_day == new_day
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "voting_day_postponed")).one()
    assert "Holiday period" in entry.details and "union_lists_deadline" in entry.details


def test_auditor_sees_the_checklist_but_cannot_take_steps(app, client, db_session):
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    _create(app, client)
    election = _election(db_session)
    auditor_client = app.test_client()
    auditor_client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_ACCEPT_LANGUAGE": "en"})
    sign_in(auditor_client, make_member(app, Role.AUDITOR), app)
    assert auditor_client.get(f"/committee/elections/{election.id}/").status_code == 200
    page = auditor_client.get(f"/committee/elections/{election.id}/")
    response = auditor_client.post(
        f"/committee/elections/{election.id}/steps/announced", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 403


def test_regulation_change_raises_the_profile_version(app, client, db_session):
    sign_in(client, make_member(app), app)
    _create(app, client)
    election = _election(db_session)
    page = client.get(f"/committee/elections/{election.id}/regulation")
    form = {
        "csrf_token": csrf_token(page),
        "active_months": "6",
        "passive_months": "6",
        "agency_worker_months": "15",
        "candidacy_mode": "simultaneous",
        "free_list_deadline_weeks": "6",
        "remainder_method": "dhondt",
        "remainder_threshold": "2/3",
        "preference_threshold": "1/4",
        "surplus_seats": "vacant",
        "repair_window_days": "2",
        "trustees": "5",
        "decryption_threshold": "3",
        "art64_excluded": "E1, E2\nE3",
        "art64_included": "",
        "voting_channel": "hybrid",
        "code_mode": "offline",
        "voter_second_factor": "y",
    }
    client.post(f"/committee/elections/{election.id}/regulation", data=form)
    election = _election(db_session)
    assert election.regulation_version == 2
    assert '"remainder_threshold": "2/3"' in election.regulation
    stored = json.loads(election.regulation)
    assert (stored["voting_channel"], stored["code_mode"], stored["voter_second_factor"]) == ("hybrid", "offline", True)
    assert '"art64_excluded": ["E1", "E2", "E3"]' in election.regulation  # WOR art. 6 lid 4 agreement
    bad = client.post(
        f"/committee/elections/{election.id}/regulation",
        data={**form, "csrf_token": csrf_token(page), "decryption_threshold": "9"},
    )
    assert "between 1 and the number of trustees" in bad.get_data(as_text=True)
    assert _election(db_session).regulation_version == 2
