"""Objections against the published lists received on paper: entered by the committee, decided with reasons."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from election import list_publication
from election.list_files import SCAN_MAX_BYTES
from election.models import (
    Candidacy,
    CandidateList,
    Election,
    ListDecision,
    ListObjection,
    ListObjectionPaper,
    RegisterPerson,
    Role,
)
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.lists_factory import make_list_election, noord, set_phase


def _published(app):
    election_id = make_list_election(app, phase="lists_published")
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number.in_(noord(range(3))))).all()
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[0].id,
            kind="free",
            name="Haven",
            status="valid",
            received_on=now.date(),
            submitted_at=now,
            number=1,
            published_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(people)]
        db.add(lst)
        db.commit()
        return election_id, lst.id, lst.candidates[0].id


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def _enter(client, election_id, token=None, **fields):
    url = f"/committee/elections/{election_id}/lists/objections/paper"
    data = {"csrf_token": token or csrf_token(client.get(url)), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def _count(db_session, model):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_an_objection_received_on_paper_is_entered_with_its_scan_and_decided_with_reasons(app, client, db_session):
    election_id, list_id, candidacy_id = _published(app)
    chair = make_member(app)
    sign_in(client, chair, app)  # moves the clock (a fresh TOTP step): take the day after it
    today = app.config["CLOCK"].today()
    page = client.get(f"/committee/elections/{election_id}/lists/objections").get_data(as_text=True)
    assert "Enter an objection received on paper" in page
    form = client.get(f"/committee/elections/{election_id}/lists/objections/paper").get_data(as_text=True)
    assert f'value="c{list_id}-{candidacy_id}"' in form and "Received by the committee on" in form

    response = _enter(
        client,
        election_id,
        objector_name="J. de Vries",
        employee_number="1011",
        received_on=today.isoformat(),
        target=f"c{list_id}-{candidacy_id}",
        grounds="The candidate is a member of the board of directors.",
        scan=(io.BytesIO(_png()), "brief.png"),
    )
    assert response.status_code == 302
    objection = db_session.scalar(select(ListObjection))
    assert (objection.objector_name, objection.candidacy_id, objection.list_id) == (
        "J. de Vries",
        candidacy_id,
        list_id,
    )
    assert objection.objector_person_id == db_session.scalar(
        select(RegisterPerson.id).where(RegisterPerson.employee_number == "1011")
    )
    assert objection.paper.received_on == today and objection.paper.entered_by == chair.id
    assert objection.paper.scan_content_type == "image/png" and objection.paper.scan == _png()

    url = f"/committee/elections/{election_id}/lists/objections"
    page = client.get(url).get_data(as_text=True)
    assert "Received on paper on" in page and "board of directors" in page and "Scan of the letter" in page
    scan = client.get(f"{url}/{objection.id}/scan")
    assert scan.status_code == 200 and scan.mimetype == "image/png" and scan.data == _png()

    # Decided with reasons, exactly as an objection filed online.
    client.post(
        f"{url}/{objection.id}",
        data={
            "csrf_token": csrf_token(client.get(url)),
            "decision": "upheld",
            "reasons": "Board member: not eligible.",
        },
    )
    db_session.expire_all()
    assert db_session.get(Candidacy, candidacy_id).status == "struck"
    kinds = db_session.scalars(select(ListDecision.kind).order_by(ListDecision.id)).all()
    assert kinds == ["objection_decided", "candidate_struck"]

    # The auditor reads the objection and the decision, but neither enters objections nor opens scans.
    reader = app.test_client()
    reader.environ_base["wsgi.url_scheme"] = "https"
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(reader, make_member(app, Role.AUDITOR), app)
    page = reader.get(url).get_data(as_text=True)
    assert "Received on paper on" in page and "A scan of the letter is kept." in page
    assert "Enter an objection received on paper" not in page
    decisions = reader.get(f"{url.rsplit('/', 1)[0]}/decisions").get_data(as_text=True)
    assert "Objection decided" in decisions and "Board member: not eligible." in decisions
    assert reader.get(f"{url}/paper").status_code == 403
    assert reader.get(f"{url}/{objection.id}/scan").status_code == 403


def test_a_bad_paper_objection_gets_a_clear_message_and_stores_nothing(app, client, db_session):
    election_id, list_id, _candidacy = _published(app)
    sign_in(client, make_member(app), app)  # moves the clock (a fresh TOTP step): take the day after it
    today = app.config["CLOCK"].today()
    good = {
        "objector_name": "J. de Vries",
        "employee_number": "",
        "received_on": today.isoformat(),
        "target": f"l{list_id}",
        "grounds": "The list name misleads voters.",
    }
    cases = [
        ({"received_on": (today + timedelta(days=1)).isoformat()}, "The day of receipt cannot lie in the future."),
        ({"received_on": (today - timedelta(days=1)).isoformat()}, "lies before the lists were published"),
        ({"employee_number": "9999"}, "This employee number is not in the electoral register."),
        ({"target": "c999-999"}, "Not a valid choice"),
        ({"grounds": ""}, "This field is required."),
        ({"scan": (io.BytesIO(b"<html>not a scan</html>"), "brief.pdf")}, "This kind of file is not accepted"),
        ({"scan": (io.BytesIO(b"%PDF-" + b"0" * SCAN_MAX_BYTES), "brief.pdf")}, "The file is too large: at most 5 MB."),
    ]
    for changes, message in cases:
        response = _enter(client, election_id, **{**good, **changes})
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), message
    assert _count(db_session, ListObjection) == 0 and _count(db_session, ListObjectionPaper) == 0

    # Received after the window: refused, even when entered later; received in time but entered later: accepted.
    with app.extensions["stembus_sessions"]() as db:
        deadline = list_publication.objection_deadline(db.get(Election, election_id))
    app.config["CLOCK"].advance(timedelta(days=(deadline - today).days + 2))
    sign_in(client, make_member(app, Role.MEMBER), app)
    late = _enter(client, election_id, **{**good, "received_on": (deadline + timedelta(days=1)).isoformat()})
    assert late.status_code == 400
    assert "received after the objection window ended" in late.get_data(as_text=True)
    assert _count(db_session, ListObjection) == 0
    in_time = _enter(client, election_id, **{**good, "received_on": deadline.isoformat()})
    assert in_time.status_code == 302 and _count(db_session, ListObjection) == 1

    # Once the lists are final, nothing more is entered (the form is gone; a stale one is refused).
    token = csrf_token(client.get(f"/committee/elections/{election_id}/lists/objections/paper"))
    set_phase(app, election_id, "lists_final")
    assert 'name="grounds"' not in client.get(f"/committee/elections/{election_id}/lists/objections/paper").get_data(
        as_text=True
    )
    final = _enter(client, election_id, token, **{**good, "received_on": deadline.isoformat()})
    assert "The lists are final" in final.get_data(as_text=True) and _count(db_session, ListObjection) == 1
