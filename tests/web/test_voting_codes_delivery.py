"""Voting codes reach voters by e-mail or letter, are minted only as they leave, and are never stored."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import timedelta
from typing import Any

import pypdf
import segno
from sqlalchemy import select

from crypto.credentials import derive_credential
from election.audit_log import verify_chain
from election.code_delivery import issue_for_delivery
from election.mail import MemoryMailSender, RetryPolicy, deliver_pending
from election.models import AuditEntry, Election, OutboxMessage, PendingAction, RegisterPerson, Role
from election.models.delivery import CodeDelivery
from election.models.voting import VotingCredential
from election.voting_codes import IssuedCode, identity_of
from election.voting_mail_text import CODE_MARK
from tests.conftest import https_client
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.delivery_factory import CODE, make_keyed_election, places_holding
from tests.web.voting_factory import make_ballot, open_voting_now

POLICY = RetryPolicy(max_attempts=3, claim_timeout=timedelta(minutes=15))
_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


class Crash(BaseException):
    """Stands for the mail worker dying (kill, power cut)."""


class DeliveredThenCrash(MemoryMailSender):
    """The mail system accepts the message, then the worker dies before it can record that."""

    def send(self, message: Any) -> None:
        super().send(message)
        raise Crash


def _url(election_id: int, tail: str = "") -> str:
    return f"/committee/elections/{election_id}/voting-codes{tail}"


def _signed_in(app: Any, role: Any, email: str) -> Any:
    client = https_client(app)
    sign_in(client, make_member(app, role, email), app)
    return client


def _post(client: Any, election_id: int, tail: str, data: dict[str, Any] | None = None) -> Any:
    token = csrf_token(client.get(_url(election_id)))
    return client.post(_url(election_id, tail), data={"csrf_token": token, **(data or {})})


def _issue_by_two_members(app: Any, election_id: int) -> tuple[Any, Any]:
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    member = _signed_in(app, Role.MEMBER, "member@example.org")
    assert _post(chair, election_id, "/issue").status_code == 302
    with app.extensions["stembus_sessions"]() as db:
        pending = db.scalars(select(PendingAction).where(PendingAction.election_id == election_id)).one()
    assert _post(member, election_id, f"/confirm/{pending.id}").status_code == 302
    return chair, member


def _issue(app: Any, election_id: int) -> None:
    """Issue directly (the committee's two-member step is tested on its own)."""
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        uuid = identity_of(db, election_id).uuid  # type: ignore[union-attr]
        links = {"nl": f"https://stembus.example/stem/{uuid}", "en": f"https://stembus.example/vote/{uuid}"}
        issue_for_delivery(db, election, "test", app.config["CLOCK"].now(), links.__getitem__)
        db.commit()


def _deliver(app: Any, sender: MemoryMailSender | None = None) -> MemoryMailSender:
    sender = sender or MemoryMailSender("commissie@example.org")
    deliver_pending(app.extensions["stembus_sessions"], sender, clock=app.config["CLOCK"], policy=POLICY)
    return sender


def _code_of(message: Any) -> str:
    body = message.get_body(("plain",)).get_content()
    codes = set(CODE.findall(body))
    assert len(codes) == 1, body
    return codes.pop()


def _issued(app: Any, election_id: int, number: str, code: str) -> IssuedCode:
    with app.extensions["stembus_sessions"]() as db:
        person = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number == number)).one()
        election = db.get(Election, election_id)
        assert election is not None
        group = next(g.name for g in election.groups if g.id == person.electoral_group_id)
        return IssuedCode(person.id, person.name, person.email, "nl", group, code)


def _cast(app: Any, election_id: int, issued: IssuedCode) -> Any:
    client = https_client(app)
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, election_id).uuid  # type: ignore[union-attr]
    page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}  # type: ignore[union-attr]
    ballot, _ = make_ballot(app, election_id, issued, 1)
    return client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)


def _outbox(app: Any) -> list[OutboxMessage]:
    with app.extensions["stembus_sessions"]() as db:
        return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "voting_code")))


def test_issuing_takes_two_members_and_queues_one_sensitive_mail_per_voter_without_a_code(app):
    election_id = make_keyed_election(app, without_email=("1003",))
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    assert _post(chair, election_id, "/issue").status_code == 302
    assert _outbox(app) == [], "nothing is issued on a proposal"
    with app.extensions["stembus_sessions"]() as db:
        pending = db.scalars(select(PendingAction).where(PendingAction.election_id == election_id)).one()
    refused = _post(chair, election_id, f"/confirm/{pending.id}")
    assert refused.status_code == 302 and _outbox(app) == [], "the proposer cannot confirm"
    assert "second committee member" in chair.get(_url(election_id)).get_data(as_text=True)

    member = _signed_in(app, Role.MEMBER, "member@example.org")
    assert _post(member, election_id, f"/confirm/{pending.id}").status_code == 302

    rows = _outbox(app)
    assert len(rows) == 11  # twelve voters, one without an e-mail address
    assert all(row.sensitive and row.status == "pending" and CODE_MARK in row.body_text for row in rows)
    assert all(not CODE.search(row.body_text + row.subject) for row in rows)
    assert {row.recipient for row in rows} == {f"m{n}@haven.example" for n in range(1001, 1013) if n != 1003}
    page = member.get(_url(election_id)).get_data(as_text=True)
    assert "Needs a letter" in page and "1003" in page and "no e-mail address" in page
    with app.extensions["stembus_sessions"]() as db:
        assert len(db.scalars(select(VotingCredential)).all()) == 12
        assert db.get(PendingAction, pending.id).status == "confirmed"  # type: ignore[union-attr]


