"""The register for the committee: who may do what, search, link lists and objection decisions."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from election.models import AuditEntry, RegisterObjection, RegisterPerson, Role
from election.register_objections import open_objections
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.register_factory import GOOD_ROWS, csv_file, import_file, make_election, post_on


def _browser(app):
    browser = app.test_client()
    browser.environ_base["wsgi.url_scheme"] = "https"
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


@pytest.fixture
def register(app):
    """An election with an imported register of four people; returns its id."""
    chair = _browser(app)
    sign_in(chair, make_member(app, Role.CHAIR, email="boss@example.org"), app)
    election_id = make_election(app)
    import_file(chair, election_id, csv_file(*GOOD_ROWS))
    return election_id


def _objection(app, db_session, election_id: int, number: str = "1003") -> RegisterObjection:
    person = db_session.scalars(select(RegisterPerson).where(RegisterPerson.employee_number == number)).one()
    objection = RegisterObjection(
        election_id=election_id,
        person_id=person.id,
        employee_number=number,
        text="I have worked here since 2018.",
        filed_at=app.config["CLOCK"].now(),
    )
    db_session.add(objection)
    db_session.commit()
    return objection


def test_auditor_sees_counts_but_cannot_search_import_or_decide(app, client, register, db_session):
    sign_in(client, make_member(app, Role.AUDITOR), app)
    base = f"/committee/elections/{register}/register"
    page = client.get(base).get_data(as_text=True)
    assert "4 people in the register" in page
    assert "Find a person" not in page and "Anna Jansen" not in page
    objection = _objection(app, db_session, register)
    for path in (f"{base}/import", f"{base}/objections", f"{base}/objections/{objection.id}"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client.get(base))
    for path in (f"{base}/search", f"{base}/links", f"{base}/import"):
        assert client.post(path, data={"csrf_token": token, "q": "Anna"}).status_code == 403, path


def test_it_operator_cannot_open_the_register(app, client, register):
    sign_in(client, make_member(app, Role.IT_OPERATOR), app)
    assert client.get(f"/committee/elections/{register}/register").status_code == 403


def test_member_finds_people_by_number_or_name_part(app, client, register):
    sign_in(client, make_member(app, Role.MEMBER), app)
    base = f"/committee/elections/{register}/register"
    page = post_on(client, f"{base}/search", {"q": "jans"}, form_url=base).get_data(as_text=True)
    assert "Anna Jansen" in page and "Bram Visser" not in page
    page = post_on(client, f"{base}/search", {"q": "1002"}, form_url=base).get_data(as_text=True)
    assert "Bram Visser" in page and "Anna Jansen" not in page
    page = post_on(client, f"{base}/search", {"q": "%"}, form_url=base).get_data(as_text=True)
    assert "Anna Jansen" not in page  # too short, and wildcards are literal
    page = post_on(client, f"{base}/search", {"q": "%%"}, form_url=base).get_data(as_text=True)
    assert "Nobody found" in page


def test_link_list_for_hr_is_audit_logged_and_holds_no_formulas(app, client, register, db_session):
    sign_in(client, make_member(app, Role.SECRETARY), app)
    base = f"/committee/elections/{register}/register"
    response = post_on(client, f"{base}/links", form_url=base)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Employee number", "Name", "E-mail address", "Personal link"]
    assert all("/register/self#t=" in row[3] for row in rows[1:])
    assert "attachment" in response.headers["Content-Disposition"]
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "register_links_issued")).one()
    assert json.loads(entry.details)["count"] == 4
    assert all(row[3].split("#t=")[1] not in entry.details for row in rows[1:])  # no token in the log
    again = post_on(client, f"{base}/links", form_url=base).get_data(as_text=True)
    assert len(again.strip().splitlines()) == 1  # everyone has a link already


def test_upheld_objection_corrects_the_entry_and_is_audit_logged(app, client, register, db_session):
    objection = _objection(app, db_session, register)
    assert open_objections(db_session, register) == 1
    sign_in(client, make_member(app, Role.MEMBER), app)
    url = f"/committee/elections/{register}/register/objections/{objection.id}"
    assert "I have worked here since 2018." in client.get(url).get_data(as_text=True)
    person = db_session.get(RegisterPerson, objection.person_id)
    post_on(
        client,
        url,
        {
            "decision": "upheld",
            "reasons": "HR confirmed the earlier start.",
            "active": "y",
            "passive": "y",
            "group": str(person.electoral_group_id),
        },
    )
    db_session.expire_all()
    person = db_session.get(RegisterPerson, objection.person_id)
    assert person.active and person.passive and "corrected_by_committee" in person.reason_codes
    assert db_session.get(RegisterObjection, objection.id).decision == "upheld"
    assert open_objections(db_session, register) == 0
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "register_objection_decided")).one()
    assert json.loads(entry.details)["decision"] == "upheld"


def test_rejected_objection_leaves_the_entry_and_cannot_be_decided_twice(app, client, register, db_session):
    objection = _objection(app, db_session, register)
    sign_in(client, make_member(app, Role.CHAIR), app)
    url = f"/committee/elections/{register}/register/objections/{objection.id}"
    post_on(client, url, {"decision": "rejected", "reasons": "The start date is right.", "active": "y"})
    post_on(
        client,
        f"/committee/elections/{register}/register/objections/{objection.id}",
        {"decision": "upheld", "reasons": "changed my mind", "active": "y"},
        form_url=f"/committee/elections/{register}/register",
    )
    db_session.expire_all()
    assert db_session.get(RegisterObjection, objection.id).decision == "rejected"
    assert not db_session.get(RegisterPerson, objection.person_id).active


def test_decision_needs_reasons(app, client, register, db_session):
    objection = _objection(app, db_session, register)
    sign_in(client, make_member(app, Role.CHAIR), app)
    url = f"/committee/elections/{register}/register/objections/{objection.id}"
    page = post_on(client, url, {"decision": "rejected", "reasons": ""}).get_data(as_text=True)
    assert "Give the reasons for the decision." in page
    assert open_objections(db_session, register) == 1


def test_objection_of_another_election_is_not_found(app, client, register, db_session):
    objection = _objection(app, db_session, register)
    other = make_election(app, groups=("Alles",))
    sign_in(client, make_member(app, Role.CHAIR), app)
    assert client.get(f"/committee/elections/{other}/register/objections/{objection.id}").status_code == 404
