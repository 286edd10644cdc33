"""The announcement (bekendmaking) and the union invitations, always built from current election data.

WOR art. 9 lid 2 sub a gives every union with members in the company the right to submit lists,
so the invitation can never be skipped: :func:`send_union_invitations` queues one e-mail with the
letter as PDF per union that has an address, and names the unions that must get a paper letter. A
union has no language of its own, so its e-mail and letter come in Dutch and English, Dutch first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from election.documents import render_pdf
from election.mail import Attachment, queue_message
from election.models import Election, ElectoralGroup, OutboxMessage, TradeUnion
from election.procedure_store import timeline_of
from election.regulation import Regulation
from election.timeline import Step, Timeline, voting_window


@dataclass(frozen=True)
class GroupSeats:
    """One electoral group (kiesgroep) with its seats."""

    name: str
    seats: int
    earmarked_seats: int = 0
    earmark_unit_field: str | None = None  # "department" or "location" (domain 4.3)
    earmark_unit_value: str | None = None


@dataclass(frozen=True)
class AnnouncementContext:
    """Everything the announcement says, taken from the election and its timetable."""

    election_id: int
    organisation: str
    seats: int
    electoral_system: Literal["list", "person"]
    votes_per_voter: int | None
    groups: tuple[GroupSeats, ...]
    regulation: Regulation
    timeline: Timeline
    voting_opens_at: datetime
    voting_closes_at: datetime
    contact: str | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        """The dated steps of the timetable, in date order."""
        return self.timeline.steps

    def date(self, key: str) -> date | None:
        """The date of timetable step ``key`` (None when the timetable has no such step)."""
        return self.timeline.get(key)

    @property
    def voting_period(self) -> bool:
        """True when voting lasts more than one day."""
        return self.timeline["voting_closes"] != self.timeline["voting_opens"]


@dataclass(frozen=True)
class UnionInvitationContext:
    """The letter to one union: the announcement's facts plus the union's name and address."""

    announcement: AnnouncementContext
    union_id: int
    union_name: str
    union_email: str | None
    union_postal_address: str | None

    @property
    def max_list_length(self) -> int:
        """The longest list the regulation allows (the number of seats when it sets none)."""
        return self.announcement.regulation.max_list_length or self.announcement.seats


@dataclass(frozen=True)
class InvitationOutcome:
    """What :func:`send_union_invitations` did for each union."""

    queued: tuple[TradeUnion, ...]
    already_queued: tuple[TradeUnion, ...]
    paper_letters: tuple[TradeUnion, ...]


def announcement_context(
    db: Session, election: Election, timeline: Timeline | None = None, *, contact: str | None = None
) -> AnnouncementContext:
    """Build the announcement of ``election`` from its current data (and its timetable by default).

    ``db`` is the session ``election`` belongs to (its electoral groups are read through it, pending
    changes included). ``contact`` is the address where staff and unions reach the committee.
    """
    groups = db.scalars(
        select(ElectoralGroup).where(ElectoralGroup.election_id == election.id).order_by(ElectoralGroup.position)
    )
    timeline = timeline or timeline_of(election)
    opens_at, closes_at = voting_window(timeline)
    system: Literal["list", "person"] = "person" if election.electoral_system == "person" else "list"
    return AnnouncementContext(
        election_id=election.id,
        organisation=election.organisation,
        seats=election.seats,
        electoral_system=system,
        votes_per_voter=election.votes_per_voter,
        groups=tuple(
            GroupSeats(g.name, g.seats, g.earmarked_seats, g.earmark_unit_field, g.earmark_unit_value) for g in groups
        ),
        regulation=timeline.regulation,
        timeline=timeline,
        voting_opens_at=opens_at,
        voting_closes_at=closes_at,
        contact=contact,
    )


def union_invitation_context(announcement: AnnouncementContext, union: TradeUnion) -> UnionInvitationContext:
    """The invitation letter for ``union``, with the facts of ``announcement``."""
    return UnionInvitationContext(
        announcement=announcement,
        union_id=union.id,
        union_name=union.name,
        union_email=union.email,
        union_postal_address=union.postal_address,
    )


def invitation_version(invitation: UnionInvitationContext) -> str:
    """A short fingerprint of what the letter promises: a new timetable or address makes a new letter."""
    a = invitation.announcement
    facts = [
        a.organisation,
        a.regulation.version,
        *(f"{s.key}={s.date.isoformat()}" for s in a.steps),
        invitation.union_name,
        invitation.union_email or "",
        invitation.max_list_length,
    ]
    return hashlib.sha256("\n".join(map(str, facts)).encode()).hexdigest()[:16]


def invitation_filename(invitation: UnionInvitationContext, locale: str) -> str:
    """The file name of the letter as PDF (plain ASCII)."""
    with force_locale(locale):
        stem = _("union-invitation")
    return f"{stem}-{invitation.announcement.election_id}-{invitation.union_id}.pdf"


# A union is an organisation without a language of its own: it gets the letter in both languages.
INVITATION_LANGUAGES = ("nl", "en")


def _invitation_text(election: Election, union: TradeUnion, announcement: AnnouncementContext, locale: str) -> str:
    """The text of the invitation e-mail in ``locale``."""
    with force_locale(locale):
        return str(
            _(
                "Dear %(union)s,\n\nThe election committee of %(organisation)s invites your union to submit "
                "candidate lists for the works council election. Union lists must reach the committee no later "
                "than %(deadline)s. The attached letter sets out the conditions and the timetable.\n\n"
                "The election committee",
                union=union.name,
                organisation=election.organisation,
                deadline=format_date(announcement.date("union_lists_deadline"), "long"),
            )
        )


def bilingual_invitation_mail(
    election: Election, union: TradeUnion, announcement: AnnouncementContext
) -> tuple[str, str]:
    """Subject and text of the invitation e-mail in Dutch, then English (a union has no language of its own).

    The subject names the organisation once, so it stays one short line however long the name is.
    """
    titles = []
    for locale in INVITATION_LANGUAGES:
        with force_locale(locale):
            titles.append(str(_("Invitation to submit candidate lists")))
    subject = f"{' / '.join(titles)}: {election.organisation}"
    texts = [_invitation_text(election, union, announcement, locale) for locale in INVITATION_LANGUAGES]
    return subject, "\n\n-----\n\n".join(texts)


def send_union_invitations(
    db: Session, election: Election, timeline: Timeline | None = None, *, contact: str | None = None
) -> InvitationOutcome:
    """Queue the invitation to every union with an e-mail address, in Dutch and English (Dutch first).

    The union register holds no language for a union, so the e-mail carries both texts and the
    letter is attached as PDF in both languages. Idempotent: the dedupe key is election + union + a
    fingerprint of the letter's facts, so a second call queues nothing new unless the timetable or
    the union's address changed (then the union gets the new letter). Unions without an e-mail
    address are returned in ``paper_letters``: the committee must post those. Runs in the caller's
    transaction.
    """
    announcement = announcement_context(db, election, timeline, contact=contact)
    queued: list[TradeUnion] = []
    already: list[TradeUnion] = []
    paper: list[TradeUnion] = []
    for union in election.unions:
        if not union.email:
            paper.append(union)
            continue
        invitation = union_invitation_context(announcement, union)
        key = f"union-invitation:{election.id}:{union.id}:{invitation_version(invitation)}"
        if db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
            already.append(union)
            continue
        subject, text = bilingual_invitation_mail(election, union, announcement)
        letters = [
            Attachment(
                invitation_filename(invitation, locale),
                "application/pdf",
                render_pdf("union_invitation", invitation, locale),
            )
            for locale in INVITATION_LANGUAGES
        ]
        queue_message(
            db,
            dedupe_key=key,
            recipient=union.email,
            subject=subject,
            text=text,
            kind="union_invitation",
            language=INVITATION_LANGUAGES[0],
            election_id=election.id,
            attachments=letters,
        )
        queued.append(union)
    return InvitationOutcome(tuple(queued), tuple(already), tuple(paper))


def queue_union_link_mail(db: Session, election: Election, union: TradeUnion, url: str) -> OutboxMessage:
    """Queue the e-mail that gives ``union`` its personal link to submit lists, in Dutch and English.

    Like the invitation it follows no committee member's language: Dutch first, then English. The
    link lets the union submit, so the message is sensitive (its body is dropped once sent).
    """
    titles, texts = [], []
    for locale in INVITATION_LANGUAGES:
        with force_locale(locale):
            titles.append(str(_("Your link to submit candidate lists")))
            texts.append(
                str(
                    _(
                        "Dear %(union)s,\n\nWith this personal link your union submits its candidate lists for the "
                        "works council election of %(org)s:\n\n%(url)s\n\nThe election committee",
                        union=union.name,
                        org=election.organisation,
                        url=url,
                    )
                )
            )
    return queue_message(
        db,
        dedupe_key=f"union-link:{election.id}:{union.id}:{url[-12:]}",
        recipient=union.email or "",
        subject=f"{' / '.join(titles)}: {election.organisation}",
        text="\n\n-----\n\n".join(texts),
        kind="union_link",
        language=INVITATION_LANGUAGES[0],
        election_id=election.id,
        sensitive=True,
    )
