"""Outgoing e-mail through the outbox: queued once, delivered once, resumable after a crash.

Queueing. :func:`queue_message` adds a row to ``outbox_message`` inside the caller's transaction, so
a letter exists exactly when the change that caused it is committed. Its unique dedupe key makes
queueing idempotent: the same key queued again returns the first row and changes nothing.

Claiming. :func:`deliver_pending` (run by ``stembus mail send``) claims up to ``batch_size`` due
rows in one short transaction: status ``sending``, a random claim token, ``claimed_at`` and one
more attempt. On PostgreSQL the rows are selected ``FOR UPDATE SKIP LOCKED``, so concurrent
workers take disjoint rows without waiting for each other. On SQLite writers are serialised, and
the claim is a conditional ``UPDATE`` that repeats the selection's condition, so a row another
worker claimed in between is simply not taken. The batch then goes out over one connection.

Before each hand-over the worker renews its claim (a conditional update on its token, committed);
if the claim has been taken over, the message is skipped. Once the mail system accepts the
message, the row is marked ``sent`` (again conditional on the token) and committed at once,
before the next message is sent.

The crash window, and the choice made. If the worker dies after the SMTP server accepted a
message but before the commit that marks it sent, the row stays ``sending``; that cannot be told
apart from a death just before the hand-over. A claim older than ``RetryPolicy.claim_timeout`` is
stale, and its row is delivered again: delivery is at-least-once inside that window of a few
milliseconds, and exactly-once everywhere else (a crash after claiming and before sending, the
usual case, is resumed without any double delivery). We prefer a rare second copy over a lost
letter: a missing voting code or union invitation (which WOR art. 9 lid 2 sub a forbids to skip)
does real harm, an identical second copy does not. The copy carries the same Message-ID header,
derived from the dedupe key, so mail systems and readers can recognise it. The claim timeout is
far longer than the SMTP socket timeout and claims are renewed before each hand-over, so a slow
but living worker is never overtaken. Each claim counts as an attempt, so a message that kills
the worker every time ends ``failed`` instead of looping.

Retries. A temporary failure (a 4xx reply, a lost connection) returns the row to ``pending`` with
an exponential backoff; a 5xx reply or the last allowed attempt makes it ``failed``.

Bounces. A receiving server may refuse a message only after the relay accepted it, and then mails
a bounce report to the sender. ``stembus mail bounces`` reads those reports
(:mod:`election.mail_bounces`) and :func:`record_bounce` gives the named ``sent`` row up just as a
5xx reply would have, so the committee sees the code e-mail as refused by the mail server.

Secrets. Log lines name rows by id and kind only, never recipients, subjects or bodies, and errors
are stored as type and SMTP code (a bounce: its status and the receiving server's answer). A
``sensitive`` row (a voting code) loses its bodies and attachments as soon as it is sent or given up.

Bodies made at the moment of sending. Some letters must not exist in the database even for a
moment in their final form: a voting code is minted only when its e-mail is handed over. For such
a kind, a *body provider* (:data:`BODY_PROVIDERS`) is called right before the hand-over, in its
own transaction, and the message gets the body it returns instead of the stored one; that body is
never written anywhere. A provider may refuse (:class:`BodyUnavailable`): the row is then given
up at once with the reason as its status, and nothing is sent. A kind that names a provider is
never sent with its stored body, even when the provider cannot be loaded.

A job queue such as Huey was not needed: the outbox table already is a durable queue on both
databases, and a polling worker over it has no second queue to keep consistent.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import secrets
import smtplib
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from election.clock import Clock
from election.db import transaction
from election.mail_senders import (
    MailSender,
    MemoryMailSender,
    SMTPMailSender,
    describe_error,
    is_permanent,
    sender_from_config,
)
from election.models.outbox import OutboxAttachment, OutboxMessage

__all__ = [
    "BODY_PROVIDERS",
    "Attachment",
    "BodyUnavailable",
    "DeliveryReport",
    "MailSender",
    "MemoryMailSender",
    "MessageBody",
    "RetryPolicy",
    "SMTPMailSender",
    "deliver_pending",
    "queue_message",
    "record_bounce",
    "run_worker",
    "sender_from_config",
]

log = logging.getLogger("stembus.mail")

# After these the SMTP connection is still usable for the next message.
_REPLY_ERRORS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class InvalidRecipient(ValueError):
    """The address cannot receive mail (not an e-mail address)."""


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently delivery is retried, and when a claim counts as abandoned."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=2)
    claim_timeout: timedelta = timedelta(minutes=15)

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next try after ``attempts`` tries: doubling, capped."""
        return min(self.first_delay * (1 << max(attempts - 1, 0)), self.max_delay)


