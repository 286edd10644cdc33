"""Where the voting codes stand, per electoral group: who holds one and how it reached them.

Each voter counts once, by their newest delivery (:class:`~election.models.delivery.CodeDelivery`):
an e-mail still queued, sent, failed, or refused by the receiving mail server ("bounced": a 5xx
answer while sending, or a bounce report read later by ``stembus mail bounces``), or a printed
letter. Voters with a code but without a working delivery (no e-mail address, an e-mail that
failed or bounced) need a printed letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from election.code_delivery import language_of
from election.models import Election, OutboxMessage, RegisterPerson
from election.models.delivery import CodeDelivery
from election.models.voting import CredentialHolder, VotingCredential
from election.voting_codes import group_key, identity_of, manifest_of

# A permanent refusal in a stored error: an SMTP reply code of the 5xx class while sending
# ("SMTPRecipientsRefused [550]") or the 5.x.x status of a later bounce report ("bounce 5.1.1").
_PERMANENT = re.compile(r"\b5\d\d\b|\b5\.\d{1,3}\.\d{1,3}\b")


@dataclass
class GroupDelivery:
    """The codes of one electoral group (or of all groups together)."""

    name: str
    voters: int = 0
    with_code: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    letters: int = 0
    need_letter: int = 0

    def add(self, other: GroupDelivery) -> None:
        """Add another group's numbers to these."""
        for name in ("voters", "with_code", "queued", "sent", "failed", "bounced", "letters", "need_letter"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class LetterNeeded:
    """A voter whose code has not reached them and who needs a printed letter; ``reason`` says why."""

    person_id: int
    name: str
    employee_number: str
    group: str
    language: str
    reason: str  # "no_email", "mail_failed", "not_delivered"


@dataclass
class DeliveryOverview:
    """The codes of an election per group, in total, and the voters who need a letter."""

    groups: list[GroupDelivery]
    total: GroupDelivery
    needing_letters: list[LetterNeeded] = field(default_factory=list)

    @property
    def without_code(self) -> int:
        """Voters with an active voting right who hold no code yet."""
        return self.total.voters - self.total.with_code


def _mail_outcome(status: str | None, last_error: str | None) -> str:
    if status in ("pending", "sending"):
        return "queued"
    if status == "sent":
        return "sent"
    return "bounced" if _PERMANENT.search(last_error or "") else "failed"


def delivery_overview(db: Session, election: Election) -> DeliveryOverview:
    """Voters, codes and deliveries per electoral group that holds a vote (all groups before issuing)."""
    identity = identity_of(db, election.id)
    voting = {g["id"] for g in manifest_of(identity)["groups"]} if identity is not None else None
    groups = {g.id: GroupDelivery(g.name) for g in election.groups if voting is None or group_key(g) in voting}
    people = db.scalars(
        select(RegisterPerson)
        .where(RegisterPerson.election_id == election.id, RegisterPerson.active.is_(True))
        .where(RegisterPerson.electoral_group_id.in_(list(groups)))
        .order_by(RegisterPerson.name, RegisterPerson.id)
    )
    live = set(
        db.scalars(
            select(CredentialHolder.person_id)
            .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
            .where(CredentialHolder.election_id == election.id, VotingCredential.revoked.is_(False))
        )
    )
    latest: dict[int, tuple[str, str | None, str | None]] = {}
    for person_id, channel, status, last_error in db.execute(
        select(CodeDelivery.person_id, CodeDelivery.channel, OutboxMessage.status, OutboxMessage.last_error)
        .outerjoin(OutboxMessage, OutboxMessage.id == CodeDelivery.outbox_message_id)
        .where(CodeDelivery.election_id == election.id)
        .order_by(CodeDelivery.id)
    ):
        latest[person_id] = (channel, status, last_error)
    overview = DeliveryOverview(list(groups.values()), GroupDelivery(""))
    for person in people:
        counts = groups[person.electoral_group_id or 0]
        counts.voters += 1
        if person.id not in live:
            continue
        counts.with_code += 1
        reason = None
        if person.id not in latest:
            reason = "not_delivered" if person.email else "no_email"
        elif latest[person.id][0] == "letter":
            counts.letters += 1
        else:
            outcome = _mail_outcome(latest[person.id][1], latest[person.id][2])
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            reason = "mail_failed" if outcome in ("failed", "bounced") else None
        if reason is not None:
            counts.need_letter += 1
            overview.needing_letters.append(
                LetterNeeded(person.id, person.name, person.employee_number, counts.name, language_of(person), reason)
            )
    for counts in overview.groups:
        overview.total.add(counts)
    return overview
