"""Reminders to vote: sent by the committee during voting, only to voters who have not voted yet.

Domain section 8 item 19: a reminder goes only to voters who have not voted, using the separate
"has voted" link (:func:`election.turnout.still_to_vote`), never a ballot's content. A reminder is
written in the voter's language and carries no code: it says where to vote with the code from the
letter or e-mail, and to ask the committee for a new one when it is lost.

Reminders go out in numbered rounds. Each voter gets at most one e-mail per round: the outbox's
dedupe key names the round and the voter, so sending a round twice (a double click, two committee
members at once) queues nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.casting import CastRefused, open_identity
from election.code_delivery import LinkFor, language_of
from election.mail import InvalidRecipient, queue_message
from election.models import Election, OutboxMessage
from election.procedure_store import voting_window_of
from election.turnout import still_to_vote
from election.voting_mail_text import reminder_mail

REMINDER_KIND = "voting_reminder"


class ReminderRefused(Exception):
    """No reminders now: ``code`` is ``not_open`` (voting is not open) or ``round`` (not the next round)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReminderOutcome:
    """One round: e-mails queued now, and voters still to vote whom e-mail cannot reach."""

    round: int
    queued: int
    without_email: int


def _prefix(election_id: int) -> str:
    return f"voting-reminder:{election_id}:"


def last_round(db: Session, election_id: int) -> int:
    """The number of the last reminder round sent (0 when none was)."""
    keys = db.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.election_id == election_id,
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.dedupe_key.startswith(_prefix(election_id)),
        )
    )
    return max((int(key.split(":")[2]) for key in keys), default=0)


def send_reminders(
    db: Session, election: Election, round_number: int, actor: str, now: datetime, link_for: LinkFor
) -> ReminderOutcome:
    """Queue round ``round_number`` of reminders to every voter who has not voted yet.

    ``round_number`` is the next round, or the last one again (which then queues only for voters
    it missed). Refused (``ReminderRefused``) while voting is not open, and for any other round.
    """
    try:
        open_identity(db, election.id, now)
    except CastRefused:
        raise ReminderRefused("not_open") from None
    last = last_round(db, election.id)
    if round_number < max(last, 1) or round_number > last + 1:
        raise ReminderRefused("round")
    _, closes = voting_window_of(election)
    round_prefix = f"{_prefix(election.id)}{round_number}:"
    reminded = {
        int(key.rsplit(":", 1)[1])
        for key in db.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(round_prefix)))
    }
    queued = without_email = 0
    for person in still_to_vote(db, election):
        if person.id in reminded:
            continue
        if not person.email:
            without_email += 1
            continue
        language = language_of(person)
        mail = reminder_mail(
            language, name=person.name, organisation=election.organisation, booth_url=link_for(language), closes=closes
        )
        try:
            queue_message(
                db,
                dedupe_key=f"{round_prefix}{person.id}",
                recipient=person.email,
                subject=mail.subject,
                text=mail.text,
                kind=REMINDER_KIND,
                language=language,
                election_id=election.id,
                now=now,
            )
        except InvalidRecipient:
            without_email += 1
            continue
        queued += 1
    audit_log.record(db, actor, "voting_reminders_queued", election.id, round=round_number, queued=queued)
    return ReminderOutcome(round_number, queued, without_email)
