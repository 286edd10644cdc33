"""Candidate lists end to end: union round, free lists, consent, checks, repair, publication, no vote."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from election import list_store, procedure_store
from election.models import (
    Candidacy,
    CandidateList,
    Election,
    ListDecision,
    ListFile,
    ListToken,
    OutboxMessage,
    RegisterPerson,
    Role,
)
from election.procedure import Phase, StepRefused
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.lists_factory import make_list_election, noord, register_token, set_phase, tokens_mailed, zuid

DECLARATION = {
    "members_in_company": "y",
    "statutory_aim": "y",
    "legal_capacity_two_years": "y",
    "active_in_company_or_sector": "y",
    "members_consulted": "y",
}


def _groups(db_session, election_id):
    election = db_session.get(Election, election_id)
    return {g.name: g.id for g in election.groups}


def union_token(app, election_id, name="FNV"):
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        tokens = {u.name: t for u, t in list_store.union_links(db, election, "test", app.config["CLOCK"].now())}
        db.commit()
        return tokens[name]


def _open(client, path, token):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page), "token": token})


def submit_union(client, token, group_id, numbers, declaration=DECLARATION, name=""):
    page = client.get("/lists/union")
    data = {
        "csrf_token": csrf_token(page),
        "token": token,
        "group": group_id,
        "name": name,
        "candidates": "\n".join(numbers),
        **declaration,
    }
    return client.post("/lists/union/submit", data=data)


def submit_free(client, token, numbers, declaration="non_member", co=(), name="Samen Sterk"):
    page = client.get("/lists/free")
    data = {
        "csrf_token": csrf_token(page),
        "token": token,
        "name": name,
        "candidates": "\n".join(numbers),
        "declaration": declaration,
        "co_submitters": "\n".join(co),
    }
    return client.post("/lists/free/submit", data=data)


def count(db_session, model):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def consent_all(app, db_session):
    with app.extensions["stembus_sessions"]() as db:
        for c in db.scalars(select(Candidacy).where(Candidacy.consent_at.is_(None))):
            c.consent_at, c.consent_via = app.config["CLOCK"].now(), "link"
        db.commit()


# ---- the union round --------------------------------------------------------------------------


def test_union_submits_through_its_link_and_each_candidate_gets_a_consent_link(app, client, db_session):
    election_id = make_list_election(app)
    token = union_token(app, election_id)
    page = _open(client, "/lists/union", token).get_data(as_text=True)
    assert "Candidate lists of FNV" in page and "Medewerker" not in page  # nobody listed to an outsider
    response = submit_union(client, token, _groups(db_session, election_id)["Noord"], noord(range(3)))
    assert "Your list has been received" in response.get_data(as_text=True)
    lst = db_session.scalar(select(CandidateList))
    assert (lst.kind, lst.name, lst.status, lst.via) == ("union", "FNV", "submitted", "link")
    assert [c.position for c in lst.candidates] == [1, 2, 3]
    mailed = tokens_mailed(app, "list_consent")
    assert sorted(mailed) == ["m1001@haven.example", "m1003@haven.example", "m1005@haven.example"]
    assert db_session.scalar(select(OutboxMessage.sensitive).where(OutboxMessage.kind == "list_consent"))
    stored = db_session.scalars(select(ListToken.token_hash)).all()
    assert all(t not in stored for t in mailed.values())  # only hashes are kept


def test_union_link_page_passes_the_code_in_the_fragment(client):
    page = client.get("/lists/union").get_data(as_text=True)
    assert "data-token-form" in page and "token-link.js" in page
    script = client.get("/static/js/token-link.js").get_data(as_text=True)
    assert "location.hash" in script and "replaceState" in script


@pytest.mark.parametrize(
    ("numbers", "group", "declaration", "message"),
    [
        (["1001", "9999"], "Noord", DECLARATION, "9999 is not in the electoral register"),
        (["1001", "1001"], "Noord", DECLARATION, "1001 appears twice"),
        (["1001", "1002"], "Noord", DECLARATION, "1002 cannot stand as a candidate in electoral group Noord"),
        (["1011"], "Zuid", DECLARATION, "1011 cannot stand"),  # may vote, may not stand
        ([], "Noord", DECLARATION, "This field is required"),
        (["1001", "1003", "1005", "1007"], "Noord", DECLARATION, "at most 3 are allowed"),
        (["1001"], "Noord", {"members_in_company": "y"}, "Confirm every condition"),
    ],
)
def test_bad_union_submissions_get_a_clear_message_and_store_nothing(
    app, client, db_session, numbers, group, declaration, message
):
    election_id = make_list_election(app)
    token = union_token(app, election_id)
    response = submit_union(client, token, _groups(db_session, election_id)[group], numbers, declaration)
    assert message in response.get_data(as_text=True)
    assert count(db_session, CandidateList) == 0 and count(db_session, Candidacy) == 0


def test_a_second_list_by_the_same_union_for_the_same_group_is_refused(app, client, db_session):
    election_id = make_list_election(app)
    token = union_token(app, election_id)
    groups = _groups(db_session, election_id)
    submit_union(client, token, groups["Noord"], noord(range(2)))
    page = submit_union(client, token, groups["Noord"], noord(range(2, 4))).get_data(as_text=True)
    assert "already submitted a list for Noord" in page
    assert count(db_session, CandidateList) == 1
    assert "Your list has been received" in submit_union(client, token, groups["Zuid"], zuid(range(2))).get_data(
        as_text=True
    )


def test_a_late_union_list_is_refused(app, client, db_session):
    election_id = make_list_election(app)
    token = union_token(app, election_id)
    app.config["CLOCK"].advance(timedelta(weeks=2, days=1))  # one day after the union deadline
    page = submit_union(client, token, _groups(db_session, election_id)["Noord"], noord(range(2)))
    assert "has ended" in page.get_data(as_text=True)
    assert count(db_session, CandidateList) == 0


def test_union_search_finds_only_people_who_may_stand_in_the_group(app, client, db_session):
    election_id = make_list_election(app)
    token = union_token(app, election_id)
    groups = _groups(db_session, election_id)
    page = _open(client, "/lists/union", token)
    data = {"csrf_token": csrf_token(page), "token": token, "group": groups["Noord"], "q": "Medewerker"}
    found = client.post("/lists/union/search", data=data, headers={"Accept": "application/json"}).get_json()
    assert {p["employee_number"] for p in found} == set(noord(range(5)))  # Noord people who may stand
    data["q"] = "An"
    assert client.post("/lists/union/search", data=data, headers={"Accept": "application/json"}).get_json() == []
    data["q"] = "1003"
    html = client.post("/lists/union/search", data=data).get_data(as_text=True)
    assert "1003" in html and "1005" not in html


# ---- free lists -------------------------------------------------------------------------------


def test_sequential_free_lists_open_after_the_union_deadline(app, client, db_session):
    election_id = make_list_election(app, mode="sequential")
    token = register_token(app, election_id, "1001")
    page = submit_free(client, token, noord(range(2))).get_data(as_text=True)
    assert "cannot be submitted yet" in page
    assert count(db_session, CandidateList) == 0
    app.config["CLOCK"].advance(timedelta(weeks=2, days=1))
    set_phase(app, election_id, "free_candidacy")
    page = submit_free(client, token, noord(range(2))).get_data(as_text=True)
    assert "Your list has been received" in page
    lst = db_session.scalar(select(CandidateList))
    assert lst.kind == "free" and [s.role for s in lst.supporters] == ["submitter"]


def test_simultaneous_free_and_union_lists_in_one_period(app, client, db_session):
    election_id = make_list_election(
        app, mode="simultaneous", phase="candidacy", regulation={"free_list_deadline_weeks": 6}
    )
    groups = _groups(db_session, election_id)
    assert "Your list has been received" in submit_free(
        client, register_token(app, election_id, "1001"), noord(range(1))
    ).get_data(as_text=True)
    assert "Your list has been received" in submit_union(
        client, union_token(app, election_id), groups["Noord"], noord(range(1, 3))
    ).get_data(as_text=True)
    assert count(db_session, CandidateList) == 2


def test_a_free_list_submitter_who_is_a_union_member_needs_a_co_submitter(app, client, db_session):
    election_id = make_list_election(app, mode="simultaneous", phase="candidacy")
    token = register_token(app, election_id, "1001")
    page = submit_free(client, token, noord(range(2)), declaration="member").get_data(as_text=True)
    assert "name at least one co-submitter" in page
    assert count(db_session, CandidateList) == 0
    page = submit_free(client, token, noord(range(2)), declaration="member", co=["1002"]).get_data(as_text=True)
    assert "1002 cannot co-submit" in page  # another electoral group
    page = submit_free(client, token, noord(range(2)), declaration="member", co=["1011"]).get_data(as_text=True)
    assert "Your list has been received" in page, re.findall(r'class="(?:message|error)[^"]*"[^>]*>([^<]*)', page)
    # The co-submitter confirms through their own link, with the declaration.
    support = tokens_mailed(app, "list_support")["m1011@haven.example"]
    page = _open(client, "/lists/support", support)
    client.post(
        "/lists/support/answer",
        data={"csrf_token": csrf_token(page), "token": support, "answer": "agree", "non_member": "y"},
    )
    lst = db_session.scalar(select(CandidateList))
    db_session.refresh(lst)
    helper = next(s for s in lst.supporters if s.role == "co_submitter")
    assert helper.confirmed_at is not None and helper.declares_non_member


def test_no_signature_quota_exists_or_can_be_configured():
    from election.regulation import Regulation, RegulationError

    with pytest.raises(RegulationError, match="removed from the law in 2013"):
        Regulation.from_dict({"free_list_signatures": 30})


# ---- consent and profile ------------------------------------------------------------------------


def _png(size: int = 50) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_candidate_consents_with_a_profile_and_a_reencoded_photo(app, client, db_session):
    election_id = make_list_election(app)
    submit_union(client, union_token(app, election_id), _groups(db_session, election_id)["Noord"], noord(range(2)))
    token = tokens_mailed(app, "list_consent")["m1001@haven.example"]
    page = _open(client, "/lists/consent", token)
    assert "candidate number 1" in page.get_data(as_text=True)
    base = {
        "csrf_token": csrf_token(page),
        "token": token,
        "answer": "agree",
        "profile_nl": "Ik werk <b>graag</b> in de haven.\x07",
        "profile_en": "",
    }
    too_big = {**base, "photo": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024 + 10)), "me.png")}
    response = client.post("/lists/consent/answer", data=too_big, content_type="multipart/form-data")
    assert "The file is too large: at most 2 MB." in response.get_data(as_text=True)
    assert db_session.scalar(select(Candidacy.consent_at).where(Candidacy.position == 1)) is None
    not_image = {**base, "photo": (io.BytesIO(b"<svg onload=alert(1)>"), "me.png")}
    response = client.post("/lists/consent/answer", data=not_image, content_type="multipart/form-data")
    assert "not accepted" in response.get_data(as_text=True)
    good = {**base, "photo": (io.BytesIO(_png()), "me.png")}
    response = client.post("/lists/consent/answer", data=good, content_type="multipart/form-data")
    assert "you agreed to stand" in response.get_data(as_text=True)
    db_session.expire_all()
    candidacy = db_session.scalar(select(Candidacy).where(Candidacy.position == 1))
    assert candidacy.consent_via == "link" and candidacy.profile_nl == "Ik werk <b>graag</b> in de haven."
    photo = db_session.scalar(select(ListFile).where(ListFile.kind == "photo"))
    assert photo.content.startswith(b"\xff\xd8\xff") and photo.content_type == "image/jpeg"


def test_a_candidate_who_declines_is_struck_and_the_others_move_up(app, client, db_session):
    election_id = make_list_election(app)
    submit_union(client, union_token(app, election_id), _groups(db_session, election_id)["Noord"], noord(range(3)))
    token = tokens_mailed(app, "list_consent")["m1001@haven.example"]
    page = _open(client, "/lists/consent", token)
    client.post("/lists/consent/answer", data={"csrf_token": csrf_token(page), "token": token, "answer": "decline"})
    lst = db_session.scalar(select(CandidateList))
    db_session.refresh(lst)
    active = sorted((c for c in lst.candidates if c.status == "active"), key=lambda c: c.position)
    people = {p.id: p.employee_number for p in db_session.scalars(select(RegisterPerson))}
    assert [(people[c.person_id], c.position) for c in active] == [("1003", 1), ("1005", 2)]
    assert db_session.scalar(select(ListDecision.code).where(ListDecision.kind == "candidate_struck")) == "declined"


# ---- checks, repair, publication -----------------------------------------------------------------


def _committee(app):
    chair = make_member(app, Role.CHAIR)
    member = make_member(app, Role.MEMBER)
    return chair, member


def _step(app, election_id, target, chair_id, member_id):
    from election.models import CommitteeMember

    clock = app.config["CLOCK"]
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        chair, member = db.get(CommitteeMember, chair_id), db.get(CommitteeMember, member_id)
        outcome = procedure_store.propose_step(db, election, chair, target, clock.now(), clock.today())
        if outcome.pending is not None:
            procedure_store.confirm(db, outcome.pending, member, clock.now(), clock.today())
        db.commit()


def _review_post(client, election_id, list_id, action):
    detail = f"/committee/elections/{election_id}/lists/{list_id}"
    page = client.get(detail)
    return client.post(f"{detail}/{action}", data={"csrf_token": csrf_token(page)}, follow_redirects=True)


def test_repair_strikes_unrepaired_candidates_and_publication_waits_for_the_window(app, client, db_session):
    election_id = make_list_election(app)
    groups = _groups(db_session, election_id)
    union = union_token(app, election_id)
    submit_union(client, union, groups["Noord"], noord(range(3)))
    submit_union(client, union, groups["Zuid"], zuid(range(2)))
    # Everyone but the Noord number 2 consents.
    with app.extensions["stembus_sessions"]() as db:
        for c in db.scalars(select(Candidacy)):
            if not (c.position == 2 and c.list.electoral_group_id == groups["Noord"]):
                c.consent_at, c.consent_via = app.config["CLOCK"].now(), "form"
        db.commit()
    chair, member = _committee(app)
    app.config["CLOCK"].advance(timedelta(weeks=4, days=1))  # after the free-list deadline
    sign_in(client, chair, app)
    set_phase(app, election_id, "list_review")
    noord_list = db_session.scalar(select(CandidateList).where(CandidateList.electoral_group_id == groups["Noord"]))
    zuid_list = db_session.scalar(select(CandidateList).where(CandidateList.electoral_group_id == groups["Zuid"]))

    page = _review_post(client, election_id, noord_list.id, "decide").get_data(as_text=True)
    assert "send a defect notice first" in page
    assert "The list is valid." in _review_post(client, election_id, zuid_list.id, "decide").get_data(as_text=True)
    app.config["CLOCK"].advance(timedelta(days=5))  # the day before publication: the repair window reaches past it
    sign_in(client, chair, app)
    page = _review_post(client, election_id, noord_list.id, "notice").get_data(as_text=True)
    assert "The defect notice has been sent" in page
    mail = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "defect_notice"))
    assert mail.recipient == "kader@fnv.example"
    pdf = PdfReader(io.BytesIO(mail.attachments[0].content))
    assert "Heeft (nog) niet ingestemd" in "".join(p.extract_text() for p in pdf.pages)  # unions get Dutch
    assert "repair window runs until" in _review_post(client, election_id, noord_list.id, "decide").get_data(
        as_text=True
    )

    # Publication is refused before the repair window ends, and while a list is unjudged.
    app.config["CLOCK"].advance(timedelta(days=1))  # the publication date of the timetable
    with pytest.raises(StepRefused, match="repair window runs until"):
        _step(app, election_id, Phase.LISTS_PUBLISHED, chair.id, member.id)
    app.config["CLOCK"].advance(timedelta(days=2))
    with pytest.raises(StepRefused, match="not yet judged"):
        _step(app, election_id, Phase.LISTS_PUBLISHED, chair.id, member.id)

    sign_in(client, chair, app)  # the session timed out while the days passed
    assert "The list is valid." in _review_post(client, election_id, noord_list.id, "decide").get_data(as_text=True)
    db_session.expire_all()
    lst = db_session.get(CandidateList, noord_list.id)
    shown = sorted((c.position, c.person_id) for c in lst.candidates if c.status == "active")
    people = {p.id: p.employee_number for p in db_session.scalars(select(RegisterPerson))}
    assert [(pos, people[pid]) for pos, pid in shown] == [(1, "1001"), (2, "1005")]  # number 3 moved up
    struck = next(c for c in lst.candidates if c.status == "struck")
    assert (people[struck.person_id], struck.struck_code) == ("1003", "no_consent")

    _step(app, election_id, Phase.LISTS_PUBLISHED, chair.id, member.id)
    db_session.expire_all()
    assert sorted(x.number for x in db_session.scalars(select(CandidateList))) == [1, 2]

    # The public page needs no sign-in.
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = anonymous.get(f"/lists/{election_id}").get_data(as_text=True)
    assert "List 1" in page and "List 2" in page and "Medewerker1005" in page and "Medewerker1003" not in page
    pdf = anonymous.get(f"/lists/{election_id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Medewerker1005" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)

    # An auditor reads every decision with its reasons.
    auditor = make_member(app, Role.AUDITOR)
    reader = app.test_client()
    reader.environ_base["wsgi.url_scheme"] = "https"
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(reader, auditor, app)
    page = reader.get(f"/committee/elections/{election_id}/lists/decisions").get_data(as_text=True)
    for row in db_session.scalars(select(ListDecision)):
        assert re.escape(row.reasons[:30]) and row.reasons[:30] in page.replace("&#39;", "'")
    for label in ("Defect notice sent", "Candidate struck", "List valid", "Lists published", "no_consent"):
        assert label in page
    assert reader.post(f"/committee/elections/{election_id}/lists/{noord_list.id}/decide").status_code in (400, 403)


def test_unpublished_lists_have_no_public_page(app, client):
    election_id = make_list_election(app)
    assert client.get(f"/lists/{election_id}").status_code == 404
    assert client.get(f"/lists/{election_id}.pdf").status_code == 404


def test_a_list_of_200_candidates_renders_and_prints(app, db_session):
    from election.documents import render_html, render_pdf
    from election.list_publication import publication_context

    election_id = make_list_election(
        app, people=420, seats=(200, 20), phase="lists_published", regulation={"max_list_length": 200}
    )
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = list(
            db.scalars(select(RegisterPerson).where(RegisterPerson.electoral_group_id == election.groups[0].id))
        )
        for p in people:
            p.passive = True
        now = app.config["CLOCK"].now()
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[0].id,
            kind="free",
            name="Lange lijst",
            status="valid",
            received_on=now.date(),
            submitted_at=now,
            number=1,
            published_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(people[:200])]
        db.add(lst)
        db.commit()
        context = publication_context(db, election)
        html = render_html("candidate_lists", context, "nl")
        pdf = render_pdf("candidate_lists", context, "en")
    assert html.count("<tr><td>") == 200
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 3 and "200" in text and people[199].name in text


def test_no_vote_when_no_group_has_more_candidates_than_seats(app, client, db_session):
    election_id = make_list_election(app, phase="lists_published", seats=(3, 2))
    chair, member = _committee(app)
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        noord_people = db.scalars(
            select(RegisterPerson).where(RegisterPerson.employee_number.in_(noord(range(2))))
        ).all()
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[0].id,
            kind="free",
            name="Eén lijst",
            status="valid",
            received_on=now.date(),
            submitted_at=now,
            number=1,
            published_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(noord_people)]
        db.add(lst)
        db.commit()
    app.config["CLOCK"].advance(timedelta(weeks=6, days=1))  # after the list objection window
    _step(app, election_id, Phase.LISTS_FINAL, chair.id, member.id)
    app.config["CLOCK"].advance(timedelta(weeks=2))  # the voting day: only the precondition can refuse voting
    with pytest.raises(StepRefused, match="declare that no vote is needed"):
        _step(app, election_id, Phase.VOTING, chair.id, member.id)
    _step(app, election_id, Phase.NO_VOTE_NEEDED, chair.id, member.id)
    decisions = db_session.scalars(select(ListDecision).where(ListDecision.kind == "elected_without_vote")).all()
    assert len(decisions) == 2
    assert "1 seat(s) stay empty" in decisions[0].reasons and "2 seat(s) stay empty" in decisions[1].reasons
    page = client.get(f"/lists/{election_id}").get_data(as_text=True)
    assert "No vote is held in this group" in page and "1 seat stays empty." in page and "2 seats stay empty." in page


def test_a_vote_is_needed_when_a_group_has_more_candidates_than_seats(app, db_session):
    election_id = make_list_election(app, phase="lists_final", seats=(1, 2))
    chair, member = _committee(app)
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number.in_(noord(range(2))))).all()
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[0].id,
            kind="free",
            name="Twee",
            status="valid",
            received_on=now.date(),
            submitted_at=now,
            number=1,
            published_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(people)]
        db.add(lst)
        db.commit()
    from election.list_publication import groups_needing_a_vote

    with app.extensions["stembus_sessions"]() as db:
        assert [g.name for g in groups_needing_a_vote(db, db.get(Election, election_id))] == ["Noord"]
    app.config["CLOCK"].advance(timedelta(weeks=6, days=1))
    with pytest.raises(StepRefused, match="a vote is needed"):
        _step(app, election_id, Phase.NO_VOTE_NEEDED, chair.id, member.id)


def test_objection_upheld_strikes_the_candidate_with_reasons(app, client, db_session):
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
        target = lst.candidates[0].id
    token = register_token(app, election_id, "1011")
    page = client.get(f"/lists/{election_id}")
    response = client.post(
        f"/lists/{election_id}/objection",
        data={
            "csrf_token": csrf_token(page),
            "token": token,
            "target": f"c{target}",
            "text": "Works for the employer's board.",
        },
    )
    assert response.status_code == 302
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    from election.models import ListObjection

    objection = db_session.scalar(select(ListObjection))
    url = f"/committee/elections/{election_id}/lists/objections"
    page = client.get(url)
    assert "Works for the employer" in page.get_data(as_text=True)
    client.post(
        f"{url}/{objection.id}",
        data={
            "csrf_token": csrf_token(page),
            "decision": "upheld",
            "reasons": "The candidate is a member of the board.",
        },
    )
    db_session.expire_all()
    assert db_session.get(Candidacy, target).status == "struck"
    assert [c.position for c in db_session.get(CandidateList, lst.id).candidates if c.status == "active"] == [1, 2]
    kinds = db_session.scalars(select(ListDecision.kind).order_by(ListDecision.id)).all()
    assert kinds == ["objection_decided", "candidate_struck"]


def test_ballot_preview_shows_the_lists_and_blank_last(app, client, db_session):
    election_id = make_list_election(app, phase="list_review")
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number.in_(noord(range(2))))).all()
        lst = CandidateList(
            election_id=election_id,
            electoral_group_id=election.groups[0].id,
            kind="free",
            name="Haven",
            status="valid",
            received_on=now.date(),
            submitted_at=now,
        )
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(people)]
        db.add(lst)
        db.commit()
        group_id = election.groups[0].id
    sign_in(client, make_member(app, Role.AUDITOR), app)
    page = client.get(f"/committee/elections/{election_id}/lists/ballot/{group_id}").get_data(as_text=True)
    assert page.index("Medewerker1001") < page.index("Medewerker1003") < page.index("I vote blank")
    assert "List 1" in page