@dataclass
class DeliveryReport:
    """What one delivery run did, counted per outcome."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MessageBody:
    """A body made by a provider at the moment of sending; it is handed over and never stored."""

    text: str
    html: str | None = None


class BodyUnavailable(Exception):
    """A body provider refuses to make the body; the message is given up with ``reason`` as its status."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


BodyProvider = Callable[[Session, OutboxMessage, datetime], MessageBody]

# Kinds whose body is made at the moment of sending: the provider itself, or "module:function",
# loaded on first use (so this module imports none of them).
BODY_PROVIDERS: dict[str, BodyProvider | str] = {
    "voting_code": "election.code_delivery:voting_code_body",
}


def _provided_body(session: Session, row: OutboxMessage, now: datetime) -> MessageBody | None:
    """The body made now by the provider of ``row.kind``, or None for kinds sent as stored."""
    provider = BODY_PROVIDERS.get(row.kind)
    if provider is None:
        return None
    if isinstance(provider, str):
        module, _, name = provider.partition(":")
        try:
            provider = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            raise BodyUnavailable("no_provider") from None
        assert callable(provider)
        BODY_PROVIDERS[row.kind] = provider
    return provider(session, row, now)


def _describe(error: BaseException) -> str:
    if isinstance(error, BodyUnavailable):
        return f"not sent: {error.reason}"
    return describe_error(error)


def message_id_for(dedupe_key: str) -> str:
    """The stable local part of the Message-ID of the letter queued under ``dedupe_key``."""
    return hashlib.sha256(b"stembus/v1/message-id\0" + dedupe_key.encode()).hexdigest()[:40]


def queue_message(
    db: Session,
    *,
    dedupe_key: str,
    recipient: str,
    subject: str,
    text: str,
    kind: str,
    language: str = "nl",
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    election_id: int | None = None,
    sensitive: bool = False,
    now: datetime | None = None,
) -> OutboxMessage:
    """Queue one e-mail in the caller's transaction; never twice under the same ``dedupe_key``.

    Returns the queued row, or the row queued earlier under the same key (unchanged: the first
    letter wins). Raises :class:`InvalidRecipient` when ``recipient`` is not an e-mail address.
    """
    try:
        address = validate_email(recipient, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidRecipient(str(error)) from error
    if "\n" in subject or "\r" in subject:
        raise ValueError("a subject is one line")
    moment = now or datetime.now(UTC)
    values = {
        "election_id": election_id,
        "dedupe_key": dedupe_key,
        "message_id": message_id_for(dedupe_key),
        "kind": kind,
        "recipient": address,
        "language": language,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "sensitive": sensitive,
        "status": "pending",
        "attempts": 0,
        "created_at": moment,
        "next_attempt_at": moment,
    }
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    new_id = db.execute(statement).scalar_one_or_none()
    if new_id is not None:
        for item in attachments:
            db.add(OutboxAttachment(
                message_id=new_id, filename=item.filename, content_type=item.content_type, content=item.content
            ))
        db.flush()
        log.info("queued outbox message %s (%s)", new_id, kind)
    return db.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()


def _due(now: datetime, policy: RetryPolicy):  # type: ignore[no-untyped-def]
    """Rows ready to send: pending and due, or claimed so long ago that the claimer is gone."""
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - policy.claim_timeout),
    )