def test_the_mailed_code_is_minted_at_sending_votes_and_is_found_nowhere_in_the_database(app):
    election_id = make_keyed_election(app, people=12, english=("1002",))
    _issue(app, election_id)
    sender = _deliver(app)

    assert len(sender.sent) == 12
    english = next(m for m in sender.sent if m["To"] == "m1002@haven.example")
    dutch = next(m for m in sender.sent if m["To"] == "m1001@haven.example")
    code = _code_of(dutch)
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, election_id).uuid  # type: ignore[union-attr]
        identity = identity_of(db, election_id)
        assert identity is not None
        _, public = derive_credential(code, uuid, bytes.fromhex(identity.manifest_hash))
        assert db.scalars(select(VotingCredential).where(VotingCredential.credential == public.hex())).one()
    body = dutch.get_body(("plain",)).get_content()
    assert f"/stem/{uuid}#code={code}" in body and "stemcode" in body.lower()
    assert f"/vote/{uuid}#code=" in english.get_body(("plain",)).get_content()
    assert english["Content-Language"] == "en"
    assert all(row.status == "sent" and row.body_text == "" for row in _outbox(app))

    codes = {_code_of(m) for m in sender.sent}
    assert len(codes) == 12
    for each in codes:
        assert places_holding(app, each) == []

    open_voting_now(app, election_id)
    answer = _cast(app, election_id, _issued(app, election_id, "1001", code))
    assert answer.status_code == 201, answer.get_json()
    assert places_holding(app, code) == []


def test_a_retry_after_a_crash_mints_a_new_code_and_the_old_one_is_refused(app):
    election_id = make_keyed_election(app, people=12)
    _issue(app, election_id)
    crashed = DeliveredThenCrash("commissie@example.org")
    with contextlib.suppress(Crash):
        _deliver(app, crashed)
    first = _code_of(crashed.sent[0])
    with app.extensions["stembus_sessions"]() as db:
        rows = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert rows[0].status == "sending" and rows[0].body_text.count(CODE_MARK) == 2
        assert all(row.status == "pending" for row in rows[1:])
    number = crashed.sent[0]["To"].split("@")[0][1:]

    app.config["CLOCK"].advance(POLICY.claim_timeout + timedelta(seconds=1))
    again = _deliver(app)
    resent = [m for m in again.sent if m["To"] == crashed.sent[0]["To"]]
    assert len(again.sent) == 12 and len(resent) == 1
    second = _code_of(resent[0])
    assert second != first
    assert resent[0]["Message-ID"] == crashed.sent[0]["Message-ID"]
    with app.extensions["stembus_sessions"]() as db:
        delivery = db.scalars(select(CodeDelivery).order_by(CodeDelivery.id)).first()
        assert delivery is not None and delivery.mints == 2

    open_voting_now(app, election_id)
    old = _cast(app, election_id, _issued(app, election_id, number, first))
    assert old.status_code == 403 and old.get_json()["error"] == "unknown_credential"
    assert _cast(app, election_id, _issued(app, election_id, number, second)).status_code == 201


def test_a_code_mail_still_queued_when_voting_opens_is_given_up_unsent(app):
    election_id = make_keyed_election(app, people=12)
    _issue(app, election_id)
    with app.extensions["stembus_sessions"]() as db:
        before = sorted(db.scalars(select(VotingCredential.credential)))
    open_voting_now(app, election_id)
    sender = _deliver(app)
    assert sender.sent == []
    rows = _outbox(app)
    assert {(row.status, row.last_error, row.body_text) for row in rows} == {("failed", "not sent: voting_open", "")}
    with app.extensions["stembus_sessions"]() as db:
        assert sorted(db.scalars(select(VotingCredential.credential))) == before, "the frozen lists are untouched"


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _qr_modules(pdf: bytes) -> set[tuple[int, int]]:
    """The dark modules of the QR code drawn on the first page, read back from its line segments.

    segno draws each run of dark modules in a row as one horizontal stroke of width 1 through the
    middle of the row; WeasyPrint keeps the SVG's own units inside its transformation.
    """
    content = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    segment = re.compile(r"(-?[\d.]+) (-?[\d.]+) m\s+(-?[\d.]+) (-?[\d.]+) l")
    dark = set()
    for x1, y1, x2, y2 in segment.findall(content):
        if y1 != y2 or float(y1) % 1 != 0.5:
            continue
        row = int(float(y1))
        for column in range(round(float(x1)), round(float(x2))):
            dark.add((row, column))
    return dark


