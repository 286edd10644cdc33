"""Bounce reports read from the sender's mailbox mark the sent mail they name as refused, once."""

from __future__ import annotations

import json
import logging
import mailbox
import re
import secrets
from email.message import EmailMessage, Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from admin.cli import main
from election.db import make_engine, make_session_factory
from election.mail import SMTPMailSender, deliver_pending, queue_message
from election.models import OutboxMessage, Role
from tests.browser.smtp_sink import SmtpSink
from tests.web.delivery_factory import make_keyed_election, places_holding
from tests.web.test_voting_codes_delivery import POLICY, _code_of, _issue, _signed_in

ANNA = "anna@haven.example"
BERT = "bert@haven.example"


@pytest.fixture
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _send_all(sessions: Any, clock: Any) -> list[EmailMessage]:
    """Deliver the outbox through a real SMTP server on loopback; return what it received."""
    with SmtpSink() as sink:
        sender = SMTPMailSender("127.0.0.1", sink.port, from_address="commissie@example.org", timeout=5)
        report = deliver_pending(sessions, sender, clock=clock, policy=POLICY)
        assert report.errors == []
        return sink.received


def _sent_letters(sessions: Any, clock: Any) -> dict[str, EmailMessage]:
    """Two union letters queued and sent; the received mails by recipient."""
    with sessions() as db:
        for key, recipient in (("invite:anna", ANNA), ("invite:bert", BERT)):
            queue_message(
                db,
                dedupe_key=key,
                recipient=recipient,
                subject="Uitnodiging",
                text="Beste vakbond,",
                kind="union_invitation",
                now=clock.now(),
            )
        db.commit()
    return {str(m["To"]): m for m in _send_all(sessions, clock)}


