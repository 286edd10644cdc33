"""The result: results pages with charts, the official report, letters, announcement mails and the objection window."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from election import result_objections
from election.count_record import record_zip
from election.models import (
    Candidacy,
    CandidateList,
    CommitteeMember,
    Election,
    OutboxAttachment,
    OutboxMessage,
    RegisterPerson,
)
from election.models.committee import Role
from election.procedure import Phase, StepRefused
from election.tally_store import count_of
from election.voting_codes import identity_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.lists_factory import make_list_election, noord, register_token
from tests.web.results_factory import announce, counted_election, force_step, take_step


def _base(election_id: int) -> str:
    return f"/committee/elections/{election_id}/results"


def _file(app, election_id, text, *, person_number=None, name=None):
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        person = None
        if person_number is not None:
            person = db.scalar(
                select(RegisterPerson).where(
                    RegisterPerson.election_id == election_id, RegisterPerson.employee_number == person_number
                )
            )
        try:
            objection = result_objections.file_objection(
                db, election, text, app.config["CLOCK"].now(), person=person, name=name
            )
        except result_objections.ObjectionRefused:
            db.rollback()
            raise
        db.commit()
        return objection.id


def _decide(app, objection_id, member_id, reasons="The count was checked; it is right."):
    with app.extensions["stembus_sessions"]() as db:
        objection = db.get(result_objections.ResultObjection, objection_id)
        member = db.get(CommitteeMember, member_id)
        result_objections.decide_objection(
            db, objection, False, reasons, member.email, member.id, app.config["CLOCK"].now()
        )
        db.commit()


def _phase(app, election_id):
    with app.extensions["stembus_sessions"]() as db:
        return db.get(Election, election_id).phase


def test_the_official_report_lists_every_required_item(app, client):
    ce = counted_election(app)
    announce(app, ce.election_id, ce.trustees[0])
    objection = _file(app, ce.election_id, "The blank ballots were not counted.", name="Piet Bezwaar")
    _decide(app, objection, ce.trustees[1], reasons="Blank ballots are counted and shown apart.")
    sign_in(client, ce.accounts[0], app)
    page = client.get(f"{_base(ce.election_id)}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        count = count_of(db, ce.election_id)
        identity = identity_of(db, ce.election_id)
        digest = record_zip(db, election)[1]
        closed_head, lot_seed, election_hash = count.board_head, count.lot_seed, identity.election_hash
        members = [db.get(CommitteeMember, i).name for i in ce.trustees]
    required = {
        "election data": ["Haven Logistiek BV", "Persons working in the company", "300", "Seats on the works council"],
        "counting rules": ["Counting rules of the regulation", "largest remainders", "left empty"],
        "course of events": ["Course of the election", "Vote closed; the bulletin board was fixed", "Lot seed fixed"],
        "register and turnout per group": ["Voters in the register", "Turnout", "66.7 %", "33.3 %", "50.0 %"],
        "ballots, blank, invalid, valid": ["Ballots cast", "Blank", "Invalid", "Valid votes"],
        "votes per list and candidate": ["Seats per list in Noord", "Votes per candidate in Zuid", "Lijst 3"],
        "quota": ["Quota (valid votes ÷ seats)", "exactly 3/2", "exactly 2"],
        "full and remaining seats": ["Full seats", "Remaining seats", "Remainder"],
        "preference calculations": ["Preference votes", "no preference threshold: the list order decides"],
        "lot draws with seed": ["Decisions by lot", "dice 6 1 4", lot_seed, "remaining seat 1"],
        "elected": ["Elected, in order", "Anna Medewerker1001 (Lijst 1)", "Anna Medewerker1007 (Lijst 2)"],
        "ranked reserves": ["Reserves, in order of succession", "Cem Medewerker1003", "Eva Medewerker1005"],
        "empty seats and no-vote groups": ["Vote held"],
        "objections and decisions": [
            "Against the electoral register: 0 received",
            "Against the candidate lists: 0 received",
            "The blank ballots were not counted.",
            "Blank ballots are counted and shown apart.",
            "Piet Bezwaar",
        ],
        "objection window": ["Objections may be filed until"],
        "trustees and decryption": ["Trustees (key holders)", "submitted and verified", "not submitted"],
        "board head and record hash": [closed_head, election_hash, digest, "stembus verify"],
        "signatures": ["Signatures", "Members of the election committee", *members],
        "charts": ['role="img"', "Votes per list in Noord", "Seats in Zuid"],
    }
    missing = {item: [m for m in markers if m not in html] for item, markers in required.items()}
    assert {k: v for k, v in missing.items() if v} == {}
    pdf = client.get(f"{_base(ce.election_id)}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Haven Logistiek BV" in text and "Piet Bezwaar" in text
    dutch = client.get(f"{_base(ce.election_id)}/report?lang=nl")
    assert "Proces-verbaal" in dutch.get_data(as_text=True) or "proces-verbaal" in dutch.get_data(as_text=True)


def test_a_tie_decided_by_lot_is_recorded_in_the_report(app, client):
    ce = counted_election(app, lot="dice 3 3 5")
    sign_in(client, ce.accounts[0], app)
    html = client.get(f"{_base(ce.election_id)}/report").get_data(as_text=True)
    rows = re.findall(r"<tr><td>Zuid</td><td>remaining seat 1</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    assert len(rows) == 1
    among, winner = rows[0]
    assert among == "Lijst 3, Lijst 4" and winner in ("Lijst 3", "Lijst 4")
    assert "dice 3 3 5" in html and "No tie had to be decided by lot." not in html


def test_without_a_tie_the_report_says_no_lot_was_drawn(app, client):
    ce = counted_election(app, zuid=(0, 0, 3))
    sign_in(client, ce.accounts[0], app)
    html = client.get(f"{_base(ce.election_id)}/report").get_data(as_text=True)
    assert "No tie had to be decided by lot." in html


def _no_vote_election(app):
    """Noord: one list of two candidates for three seats; Zuid: no list for two seats. No vote is held."""
    election_id = make_list_election(app, phase="lists_final", seats=(3, 2))
    now = app.config["CLOCK"].now()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        people = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number.in_(noord(range(2)))))
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
        lst.candidates = [Candidacy(person_id=p.id, position=i + 1, consent_at=now) for i, p in enumerate(people)]
        db.add(lst)
        db.commit()
    force_step(app, election_id, Phase.NO_VOTE_NEEDED)
    return election_id


def test_no_vote_path_report_and_letters(app, client):
    election_id = _no_vote_election(app)
    chair = make_member(app, Role.CHAIR)
    take_step(app, election_id, Phase.RESULT_ANNOUNCED, chair.id)
    sign_in(client, chair, app)
    html = client.get(f"{_base(election_id)}/report").get_data(as_text=True)
    assert "No vote was held in this group" in html and "1 seat stays empty." in html
    assert "2 seats stay empty." in html and "no vote held" in html
    assert "No vote was held: in no electoral group were there more candidates than seats." in html
    assert "Anna Medewerker1001 (Eén lijst)" in html and "Cem Medewerker1003 (Eén lijst)" in html
    elected = client.get(f"{_base(election_id)}/letters/elected").get_data(as_text=True)
    assert elected.count('<article class="letter">') == 2 and "without a vote" in elected
    others = client.get(f"{_base(election_id)}/letters/not-elected").get_data(as_text=True)
    assert "There are no letters in this batch." in others
    public = client.get(f"/result/{election_id}")
    assert public.status_code == 200 and "2 seats stay empty." in public.get_data(as_text=True)


def _mailing_done(client, url, seconds=120.0):
    """The result e-mails page once its background run has finished (or the wait ran out)."""
    deadline = time.monotonic() + seconds
    while True:
        html = client.get(url).get_data(as_text=True)
        if "Done: all result e-mails are queued." in html or time.monotonic() > deadline:
            return html
        time.sleep(0.2)


def test_letters_to_the_elected_and_not_elected_and_the_announcement_mails(app, client):
    ce = counted_election(app)
    sign_in(client, ce.accounts[0], app)
    page = client.get(_base(ce.election_id))
    assert "Queue the result e-mails" not in page.get_data(as_text=True)  # not before the announcement
    announce(app, ce.election_id, ce.trustees[0])
    sign_in(client, ce.accounts[0], app)  # a day later: a new session
    elected = client.get(f"{_base(ce.election_id)}/letters/elected").get_data(as_text=True)
    assert elected.count('<article class="letter">') == 3
    assert "Anna Medewerker1001" in elected and "you have been elected to the works council" in elected
    others = client.get(f"{_base(ce.election_id)}/letters/not-elected").get_data(as_text=True)
    assert others.count('<article class="letter">') == 7
    assert "You are reserve number 2 on your list." in others and "Eva Medewerker1005" in others
    for path in ("letters/elected.pdf", "letters/not-elected.pdf", "announcement.pdf"):
        pdf = client.get(f"{_base(ce.election_id)}/{path}")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-"), path
    for _ in range(2):  # a second press queues nothing new
        token = csrf_token(client.get(_base(ce.election_id)))
        client.post(f"{_base(ce.election_id)}/mail", data={"csrf_token": token})
        page = _mailing_done(client, f"{_base(ce.election_id)}/mail")
        assert "queued 12 of 12" in page and "Letters to candidates queued: 10" in page, page
        assert "Announcements to unions queued: 1" in page
    with app.extensions["stembus_sessions"]() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.election_id == ce.election_id)).all()
        letters = [r for r in rows if r.kind == "result_letter"]
        announcements = [r for r in rows if r.kind == "result_announcement"]
        union = next(r for r in announcements if r.recipient == "kader@fnv.example")
        attachment = db.scalar(select(OutboxAttachment).where(OutboxAttachment.message_id == union.id))
    assert len(letters) == 10 and len(announcements) == 13
    anna = next(r for r in letters if r.recipient == "m1001@haven.example")
    assert "gekozen" in anna.subject and "/result/" in anna.body_text
    assert attachment is not None and attachment.content.startswith(b"%PDF-")


def test_the_result_is_announced_only_once_it_is_established(app):
    from tests.web.count_factory import after_voting, close_vote, make_count_election

    ce = make_count_election(app)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    with pytest.raises(StepRefused, match="not been established"):
        take_step(app, ce.election_id, Phase.RESULT_ANNOUNCED, ce.trustees[0])
    assert _phase(app, ce.election_id) == "counted"


def test_the_objection_window_opens_with_the_announcement_and_gates_the_final_result(app, client):
    ce = counted_election(app)
    with pytest.raises(result_objections.ObjectionRefused) as refused:
        _file(app, ce.election_id, "Too early.", name="Vroeg")
    assert refused.value.code == "not_announced"
    assert client.get(f"/result/{ce.election_id}").status_code == 404  # nothing public before the announcement
    announce(app, ce.election_id, ce.trustees[0])
    with app.extensions["stembus_sessions"]() as db:
        announcement = result_objections.announcement_of(db, ce.election_id)
        deadline = announcement.objection_deadline
    assert deadline == app.config["CLOCK"].today() + timedelta(days=14)  # regulation default: 14 days

    token = register_token(app, ce.election_id, "1004")
    page = client.get(f"/result/{ce.election_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'role="img"' in html and "Object to the result" in html
    posted = client.post(
        f"/result/{ce.election_id}/objection",
        data={"csrf_token": csrf_token(page), "token": token, "text": "The lot was not drawn in public."},
        follow_redirects=True,
    )
    assert "Your objection has been received." in posted.get_data(as_text=True)
    bad = client.post(
        f"/result/{ce.election_id}/objection",
        data={"csrf_token": csrf_token(page), "token": "x" * 43, "text": "Again."},
    )
    assert bad.status_code == 400 and "This personal code is not valid." in bad.get_data(as_text=True)

    app.config["CLOCK"].advance(timedelta(days=14))  # the last day of the window
    with pytest.raises(StepRefused, match="may be filed until") as early:
        take_step(app, ce.election_id, Phase.RESULT_FINAL, ce.trustees[0])
    assert early.value.code == "preconditions"
    app.config["CLOCK"].advance(timedelta(days=1))  # the window has closed
    with pytest.raises(result_objections.ObjectionRefused) as late:
        _file(app, ce.election_id, "Too late.", name="Laat")
    assert late.value.code == "late" and late.value.deadline == deadline
    with pytest.raises(StepRefused, match="1 objection\\(s\\) against the result still await a decision"):
        take_step(app, ce.election_id, Phase.RESULT_FINAL, ce.trustees[0])
    assert _phase(app, ce.election_id) == "result_announced"

    sign_in(client, ce.accounts[1], app)
    page = client.get(_base(ce.election_id))
    assert "The lot was not drawn in public." in page.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        [objection] = result_objections.objections_of(db, ce.election_id)
    no_reasons = client.post(
        f"{_base(ce.election_id)}/objections/{objection.id}",
        data={"csrf_token": csrf_token(page), "decision": "rejected", "reasons": ""},
        follow_redirects=True,
    )
    assert "Choose a decision and give its reasons." in no_reasons.get_data(as_text=True)
    decided = client.post(
        f"{_base(ce.election_id)}/objections/{objection.id}",
        data={"csrf_token": csrf_token(page), "decision": "rejected", "reasons": "The seed was fixed at the meeting."},
        follow_redirects=True,
    )
    assert "The decision has been recorded." in decided.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        told = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "result_objection_decision"))
    assert told is not None and told.recipient == "m1004@haven.example" and "The seed was fixed" in told.body_text

    take_step(app, ce.election_id, Phase.RESULT_FINAL, ce.trustees[0])
    assert _phase(app, ce.election_id) == "result_final"
    with pytest.raises(result_objections.ObjectionRefused) as final:
        _file(app, ce.election_id, "After the end.", name="Na")
    assert final.value.code == "final"
    report = client.get(f"{_base(ce.election_id)}/report").get_data(as_text=True)
    assert "The result became final on" in report and "The seed was fixed at the meeting." in report


def test_the_committee_enters_a_written_objection_received_in_time(app, client):
    ce = counted_election(app)
    announce(app, ce.election_id, ce.trustees[0])
    sign_in(client, ce.accounts[0], app)
    page = client.get(_base(ce.election_id))
    token = csrf_token(page)
    today = app.config["CLOCK"].today()
    future = client.post(
        f"{_base(ce.election_id)}/objections",
        data={"csrf_token": token, "name": "Jan Brief", "text": "By letter.", "received_on": str(today + timedelta(1))},
        follow_redirects=True,
    )
    assert "The day of receipt cannot lie in the future." in future.get_data(as_text=True)
    done = client.post(
        f"{_base(ce.election_id)}/objections",
        data={"csrf_token": token, "name": "Jan Brief", "text": "By letter.", "received_on": str(today)},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "The objection has been recorded." in html and "Objection by Jan Brief" in html
    with app.extensions["stembus_sessions"]() as db:
        assert result_objections.open_objections(db, ce.election_id) == 1


def test_the_committee_results_page_shows_tables_and_charts(app, client):
    ce = counted_election(app)
    assert client.get(_base(ce.election_id)).status_code in (302, 401, 403)  # signed out
    sign_in(client, ce.accounts[2], app)
    html = client.get(_base(ce.election_id)).get_data(as_text=True)
    assert "<svg" in html and "<title id=" in html and "Votes per candidate in Noord" in html
    assert "Ties decided by lot in Zuid" in html and "not yet announced" in html


def _group_sections(html: str) -> str:
    """The result part of a page: the turnout line, every group's section and the lot seed line."""
    start = html.index("voters cast a ballot (turnout")
    start = html.rindex("<p>", 0, start)
    end = html.index("</p>", html.index("Lot seed fixed in public:")) + len("</p>")
    return html[start:end]


def test_the_committee_and_the_public_page_show_the_same_result_tables_and_charts(app, client):
    ce = counted_election(app)
    announce(app, ce.election_id, ce.trustees[0])
    public = _group_sections(client.get(f"/result/{ce.election_id}").get_data(as_text=True))
    sign_in(client, ce.accounts[0], app)
    committee = _group_sections(client.get(_base(ce.election_id)).get_data(as_text=True))
    assert committee == public
    assert public.count("<section") == 2 and public.count('role="img"') == 4
    assert public.count("<table") == public.count("<caption>") > 0
    assert '<th scope="col">' in public and '<th scope="row">' in public
