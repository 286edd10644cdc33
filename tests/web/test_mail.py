"""The outbox delivers every letter once, through a real SMTP server on the loopback interface."""

from __future__ import annotations

import email
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from election.db import make_engine, make_session_factory
from election.mail import (
    Attachment,
    InvalidRecipient,
    MemoryMailSender,
    RetryPolicy,
    SMTPMailSender,
    claim_batch,
    deliver_pending,
    outbox_counts,
    queue_message,
)
from election.models import OutboxAttachment, OutboxMessage

POLICY = RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1), claim_timeout=timedelta(minutes=15))


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or answers every DATA with ``reply``."""

    def __init__(self, reply: str | None = None) -> None:
        self.reply = reply
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.reply:
            return self.reply
        self.received.append(email.message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A local SMTP server on a free loopback port; yields its mailbox and port."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _sender(port: int) -> SMTPMailSender:
    return SMTPMailSender("127.0.0.1", port, from_address="commissie@example.org", timeout=5)


def _queue(sessions, clock, key="invite:1", **extra):  # type: ignore[no-untyped-def]
    fields = {
        "dedupe_key": key,
        "recipient": "secretaris@vakbond.example",
        "subject": "Uitnodiging",
        "text": "Beste vakbond,",
        "kind": "union_invitation",
        "now": clock.now(),
    }
    fields.update(extra)
    with sessions() as db:
        row = queue_message(db, **fields)
        db.commit()
        return row.id


def _row(sessions, row_id):  # type: ignore[no-untyped-def]
    with sessions() as db:
        return db.get(OutboxMessage, row_id)


def test_queued_letter_is_delivered_once_with_its_attachment(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    pdf = Attachment("uitnodiging.pdf", "application/pdf", b"%PDF-1.7 test")
    row_id = _queue(sessions, clock, html="<p>Beste vakbond,</p>", attachments=[pdf])

    report = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    again = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)

    assert (report.sent, again.claimed) == (1, 0)
    assert len(mailbox.received) == 1
    letter = mailbox.received[0]
    assert letter["To"] == "secretaris@vakbond.example"
    assert letter["Message-ID"].endswith("@example.org>")
    assert [part.get_filename() for part in letter.iter_attachments()] == ["uitnodiging.pdf"]
    row = _row(sessions, row_id)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 1, None)


def test_the_same_dedupe_key_is_never_queued_twice(sessions, clock):
    first = _queue(sessions, clock, subject="Eerste")
    second = _queue(sessions, clock, subject="Tweede")
    assert first == second
    with sessions() as db:
        assert db.scalars(select(OutboxMessage.subject)).all() == ["Eerste"]


def test_a_crash_after_claiming_is_resumed_without_double_delivery(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    row_id = _queue(sessions, clock)
    claim_batch(sessions, 10, clock.now(), POLICY)  # the worker dies right after claiming

    early = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    assert early.claimed == 0, "a fresh claim is not taken over"
    clock.advance(POLICY.claim_timeout + timedelta(seconds=1))
    resumed = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)

    assert resumed.sent == 1
    assert len(mailbox.received) == 1
    assert _row(sessions, row_id).status == "sent"


class Crash(BaseException):
    """Stands for the process dying (kill, power cut) in the middle of a batch."""


class CrashingSender(MemoryMailSender):
    def send(self, message):  # type: ignore[no-untyped-def]
        raise Crash


def test_a_crash_while_sending_gives_back_the_rest_and_resumes_the_message_in_doubt(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    in_doubt = _queue(sessions, clock, key="a")
    untouched = _queue(sessions, clock, key="b")

    with pytest.raises(Crash):
        deliver_pending(sessions, CrashingSender(), clock=clock, policy=POLICY)
    assert _row(sessions, in_doubt).status == "sending"
    assert (_row(sessions, untouched).status, _row(sessions, untouched).attempts) == ("pending", 0)

    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    assert [m["Message-ID"] for m in mailbox.received] == [f"<{_row(sessions, untouched).message_id}@example.org>"]
    clock.advance(POLICY.claim_timeout + timedelta(seconds=1))
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    assert len(mailbox.received) == 2
    assert {_row(sessions, in_doubt).status, _row(sessions, untouched).status} == {"sent"}


def test_a_failing_server_is_retried_with_backoff_then_the_message_fails(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    mailbox.reply = "451 4.3.0 Try again later"
    row_id = _queue(sessions, clock)

    first = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    row = _row(sessions, row_id)
    assert (first.retrying, row.status, row.attempts) == (1, "pending", 1)
    assert deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY).claimed == 0, "backoff is respected"
    clock.advance(timedelta(minutes=1))
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    clock.advance(timedelta(minutes=2))
    last = deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)

    row = _row(sessions, row_id)
    assert (last.failed, row.status, row.attempts) == (1, "failed", 3)
    assert "451" in row.last_error
    clock.advance(timedelta(days=1))
    assert deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY).claimed == 0
    assert mailbox.received == []


def test_a_permanent_refusal_fails_at_once(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    mailbox.reply = "550 5.1.1 No such mailbox"
    row_id = _queue(sessions, clock)
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    row = _row(sessions, row_id)
    assert (row.status, row.attempts) == ("failed", 1)


def test_an_unreachable_server_counts_as_a_failed_attempt(sessions, clock):
    row_id = _queue(sessions, clock)
    report = deliver_pending(sessions, _sender(_free_port()), clock=clock, policy=POLICY)
    row = _row(sessions, row_id)
    assert (report.retrying, row.status, row.attempts) == (1, "pending", 1)
    assert row.next_attempt_at is not None


def test_a_sensitive_message_keeps_no_body_once_sent(sessions, clock, smtp_server):
    mailbox, port = smtp_server
    secret = "CODE-7Q4X-PLMN"
    row_id = _queue(sessions, clock, text=f"Uw stemcode: {secret}", sensitive=True,
                    attachments=[Attachment("brief.pdf", "application/pdf", secret.encode())])
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    assert secret in mailbox.received[0].get_body(("plain",)).get_content()
    row = _row(sessions, row_id)
    assert (row.status, row.body_text, row.body_html) == ("sent", "", None)
    with sessions() as db:
        assert db.scalars(select(OutboxAttachment)).all() == []


def test_log_lines_never_show_recipient_subject_or_body(sessions, clock, smtp_server, caplog):
    mailbox, port = smtp_server
    mailbox.reply = "451 busy"
    caplog.set_level(logging.DEBUG, logger="stembus.mail")
    _queue(sessions, clock, text="Uw stemcode: SECRET-CODE", subject="Stemcode")
    deliver_pending(sessions, _sender(port), clock=clock, policy=POLICY)
    logged = caplog.text
    assert "outbox message" in logged
    for private in ("SECRET-CODE", "secretaris@vakbond.example", "Stemcode"):
        assert private not in logged


def test_several_workers_at_once_send_each_message_exactly_once(sessions, clock):
    for n in range(30):
        _queue(sessions, clock, key=f"bulk:{n}")
    senders = [MemoryMailSender("commissie@example.org") for _ in range(4)]
    problems: list[BaseException] = []

    def work(sender: MemoryMailSender) -> None:
        try:
            while deliver_pending(sessions, sender, 5, clock=clock, policy=POLICY).claimed:
                pass
        except BaseException as error:  # reported below, never swallowed
            problems.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert problems == []
    ids = [m["Message-ID"] for s in senders for m in s.sent]
    assert len(ids) == 30
    assert len(set(ids)) == 30
    with sessions() as db:
        assert outbox_counts(db)["sent"] == 30


def test_an_address_that_is_not_one_is_refused(sessions, clock):
    with pytest.raises(InvalidRecipient):
        _queue(sessions, clock, recipient="not an address")
