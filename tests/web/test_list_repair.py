"""Changing a list: before the deadline, during the repair window only to repair, never after it."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from election import list_store
from election.list_files import StoredFile
from election.list_rules import UNION_CONDITIONS
from election.models import Candidacy, CandidateList, Election, ListDecision, RegisterPerson, Role
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.lists_factory import make_list_election, noord, set_phase

DECLARATION = dict.fromkeys(UNION_CONDITIONS, "y")


def _client(app):
    submitter = app.test_client()
    submitter.environ_base["wsgi.url_scheme"] = "https"
    submitter.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return submitter


def _union_token(app, election_id):
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        tokens = {u.name: t for u, t in list_store.union_links(db, election, "test", app.config["CLOCK"].now())}
        db.commit()
        return tokens["FNV"]


def _union_page(submitter, token):
    page = submitter.get("/lists/union")
    return submitter.post("/lists/union", data={"csrf_token": csrf_token(page), "token": token})


def _take_off(submitter, token, candidacy_id, reason):
    page = submitter.get("/lists/union")  # the form may be gone when the list is closed: post anyway
    data = {"csrf_token": csrf_token(page), "token": token, "candidacy": candidacy_id, "reason": reason}
    return submitter.post("/lists/union/withdraw", data=data).get_data(as_text=True)


def _active(db_session, list_id):
    db_session.expire_all()
    numbers = {p.id: p.employee_number for p in db_session.scalars(select(RegisterPerson))}
    lst = db_session.get(CandidateList, list_id)
    return [(c.position, numbers[c.person_id]) for c in lst.candidates if c.status == "active"]


def _candidacy(db_session, list_id, number):
    person = db_session.scalar(select(RegisterPerson.id).where(RegisterPerson.employee_number == number))
    return db_session.scalar(select(Candidacy.id).where(Candidacy.list_id == list_id, Candidacy.person_id == person))


def test_a_submitter_changes_the_list_only_before_the_deadline_or_to_repair_a_notified_defect(app, client, db_session):
    election_id = make_list_election(app, seats=(5, 2))
    token = _union_token(app, election_id)
    submitter = _client(app)
    page = _union_page(submitter, token)
    group = db_session.get(Election, election_id).groups[0].id
    submitter.post(
        "/lists/union/submit",
        data={
            "csrf_token": csrf_token(page),
            "token": token,
            "group": group,
            "name": "",
            "candidates": "\n".join(noord(range(4))),  # 1001 1003 1005 1007
            **DECLARATION,
        },
    )
    list_id = db_session.scalar(select(CandidateList.id))

    # Before the deadline any candidate can be taken off, with a reason; those below move up.
    page = _union_page(submitter, token).get_data(as_text=True)
    assert "Until the submission deadline you can take a candidate off this list." in page
    assert '<label for="take-off-' in page and '<button type="submit">Take the candidate off the list' in page
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1001"), "Changed her mind.")
    assert "taken off the list; those below moved up" in message
    assert _active(db_session, list_id) == [(1, "1003"), (2, "1005"), (3, "1007")]
    reasons = db_session.scalar(select(ListDecision.reasons).where(ListDecision.code == "withdrawn_by_submitter"))
    assert reasons == "taken off the list by its submitter before the submission deadline: Changed her mind."

    # 1005 and 1007 never consent.
    with app.extensions["stembus_sessions"]() as db:
        for c in db.scalars(select(Candidacy).where(Candidacy.list_id == list_id)):
            if c.position == 1:
                c.consent_at, c.consent_via = app.config["CLOCK"].now(), "form"
        db.commit()
    app.config["CLOCK"].advance(timedelta(weeks=4, days=1))  # after the free-list deadline
    set_phase(app, election_id, "list_review")

    # After the deadline, without a defect notice, nothing changes.
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1007"), "Moved to another site.")
    assert "After the submission deadline a list changes only to repair the defects" in message
    assert len(_active(db_session, list_id)) == 3

    chair = make_member(app)
    sign_in(client, chair, app)
    detail = f"/committee/elections/{election_id}/lists/{list_id}"
    client.post(f"{detail}/notice", data={"csrf_token": csrf_token(client.get(detail))})

    # During the repair window: the defects are shown, only the candidates they name can be taken off.
    page = _union_page(submitter, token).get_data(as_text=True)
    assert "The election committee found these defects" in page and "The order of the list cannot be changed." in page
    options = page[page.index('name="candidacy"') : page.index("</select>", page.index('name="candidacy"'))]
    assert "Medewerker1005" in options and "Medewerker1007" in options and "Medewerker1003" not in options
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1003"), "Reorder, please.")
    assert "only a candidate named in the defect notice can be taken off" in message
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1005"), "   ")
    assert "Choose a candidate of your list and give the reason." in message
    assert _active(db_session, list_id) == [(1, "1003"), (2, "1005"), (3, "1007")]
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1005"), "Also on the list of the OC.")
    assert "taken off the list; those below moved up" in message
    assert _active(db_session, list_id) == [(1, "1003"), (2, "1007")]

    # After the repair window the list is closed to its submitter; the committee judges it.
    app.config["CLOCK"].advance(timedelta(days=3))
    page = _union_page(submitter, token).get_data(as_text=True)
    assert "The repair window ended on" in page and 'name="candidacy"' not in page
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1007"), "Too late.")
    assert "The repair window ended on" in message
    sign_in(client, chair, app)
    client.post(f"{detail}/decide", data={"csrf_token": csrf_token(client.get(detail))})
    assert _active(db_session, list_id) == [(1, "1003")]  # 1007 struck: no consent

    # An auditor reads every change with its reason and cannot make one.
    reader = _client(app)
    sign_in(reader, make_member(app, Role.AUDITOR), app)
    page = reader.get(f"/committee/elections/{election_id}/lists/decisions").get_data(as_text=True)
    assert "during the repair window: Also on the list of the OC." in page.replace("&#39;", "'")
    assert "before the submission deadline: Changed her mind." in page
    assert reader.post(f"{detail}/take-off", data={"candidacy": 1, "reason": "x"}).status_code in (400, 403)

    # After publication nothing changes, with a clear message.
    set_phase(app, election_id, "lists_published")
    message = _take_off(submitter, token, _candidacy(db_session, list_id, "1003"), "After publication.")
    assert "The lists have been published: a list can no longer be changed." in message
    assert _active(db_session, list_id) == [(1, "1003")]


def test_the_committee_changes_a_paper_list_at_the_submitters_written_request(app, client, db_session):
    election_id = make_list_election(app, phase="list_review")
    now, today = app.config["CLOCK"].now(), app.config["CLOCK"].today()
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        fnv, cnv = sorted(election.unions, key=lambda u: u.name != "FNV")
        group = election.groups[0].id
        paper = list_store.submit_union_list(
            db,
            election,
            cnv,
            list_store.Submission(group, "CNV", tuple(noord(range(3)))),
            UNION_CONDITIONS,
            now,
            today,
            actor="test",
            paper=StoredFile("application/pdf", b"%PDF-1.4 scan"),
            received_on=today - timedelta(weeks=3),
        )
        link = CandidateList(
            election_id=election_id,
            electoral_group_id=group,
            kind="union",
            union_id=fnv.id,
            name="FNV",
            received_on=today - timedelta(weeks=3),
            submitted_at=now,
            declaration=json.dumps(dict.fromkeys(UNION_CONDITIONS, True)),
        )
        other = db.scalar(select(RegisterPerson.id).where(RegisterPerson.employee_number == "1007"))
        link.candidates = [Candidacy(person_id=other, position=1)]
        db.add(link)
        db.commit()
        paper_id, link_id = paper.id, link.id
    chair = make_member(app)
    sign_in(client, chair, app)
    detail = f"/committee/elections/{election_id}/lists/{paper_id}"
    assert "Take a candidate off this paper list" not in client.get(detail).get_data(as_text=True)  # no notice yet
    client.post(f"{detail}/notice", data={"csrf_token": csrf_token(client.get(detail))})

    page = client.get(detail).get_data(as_text=True)
    assert "Take a candidate off this paper list" in page and '<label for="take-off">' in page
    data = {"csrf_token": csrf_token(client.get(detail)), "candidacy": _candidacy(db_session, paper_id, "1003")}
    response = client.post(f"{detail}/take-off", data={**data, "reason": ""}, follow_redirects=True)
    assert "Choose a candidate of this list and give the reason." in response.get_data(as_text=True)
    response = client.post(
        f"{detail}/take-off", data={**data, "reason": "Letter of CNV received 2 March."}, follow_redirects=True
    )
    assert "taken off the list; those below moved up" in response.get_data(as_text=True)
    assert _active(db_session, paper_id) == [(1, "1001"), (2, "1005")]
    reasons = db_session.scalar(select(ListDecision.reasons).where(ListDecision.code == "withdrawn_by_submitter"))
    assert reasons == (
        "taken off the list by the committee, on the submitter's written request during the repair window: "
        "Letter of CNV received 2 March."
    )

    # A list submitted through a link is changed by its submitter, not by the committee.
    link_detail = f"/committee/elections/{election_id}/lists/{link_id}"
    response = client.post(
        f"{link_detail}/take-off",
        data={
            "csrf_token": csrf_token(client.get(link_detail)),
            "candidacy": db_session.get(CandidateList, link_id).candidates[0].id,
            "reason": "Asked by phone.",
        },
        follow_redirects=True,
    )
    assert "its submitter makes the change there" in response.get_data(as_text=True)
    assert len(_active(db_session, link_id)) == 1
