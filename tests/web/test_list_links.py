"""Linked elections: the committee links them on the set-up screen; one list only across them."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election import list_links, list_review
from election.list_rules import UNION_CONDITIONS
from election.models import AuditEntry, Candidacy, CandidateList, Election, OutboxMessage, RegisterPerson, Role
from election.setup_store import SetupLocked
from tests.helpers import csrf_token, make_member, post_form, sign_in
from tests.web.lists_factory import make_list_election, noord, set_phase


def _edit(app, client, election_id, link_group):
    today = app.config["CLOCK"].today()
    data = {
        "organisation": "Haven Logistiek BV",
        "term_end": (today + timedelta(weeks=16)).isoformat(),
        "voting_day": (today + timedelta(weeks=8)).isoformat(),
        "voting_days": "1",
        "headcount": "300",
        "seats": "5",
        "employer_consent_seats": "y",
        "electoral_system": "list",
        "votes_per_voter": "",
        "link_group": link_group,
    }
    return post_form(client, f"/committee/elections/{election_id}/edit", data)


def _link(app, election_id, code):
    with app.extensions["stembus_sessions"]() as db:
        db.get(Election, election_id).link_group = code
        db.commit()


def _union_list(app, election_id, name, numbers, group=0):
    """A union list of FNV (which has an e-mail address), every declaration and consent present."""
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = {
            p.employee_number: p
            for p in db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election_id))
        }
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[group].id,
            kind="union",
            union_id=next(u.id for u in election.unions if u.name == "FNV"),
            name=name,
            status="submitted",
            received_on=now.date(),
            submitted_at=now,
            declaration=json.dumps(dict.fromkeys(UNION_CONDITIONS, True)),
        )
        lst.candidates = [
            Candidacy(person_id=people[n].id, position=i + 1, consent_at=now, consent_via="form")
            for i, n in enumerate(numbers)
        ]
        db.add(lst)
        db.commit()
        return lst.id


def _codes(app, election_id, list_id):
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        lst = db.get(CandidateList, list_id)
        return [(d.code, d.subject, d.detail) for d in list_review.defects_of(db, election, lst)]


def test_the_committee_links_elections_on_the_set_up_screen(app, client, db_session):
    council = make_list_election(app, phase="draft")
    sub_committee = make_list_election(app, phase="draft")
    sign_in(client, make_member(app), app)
    assert "Link code of elections held together" in client.get(f"/committee/elections/{council}/edit").get_data(
        as_text=True
    )
    assert _edit(app, client, council, "  OR en OC 2027 ").status_code == 302
    assert _edit(app, client, sub_committee, "or en oc 2027").status_code == 302
    db_session.expire_all()
    assert db_session.get(Election, council).link_group == "or en oc 2027"
    page = client.get(f"/committee/elections/{sub_committee}/edit").get_data(as_text=True)
    assert "Linked now: Haven Logistiek BV (" in page and f"#{council})" in page
    logged = db_session.scalars(select(AuditEntry.action).where(AuditEntry.action == "election_linked")).all()
    assert len(logged) == 2

    # A bad code is refused with a message; nothing changes.
    response = _edit(app, client, sub_committee, "or;oc")
    assert response.status_code == 200 and "Use letters, digits, spaces" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Election, sub_committee).link_group == "or en oc 2027"

    # Like all set-up, the link is frozen once the election is announced.
    set_phase(app, sub_committee, "announced")
    response = _edit(app, client, sub_committee, "")
    assert "can no longer change" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Election, sub_committee).link_group == "or en oc 2027"
    with app.extensions["stembus_sessions"]() as db, pytest.raises(SetupLocked):
        list_links.set_link_group(db, "test", db.get(Election, sub_committee), None)


def test_a_candidate_on_a_list_of_a_linked_election_is_flagged_naming_that_election(app, client, db_session):
    council = make_list_election(app, phase="list_review")
    sub_committee = make_list_election(app, phase="list_review")
    council_list = _union_list(app, council, "FNV ondernemingsraad", noord(range(2)))  # 1001, 1003
    sub_list = _union_list(app, sub_committee, "FNV onderdeelcommissie", ["1003"])

    # Not linked: the same employee number in another election is no defect.
    assert _codes(app, council, council_list) == []

    _link(app, council, "verkiezingen 2027")
    _link(app, sub_committee, "verkiezingen 2027")
    with app.extensions["stembus_sessions"]() as db:
        sub_label = list_links.election_label(db.get(Election, sub_committee))
        council_label = list_links.election_label(db.get(Election, council))
    name = db_session.scalar(select(RegisterPerson.name).where(RegisterPerson.employee_number == "1003"))
    assert _codes(app, council, council_list) == [
        ("on_list_in_linked_election", name, f"{sub_label}: “FNV onderdeelcommissie”")
    ]
    assert _codes(app, sub_committee, sub_list) == [
        ("on_list_in_linked_election", name, f"{council_label}: “FNV ondernemingsraad”")
    ]

    # The committee sees the defect with the other election, and the notice letter names it too.
    chair = make_member(app)
    sign_in(client, chair, app)
    detail = f"/committee/elections/{council}/lists/{council_list}"
    page = client.get(detail).get_data(as_text=True)
    assert "Also stands on a list of a linked election" in page and sub_label in page
    client.post(f"{detail}/notice", data={"csrf_token": csrf_token(client.get(detail))})
    mail = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "defect_notice"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(mail.attachments[0].content)).pages)
    assert "onderdeelcommissie" in text and f"#{sub_committee}" in text

    # Once the other candidacy is gone (struck there), the defect is gone here.
    with app.extensions["stembus_sessions"]() as db:
        db.scalars(select(Candidacy).where(Candidacy.list_id == sub_list)).one().status = "struck"
        db.commit()
    assert _codes(app, council, council_list) == []


def test_an_installed_election_in_the_link_group_no_longer_counts(app, db_session):
    council = make_list_election(app, phase="list_review")
    earlier = make_list_election(app, phase="installed")
    council_list = _union_list(app, council, "FNV", ["1001"])
    _union_list(app, earlier, "FNV", ["1001"])
    _link(app, council, "haven")
    _link(app, earlier, "haven")
    assert _codes(app, council, council_list) == []
    set_phase(app, earlier, "lists_final")
    assert [c for c, _s, _d in _codes(app, council, council_list)] == ["on_list_in_linked_election"]


def test_an_auditor_cannot_change_the_link(app, client):
    council = make_list_election(app, phase="draft")
    sign_in(client, make_member(app, Role.AUDITOR), app)
    assert client.get(f"/committee/elections/{council}/edit").status_code == 403