def _expected_modules(link: str) -> set[tuple[int, int]]:
    qr = segno.make(link, error="m")
    border = 4
    return {(r + border, c + border) for r, line in enumerate(qr.matrix) for c, value in enumerate(line) if value}


def test_a_letter_carries_a_working_code_and_its_qr_code_and_is_neither_cached_nor_stored(app):
    election_id = make_keyed_election(app, people=12, without_email=("1005",))
    _issue(app, election_id)
    secretary = _signed_in(app, Role.SECRETARY, "secretaris@example.org")
    page = secretary.get(_url(election_id)).get_data(as_text=True)
    assert "Print the Dutch letters (1, PDF)" in page

    answer = _post(secretary, election_id, "/letters", {"language": "nl"})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    pdf = answer.get_data()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    codes = set(CODE.findall(text.replace("\n", " ")))
    assert len(codes) == 1, text
    code = codes.pop()
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        assert identity is not None
        booth = re.search(rf"https?://\S+/stem/{identity.uuid}", text)
        assert booth is not None, text
        link = f"{booth.group(0)}#code={code}"
        _, public = derive_credential(code, identity.uuid, bytes.fromhex(identity.manifest_hash))
        assert db.scalars(select(VotingCredential).where(VotingCredential.credential == public.hex())).one()
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "voting_code_letters_printed")).one()
        assert code not in entry.details and code.replace("-", "") not in entry.details
        assert verify_chain(db.scalars(select(AuditEntry).order_by(AuditEntry.seq))) == []
    assert _qr_modules(pdf) == _expected_modules(link)
    assert places_holding(app, code) == []
    assert "Every code has been sent or printed." in secretary.get(_url(election_id)).get_data(as_text=True)


def test_a_letter_on_request_replaces_the_mailed_code_and_a_queued_mail_is_then_not_sent(app):
    election_id = make_keyed_election(app, people=12)
    _issue(app, election_id)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    answer = _post(chair, election_id, "/letter", {"employee_number": "1004"})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    letter_code = CODE.findall(_pdf_text(answer.get_data()).replace("\n", " "))[0]

    sender = _deliver(app)
    assert len(sender.sent) == 11 and "m1004@haven.example" not in {m["To"] for m in sender.sent}
    with app.extensions["stembus_sessions"]() as db:
        row = db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "m1004@haven.example")).one()
        assert (row.status, row.last_error) == ("failed", "not sent: superseded")
    open_voting_now(app, election_id)
    assert _cast(app, election_id, _issued(app, election_id, "1004", letter_code)).status_code == 201


def test_bad_letter_requests_get_a_clear_message_and_change_nothing(app):
    election_id = make_keyed_election(app, people=12)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    unknown = _post(chair, election_id, "/letter", {"employee_number": "9999"})
    assert unknown.status_code == 400
    assert "No voter with this employee number" in unknown.get_data(as_text=True)
    empty = _post(chair, election_id, "/letter", {"employee_number": " "})
    assert empty.status_code == 400 and "Enter the employee number" in empty.get_data(as_text=True)
    not_issued = _post(chair, election_id, "/letter", {"employee_number": "1001"})
    assert not_issued.status_code == 409 and "holds no voting code" in not_issued.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalars(select(CodeDelivery)).all() == []
        assert db.scalars(select(VotingCredential)).all() == []


def test_roles_decide_who_reads_proposes_confirms_and_prints(app):
    election_id = make_keyed_election(app, people=12)
    anonymous = https_client(app)
    assert anonymous.get(_url(election_id)).status_code == 302
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    assert auditor.get(_url(election_id)).status_code == 200
    assert _post(auditor, election_id, "/issue").status_code == 403
    assert _post(auditor, election_id, "/letter", {"employee_number": "1001"}).status_code == 403
    secretary = _signed_in(app, Role.SECRETARY, "secretaris@example.org")
    assert _post(secretary, election_id, "/issue").status_code == 302
    with app.extensions["stembus_sessions"]() as db:
        pending = db.scalars(select(PendingAction)).one()
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    other_secretary = _signed_in(app, Role.SECRETARY, "secretaris2@example.org")
    assert _post(other_secretary, election_id, f"/confirm/{pending.id}").status_code == 403
    assert _outbox(app) == []
    assert _post(chair, election_id, f"/confirm/{pending.id}").status_code == 302
    assert len(_outbox(app)) == 12


def test_the_overview_lists_the_proposal_and_the_dutch_page_renders(app):
    election_id = make_keyed_election(app, people=12)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    _post(chair, election_id, "/issue")
    overview = chair.get(f"/committee/elections/{election_id}/").get_data(as_text=True)
    assert "Issue the voting codes" in overview
    chair.get("/language/nl?next=/")
    page = chair.get(_url(election_id), headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'lang="nl"' in page and "<h1>Stemcodes" in page and "De codes uitgeven" in page