def _report(
    returned: Message | str,
    recipient: str,
    *,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <{}>: Recipient address rejected: no such user",
) -> bytes:
    """A delivery status report (RFC 3464) about ``returned``: a whole mail, or its headers as text."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.haven.example"
    report["To"] = "commissie@example.org"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("Your message could not be delivered to one or more recipients.\n"))
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.haven.example"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    if diagnostic:
        per_recipient["Diagnostic-Code"] = diagnostic.format(recipient)
    fields = Message()
    fields["Content-Type"] = "message/delivery-status"
    fields.set_payload([per_message, per_recipient])
    report.attach(fields)
    report.attach(MIMEMessage(returned) if isinstance(returned, Message) else MIMEText(returned, "rfc822-headers"))
    return report.as_bytes()


def _unrelated() -> bytes:
    mail = EmailMessage()
    mail["From"] = "secretaris@vakbond.example"
    mail["To"] = "commissie@example.org"
    mail["Subject"] = "Re: Uitnodiging"
    mail.set_content("Dank u, wij doen mee. Status 5.1.1 staat nergens.")
    return mail.as_bytes()


def _mailbox(path: Path, kind: str, mails: list[bytes]) -> Path:
    """Put ``mails`` in an mbox file or a Maildir at ``path``."""
    box: mailbox.Mailbox = mailbox.mbox(path) if kind == "mbox" else mailbox.Maildir(path, create=True)
    for raw in mails:
        box.add(raw)
    box.flush()
    box.close()
    return path


def _run(database_url: str, tmp_path: Path, path: Path) -> dict[str, int]:
    env = {
        "STEMBUS_DATABASE_URL": database_url,
        "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48),
        "STEMBUS_INSTANCE_PATH": str(tmp_path / "cli-instance"),
    }
    result = CliRunner().invoke(main, ["mail", "bounces", str(path), "--json"], env=env)
    assert result.exit_code == 0, result.output
    counts: dict[str, int] = json.loads(result.output)
    return counts


def _rows(sessions: Any) -> dict[str, tuple[Any, ...]]:
    with sessions() as db:
        return {
            row.recipient: (row.status, row.last_error, row.sent_at is not None, row.attempts)
            for row in db.scalars(select(OutboxMessage))
        }


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_a_bounce_report_marks_the_sent_mail_refused_and_a_second_run_changes_nothing(
    sessions, clock, database_url, tmp_path, kind
):
    received = _sent_letters(sessions, clock)
    mails = [
        _report(received[ANNA], ANNA),
        _report(received[BERT], BERT, action="delayed", status="4.4.1", diagnostic="smtp; 451 try again later"),
        _report(received[BERT], BERT, action="delivered", status="2.0.0", diagnostic="smtp; 250 ok"),
        _unrelated(),
    ]
    path = _mailbox(tmp_path / kind, kind, mails)

    counts = _run(database_url, tmp_path, path)
    assert counts == {"read": 4, "matched": 1, "bounced": 1, "unmatched": 0, "ignored": 3, "skipped": 0}
    rows = _rows(sessions)
    assert rows[ANNA] == (
        "failed",
        f"bounce 5.1.1: smtp; 550 5.1.1 <{ANNA}>: Recipient address rejected: no such user",
        False,  # like a refusal while sending: a given-up row has no sending time
        1,
    )
    assert rows[BERT] == ("sent", None, True, 1)  # a delay and a delivery are no bounce

    again = _run(database_url, tmp_path, path)
    assert again == {**counts, "bounced": 0}
    assert _rows(sessions) == rows


def test_unknown_messages_count_as_unmatched_and_damaged_mails_are_skipped(sessions, clock, database_url, tmp_path):
    received = _sent_letters(sessions, clock)
    good = _report(received[ANNA], ANNA)
    headers_only = "".join(f"{name}: {value}\n" for name, value in received[BERT].items())
    mails = [
        _report("Message-ID: <0123456789abcdef@example.org>\nSubject: elders\n", ANNA),  # not one of ours
        _report(received[BERT], "iemand.anders@haven.example"),  # ours, but another recipient
        good[: good.index(b"Content-Type: message/delivery-status")],  # cut off before the status
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n\x00\xff\xfe\x80--x",
        bytes(range(256)) * 4,  # no mail at all
        _report(headers_only, BERT, status="5.2.2", diagnostic="smtp; 552 mailbox full"),  # only the headers came back
    ]
    path = _mailbox(tmp_path / "bounces.mbox", "mbox", mails)

    counts = _run(database_url, tmp_path, path)
    assert counts == {"read": 6, "matched": 1, "bounced": 1, "unmatched": 2, "ignored": 1, "skipped": 2}
    rows = _rows(sessions)
    assert rows[ANNA] == ("sent", None, True, 1)
    assert rows[BERT][:2] == ("failed", "bounce 5.2.2: smtp; 552 mailbox full")


def test_a_missing_mailbox_is_a_clear_error(database_url, tmp_path):
    env = {"STEMBUS_DATABASE_URL": database_url, "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48)}
    result = CliRunner().invoke(main, ["mail", "bounces", str(tmp_path / "absent.mbox")], env=env)
    assert result.exit_code != 0 and "does not exist" in result.output
    not_a_maildir = tmp_path / "empty"
    not_a_maildir.mkdir()
    result = CliRunner().invoke(main, ["mail", "bounces", str(not_a_maildir)], env=env)
    assert result.exit_code == 1 and "cannot read the mailbox" in result.output and result.exception is not None
    assert not isinstance(result.exception, OSError)


def _totals(page: str) -> list[int]:
    """The totals row of the codes table: voters, with code, queued, sent, failed, bounced, letters, need letter."""
    foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S)
    assert foot is not None
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", foot.group(1))]


def test_a_bounced_code_mail_puts_the_voter_among_the_bounced_on_the_codes_page(app, database_url, tmp_path, caplog):
    election_id = make_keyed_election(app, people=6)
    _issue(app, election_id)
    sessions = app.extensions["stembus_sessions"]
    received = _send_all(sessions, app.config["CLOCK"])
    assert len(received) == 6
    bounced = received[3]
    code = _code_of(bounced)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    url = f"/committee/elections/{election_id}/voting-codes"
    before = chair.get(url).get_data(as_text=True)
    assert _totals(before) == [6, 6, 0, 6, 0, 0, 0, 0]

    # The whole code mail comes back, code and all, as many servers return it; this one names no
    # server answer, only the status.
    path = _mailbox(tmp_path / "Maildir", "maildir", [_report(bounced, str(bounced["To"]), diagnostic="")])
    with caplog.at_level(logging.DEBUG):
        assert _run(database_url, tmp_path, path)["bounced"] == 1
    assert "bounced after sending" in caplog.text

    page = chair.get(url).get_data(as_text=True)
    assert _totals(page) == [6, 6, 0, 5, 0, 1, 0, 1]
    needing = re.search(r"Voters who need a printed letter.*?</table>", page, re.S)
    assert needing is not None
    with sessions() as db:
        row = db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == str(bounced["To"]))).one()
        assert row.body_text == ""
    assert (row.status, row.last_error) == ("failed", "bounce 5.1.1")
    listed = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>", needing.group(0))
    assert len(listed) == 1 and "e-mail failed" in needing.group(0)
    assert "Send a new code by e-mail" in page
    # The code in the returned mail reached no row and no log line.
    assert places_holding(app, code) == []
    assert code not in caplog.text and code.replace("-", "") not in caplog.text