def claim_batch(
    session_factory: sessionmaker[Session], batch_size: int, now: datetime, policy: RetryPolicy
) -> tuple[str, list[int]]:
    """Claim up to ``batch_size`` due rows for this worker; return its claim token and the row ids."""
    token = secrets.token_hex(16)
    with transaction(session_factory) as session:
        query = select(OutboxMessage.id).where(_due(now, policy)).order_by(OutboxMessage.id).limit(batch_size)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidates = list(session.scalars(query))
        if candidates:
            # On SQLite the repeated condition is the claim: a row taken meanwhile no longer matches.
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidates), _due(now, policy))
                .values(status="sending", claim_token=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            )
        claimed = list(session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
        ))
    return token, claimed


def _renew(session_factory: sessionmaker[Session], row_id: int, token: str, now: datetime) -> bool:
    with transaction(session_factory) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token, OutboxMessage.status == "sending")
            .values(claimed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _build(row: OutboxMessage, from_address: str, now: datetime, body: MessageBody | None = None) -> EmailMessage:
    domain = from_address.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{row.message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.text if body is not None else row.body_text)
    html = body.html if body is not None else row.body_html
    if html:
        message.add_alternative(html, subtype="html")
    for item in row.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=item.filename)
    # Last: setting the body drops Content-* headers and adding a part moves them into it.
    message["Content-Language"] = row.language
    return message


def _finish(
    session_factory: sessionmaker[Session],
    row_id: int,
    token: str,
    now: datetime,
    policy: RetryPolicy,
    error: BaseException | None,
) -> str:
    """Record the outcome of one hand-over; return the row's new status."""
    with transaction(session_factory) as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claim_token == token)
        ).one_or_none()
        if row is None:
            return "skipped"
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
            _drop_sensitive_content(session, row)
        elif isinstance(error, BodyUnavailable) or is_permanent(error) or row.attempts >= policy.max_attempts:
            _give_up(session, row, _describe(error))
        else:
            row.status, row.last_error = "pending", _describe(error)
            row.next_attempt_at = now + policy.delay(row.attempts)
        row.claim_token = None
        row.claimed_at = None
        return row.status


def _drop_sensitive_content(session: Session, row: OutboxMessage) -> None:
    if row.sensitive:
        row.body_text, row.body_html = "", None
        session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id == row.id))


def _give_up(session: Session, row: OutboxMessage, reason: str) -> None:
    """Mark ``row`` failed for good, with ``reason``; a sensitive row loses its bodies.

    For a refusal by the mail system (a 5xx while sending, or a bounce report later), a body that
    may not be made, or the last allowed attempt.
    """
    row.status, row.last_error, row.sent_at = "failed", reason, None
    _drop_sensitive_content(session, row)


def record_bounce(db: Session, message_id: str, recipients: Collection[str], reason: str) -> str:
    """Mark a sent message as refused for good, as a 5xx while sending would, when a bounce report names it.

    The report must name both the message's Message-ID (its local part) and its recipient (lower
    case in ``recipients``), so a report about another mail changes nothing. Returns ``"bounced"``
    when the row changed, ``"matched"`` when it was already given up or is not sent (running the
    same reports again changes nothing), ``"unmatched"`` when no message fits.
    """
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.message_id == message_id)).one_or_none()
    if row is None or row.recipient.lower() not in recipients:
        return "unmatched"
    if row.status != "sent":
        return "matched"
    _give_up(db, row, reason)
    log.warning("outbox message %s (%s): bounced after sending, now failed", row.id, row.kind)
    return "bounced"


def _release(session_factory: sessionmaker[Session], ids: Sequence[int], token: str) -> None:
    """Give back claimed rows that were never handed over, without counting an attempt."""
    if not ids:
        return
    with transaction(session_factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.claim_token == token, OutboxMessage.status == "sending")
            .values(status="pending", claim_token=None, claimed_at=None, attempts=OutboxMessage.attempts - 1)
        )


