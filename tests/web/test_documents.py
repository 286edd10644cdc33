"""The committee's documents: real PDFs and pages, in Dutch and English, from the current election data."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from election.announcement import queue_union_link_mail, send_union_invitations
from election.documents import STATIC, LocalFilesOnly
from election.models import (
    AuditEntry,
    Election,
    ElectoralGroup,
    OutboxMessage,
    RegisterObjection,
    RegisterPerson,
    Role,
    TradeUnion,
)
from election.procedure_store import timeline_of
from tests.helpers import make_member, sign_in

ORGANISATION = "Zorggroep Rivierenland BV"


def _election(app) -> int:  # type: ignore[no-untyped-def]
    today = app.config["CLOCK"].today()
    with app.extensions["stembus_sessions"]() as db:
        election = Election(
            organisation=ORGANISATION, voting_day=today + timedelta(weeks=14), voting_days=2,
            term_end=today + timedelta(weeks=20), headcount=420, seats=11, electoral_system="list",
            regulation=json.dumps({}), phase="draft",
        )
        election.groups = [ElectoralGroup(name="Zorg", position=1, seats=7, earmarked_seats=1,
                                          earmark_unit_field="location", earmark_unit_value="Zwolle"),
                           ElectoralGroup(name="Ondersteuning", position=2, seats=4)]
        election.unions = [
            TradeUnion(name="FNV Zorg", email="kader@fnv.example", postal_address="Postbus 1\n3500 AA Utrecht"),
            TradeUnion(name="CNV Zorg", email=None, postal_address="Postbus 2\n3500 AB Utrecht"),
        ]
        db.add(election)
        db.commit()
        return election.id


def _timeline(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        return timeline_of(db.get(Election, election_id))


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def _nl(day: date) -> str:
    return format_date(day, "d MMMM y", locale="nl")


def _en(day: date) -> str:
    return format_date(day, "d MMMM y", locale="en")


@pytest.fixture
def chair(app, client):  # type: ignore[no-untyped-def]
    sign_in(client, make_member(app, Role.CHAIR), app)
    return client


def test_announcement_pdf_in_dutch_has_organisation_dates_groups_and_objection_window(app, chair):
    election_id = _election(app)
    timeline = _timeline(app, election_id)
    response = chair.get(f"/committee/elections/{election_id}/documents/announcement.pdf?lang=nl")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "Bekendmaking" in text
    assert ORGANISATION in text
    for key in ("announce", "date_objection_end", "union_lists_deadline", "voting_opens", "voting_closes"):
        assert _nl(timeline[key]) in text, key
    assert "bezwaar" in text
    assert "Ondersteuning" in text
    assert "WOR art. 9 lid 2 sub a" in text


def test_announcement_pdf_in_english(app, chair):
    election_id = _election(app)
    timeline = _timeline(app, election_id)
    text = _text(chair.get(f"/committee/elections/{election_id}/documents/announcement.pdf?lang=en").data)
    assert "Announcement: works council election" in text
    assert ORGANISATION in text
    assert _en(timeline["voting_opens"]) in text
    assert _en(timeline["date_objection_end"]) in text
    assert "Bekendmaking" not in text


def test_the_pdf_is_tagged_and_carries_title_and_language(app, chair):
    election_id = _election(app)
    pdf = chair.get(f"/committee/elections/{election_id}/documents/announcement.pdf?lang=nl").data
    reader = PdfReader(io.BytesIO(pdf))
    assert ORGANISATION in reader.metadata.title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert root["/MarkInfo"]["/Marked"]


def test_announcement_page_shows_the_whole_timetable_with_its_basis(app, chair):
    election_id = _election(app)
    timeline = _timeline(app, election_id)
    page = chair.get(f"/committee/elections/{election_id}/documents/announcement?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert page.count("<tr>") >= len(timeline.steps)
    assert "Deadline for union lists" in page
    assert "WOR art. 9 lid 2 sub a" in page
    assert f"/committee/elections/{election_id}/documents/announcement.pdf" in page
    assert "style=" not in page  # the content security policy allows no inline styles


def test_announcement_always_reflects_the_current_election_data(app, chair, db_session):
    election_id = _election(app)
    election = db_session.get(Election, election_id)
    election.organisation = "Rivierenland Zorg NV"
    db_session.commit()
    page = chair.get(f"/committee/elections/{election_id}/documents/announcement").get_data(as_text=True)
    assert "Rivierenland Zorg NV" in page


def test_union_invitation_names_the_deadline_and_the_conditions(app, chair, db_session):
    election_id = _election(app)
    timeline = _timeline(app, election_id)
    union = db_session.scalars(select(TradeUnion).where(TradeUnion.name == "FNV Zorg")).one()
    base = f"/committee/elections/{election_id}/documents/union-invitation/{union.id}"

    page = chair.get(base + "?lang=nl").get_data(as_text=True)
    assert "FNV Zorg" in page
    text = _text(chair.get(base + ".pdf?lang=nl").data)
    assert ORGANISATION in text
    assert _nl(timeline["union_lists_deadline"]) in text
    assert "twee jaar" in text  # WOR art. 9 lid 2 sub a: full legal capacity for two years
    assert "kandidatenlijst" in text.lower()


def test_union_of_another_election_is_not_found(app, chair):
    first = _election(app)
    with app.extensions["stembus_sessions"]() as db:
        other = db.scalars(select(TradeUnion).where(TradeUnion.election_id == first)).first()
        other_id = other.id
    second = _election(app)
    assert chair.get(f"/committee/elections/{second}/documents/union-invitation/{other_id}").status_code == 404


def _person(app, election_id, number, name, **extra):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with app.extensions["stembus_sessions"]() as db:
        group = db.scalars(select(ElectoralGroup).where(ElectoralGroup.election_id == election_id)).first()
        fields = {"active": True, "passive": True, "reasons": ""}
        fields.update(extra)
        person = RegisterPerson(
            election_id=election_id, employee_number=number, name=name, start_date=date(2020, 1, 1),
            electoral_group_id=group.id, updated_at=now, **fields,
        )
        db.add(person)
        db.commit()
        return person.id


def test_register_extract_shows_only_the_employees_own_entry_and_is_logged(app, chair, db_session):
    election_id = _election(app)
    person_id = _person(app, election_id, "1001", "Anna Jansen", passive=False, reasons="passive_term_not_met")
    _person(app, election_id, "1002", "Bram Visser")
    base = f"/committee/elections/{election_id}/documents/register-extract/{person_id}"

    page = chair.get(base + "?lang=en").get_data(as_text=True)
    text = _text(chair.get(base + ".pdf?lang=nl").data)

    for shown in (page, text):
        assert "Anna Jansen" in shown
        assert "Bram Visser" not in shown
    assert "Not long enough in the company to stand as a candidate" in page
    assert ORGANISATION in text
    assert "kiesregister" in text
    actions = db_session.scalars(select(AuditEntry.action)).all()
    assert "register_extract_exported" in actions


def test_objection_decision_gives_the_decision_and_its_reasons(app, chair):
    election_id = _election(app)
    person_id = _person(app, election_id, "1001", "Anna Jansen")
    now = datetime.now(UTC)
    with app.extensions["stembus_sessions"]() as db:
        objection = RegisterObjection(
            election_id=election_id, person_id=person_id, employee_number="1001",
            text="Ik werk hier al sinds 2019.", filed_at=now, decision="upheld",
            reasons="Het contract toont 1 maart 2019 als startdatum.", decided_at=now,
        )
        db.add(objection)
        db.commit()
        objection_id = objection.id
    base = f"/committee/elections/{election_id}/documents/objection-decision/{objection_id}"

    text = _text(chair.get(base + ".pdf?lang=nl").data)
    assert ORGANISATION in text
    assert "Anna Jansen" in text
    assert "Het contract toont 1 maart 2019 als startdatum." in text
    assert "kantonrechter" in text
    english = chair.get(base + "?lang=en").get_data(as_text=True)
    assert "The committee upholds your objection." in english


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARY, Role.AUDITOR])
def test_committee_roles_may_open_the_announcement(app, client, role):
    election_id = _election(app)
    sign_in(client, make_member(app, role), app)
    assert client.get(f"/committee/elections/{election_id}/documents/announcement").status_code == 200


def test_it_operator_may_not_open_documents(app, client):
    election_id = _election(app)
    sign_in(client, make_member(app, Role.IT_OPERATOR), app)
    for path in ("", "/announcement", "/announcement.pdf"):
        assert client.get(f"/committee/elections/{election_id}/documents{path}").status_code == 403


def test_auditor_may_not_open_personal_documents(app, client):
    election_id = _election(app)
    person_id = _person(app, election_id, "1001", "Anna Jansen")
    sign_in(client, make_member(app, Role.AUDITOR), app)
    assert client.get(f"/committee/elections/{election_id}/documents/register-extract/{person_id}").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(app, client):
    election_id = _election(app)
    response = client.get(f"/committee/elections/{election_id}/documents/announcement.pdf")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_union_invitations_are_queued_once_with_the_letter_and_paper_unions_named(app, db_session):
    election_id = _election(app)
    with app.app_context():
        election = db_session.get(Election, election_id)
        outcome = send_union_invitations(db_session, election)
        db_session.commit()
        again = send_union_invitations(db_session, election)
        db_session.commit()

    assert [u.name for u in outcome.queued] == ["FNV Zorg"]
    assert [u.name for u in outcome.paper_letters] == ["CNV Zorg"]
    assert (again.queued, [u.name for u in again.already_queued]) == ((), ["FNV Zorg"])
    row = db_session.scalars(select(OutboxMessage)).one()
    assert (row.recipient, row.kind, row.language, row.election_id) == ("kader@fnv.example", "union_invitation", "nl",
                                                                        election_id)
    assert row.attachments[0].content_type == "application/pdf"
    assert _nl(_timeline(app, election_id)["union_lists_deadline"]) in _text(row.attachments[0].content)


def test_the_union_invitation_is_in_dutch_then_english_whatever_the_committee_reads(app, db_session):
    election_id = _election(app)
    with app.test_request_context("/?lang=en"):  # a committee member reading English
        election = db_session.get(Election, election_id)
        send_union_invitations(db_session, election)
        db_session.commit()
    deadline = _timeline(app, election_id)["union_lists_deadline"]
    row = db_session.scalars(select(OutboxMessage)).one()
    dutch = row.body_text.find("Geacht bestuur van FNV Zorg")
    english = row.body_text.find("Dear FNV Zorg")
    assert 0 <= dutch < english, row.body_text
    assert format_date(deadline, "long", locale="nl") in row.body_text[:english]
    assert format_date(deadline, "long", locale="en") in row.body_text[english:]
    assert row.language == "nl" and row.subject.startswith("Uitnodiging") and "Invitation" in row.subject
    letters = [_text(a.content) for a in row.attachments]
    assert len(letters) == 2
    assert _nl(deadline) in letters[0] and _en(deadline) in letters[1]


def test_the_union_link_mail_is_in_dutch_then_english_whatever_the_committee_reads(app, db_session):
    election_id = _election(app)
    with app.test_request_context("/?lang=en"):
        election = db_session.get(Election, election_id)
        union = next(u for u in election.unions if u.email)
        queue_union_link_mail(db_session, election, union, "https://stembus.example/lists/union#t=abc")
        db_session.commit()
    row = db_session.scalars(select(OutboxMessage)).one()
    dutch, english = row.body_text.find("Met deze persoonlijke link"), row.body_text.find("With this personal link")
    assert 0 <= dutch < english and row.body_text.count("https://stembus.example/lists/union#t=abc") == 2
    assert row.subject.startswith("Uw link") and "Your link" in row.subject and row.sensitive


def test_a_new_timetable_sends_the_union_a_new_invitation(app, db_session):
    election_id = _election(app)
    with app.app_context():
        election = db_session.get(Election, election_id)
        send_union_invitations(db_session, election)
        election.voting_day += timedelta(weeks=1)  # a documented postponement
        outcome = send_union_invitations(db_session, election)
        db_session.commit()
    assert [u.name for u in outcome.queued] == ["FNV Zorg"]
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 2


def test_documents_may_read_local_static_files_only():
    from weasyprint.urls import FatalURLFetchingError

    fetcher = LocalFilesOnly()
    css = fetcher.fetch((STATIC / "css" / "print.css").as_uri())
    assert css.content_type == "text/css"
    for url in ("http://127.0.0.1/x.css", "https://example.org/font.woff", "file:///etc/passwd",
                (STATIC / ".." / "pyproject.toml").as_uri(), "data:text/css,body{}"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