def _tally(report: DeliveryReport, status: str) -> None:
    if status == "sent":
        report.sent += 1
    elif status == "pending":
        report.retrying += 1
    elif status == "failed":
        report.failed += 1
    else:
        report.skipped += 1


def deliver_pending(
    session_factory: sessionmaker[Session],
    sender: MailSender,
    batch_size: int = 50,
    *,
    clock: Clock | None = None,
    policy: RetryPolicy | None = None,
) -> DeliveryReport:
    """Send one batch of due outbox messages over one connection and record each outcome.

    Safe to run in several workers at once and to re-run after a crash; see the module
    documentation for the one window in which a message may be delivered a second time.
    """
    clock = clock or Clock()
    policy = policy or RetryPolicy()
    report = DeliveryReport()
    token, ids = claim_batch(session_factory, batch_size, clock.now(), policy)
    report.claimed = len(ids)
    if not ids:
        return report
    remaining = list(ids)
    try:
        with sender.connect() as connection:
            while remaining:
                row_id = remaining[0]
                if not _renew(session_factory, row_id, token, clock.now()):
                    remaining.pop(0)
                    report.skipped += 1
                    continue
                error: Exception | None = None
                message: EmailMessage | None = None
                with session_factory() as session:
                    row = session.get(OutboxMessage, row_id)
                    assert row is not None
                    kind = row.kind
                    try:
                        body = _provided_body(session, row, clock.now())
                        message = _build(row, sender.from_address, clock.now(), body)
                    except BodyUnavailable as refusal:
                        error = refusal
                remaining.pop(0)
                if message is not None:
                    try:
                        connection.send(message)
                    except Exception as failure:  # every mail-system failure is recorded on the row
                        error = failure
                status = _finish(session_factory, row_id, token, clock.now(), policy, error)
                _tally(report, status)
                if error is not None:
                    report.errors.append(_describe(error))
                    log.warning("outbox message %s (%s): %s, now %s", row_id, kind, _describe(error), status)
                    if not isinstance(error, (*_REPLY_ERRORS, BodyUnavailable)):
                        break  # the connection itself is in doubt: give the rest back and stop
                else:
                    log.info("outbox message %s (%s) sent", row_id, kind)
    except Exception as failure:  # could not connect, or the connection broke while closing
        report.errors.append(describe_error(failure))
        log.warning("mail connection failed: %s", describe_error(failure))
        for row_id in remaining:
            _tally(report, _finish(session_factory, row_id, token, clock.now(), policy, failure))
        remaining = []
    finally:
        # Also on a crash-like interruption: rows never handed over go back without an attempt.
        _release(session_factory, remaining, token)
    return report


def run_worker(
    session_factory: sessionmaker[Session],
    sender: MailSender,
    *,
    batch_size: int = 50,
    poll_interval: float = 5.0,
    clock: Clock | None = None,
    policy: RetryPolicy | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_report: Callable[[DeliveryReport], None] | None = None,
) -> None:
    """Deliver batches until ``should_stop()``; wait ``poll_interval`` seconds when nothing is due."""
    while not should_stop():
        report = deliver_pending(session_factory, sender, batch_size, clock=clock, policy=policy)
        if on_report is not None and report.claimed:
            on_report(report)
        if report.claimed < batch_size:
            slept = 0.0
            while slept < poll_interval and not should_stop():
                time.sleep(min(0.5, poll_interval - slept))
                slept += 0.5


def outbox_counts(db: Session, election_id: int | None = None) -> dict[str, int]:
    """How many messages are in each status (for one election when ``election_id`` is given)."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if election_id is not None:
        query = query.where(OutboxMessage.election_id == election_id)
    counts = {status: 0 for status in ("pending", "sending", "sent", "failed")}
    counts.update({status: int(n) for status, n in db.execute(query)})
    return counts
