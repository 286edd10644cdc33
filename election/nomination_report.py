"""What the committee learns from the pre-round, the nominees' invitations, and the purge.

The committee sees aggregates only: per nominee the number of nominations, per electoral group and
per department the totals, each count hidden below the round's threshold (domain 7: only counts
above a threshold). Nothing here reads ``nomination_set.nominator_key`` or groups by set, so no
result can say who nominated whom. Colleagues who ticked "I have the OR factor myself" are listed
by name: they said so about themselves, on a form that tells them the committee will see it.

A nominee's invitation says how many colleagues nominated them and quotes the motivations in
alphabetical order, without names; it explains how to stand on a union or a free list with the
deadlines of the timetable, and carries a link to decline further messages.

When candidacy closes the nominations, sets, interest statements and personal links are deleted
and the round's secret is erased; one :class:`NominationSummary` row of counts stays (domain 7;
GDPR storage limitation).
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from election import audit_log
from election import nomination_round as rounds
from election.mail import queue_message
from election.models import (
    Election,
    ElectoralGroup,
    Nomination,
    NominationInterest,
    NominationParticipant,
    NominationRound,
    NominationSet,
    NominationSummary,
    RegisterPerson,
)
from election.nomination_rules import candidacy_closes, shown
from election.procedure import Phase
from election.procedure_store import EFFECTS, timeline_of


@dataclass(frozen=True)
class NomineeCount:
    """One nominee at or above the threshold: name, group, department and number of nominations."""

    participant_id: int
    name: str
    group: str | None
    department: str
    count: int
    has_email: bool
    invited: bool
    declined: bool


@dataclass(frozen=True)
class Bucket:
    """A total per electoral group or department; ``count`` is None when below the threshold."""

    name: str | None
    count: int | None


@dataclass(frozen=True)
class Interested:
    """A colleague who said "I have the OR factor myself"."""

    name: str
    group: str | None
    department: str


@dataclass
class Aggregates:
    """Everything the committee may see about a running or closed round."""

    threshold: int
    participants: int = 0
    nominators: int = 0
    nominations: int = 0
    nominees: int = 0
    ranked: list[NomineeCount] = field(default_factory=list)
    per_group: list[Bucket] = field(default_factory=list)
    per_department: list[Bucket] = field(default_factory=list)
    interested: list[Interested] = field(default_factory=list)

    @property
    def hidden_nominees(self) -> int:
        """Nominees whose count is below the threshold (not shown one by one)."""
        return self.nominees - len(self.ranked)

    @property
    def largest(self) -> int:
        """The highest count shown (for the chart's scale)."""
        return max((n.count for n in self.ranked), default=0)


def _buckets(totals: dict[str | None, int], threshold: int) -> list[Bucket]:
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0] or ""))
    return [Bucket(name, count if shown(count, threshold) else None) for name, count in ordered]


def aggregates(db: Session, election: Election, round_: NominationRound) -> Aggregates:
    """The round's numbers for the committee, small counts hidden (see the module docs)."""
    result = Aggregates(threshold=round_.threshold)
    groups = {g.id: g.name for g in db.scalars(select(ElectoralGroup).where(ElectoralGroup.election_id == election.id))}
    result.participants = int(db.scalar(
        select(func.count()).select_from(NominationParticipant).where(
            NominationParticipant.round_id == round_.id, NominationParticipant.token_hash.is_not(None)
        )
    ) or 0)
    result.nominators = int(db.scalar(
        select(func.count(func.distinct(Nomination.set_id)))
        .join(NominationSet, NominationSet.id == Nomination.set_id)
        .where(NominationSet.round_id == round_.id)
    ) or 0)
    rows = db.execute(
        select(NominationParticipant, RegisterPerson, func.count(Nomination.id))
        .join(Nomination, Nomination.nominee_id == NominationParticipant.id)
        .join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(NominationParticipant.round_id == round_.id)
        .group_by(NominationParticipant.id, RegisterPerson.id)
    ).all()
    per_group: dict[str | None, int] = defaultdict(int)
    per_department: dict[str | None, int] = defaultdict(int)
    for participant, person, count in rows:
        group = groups.get(person.electoral_group_id or 0)
        result.nominations += count
        result.nominees += 1
        per_group[group] += count
        per_department[person.department or None] += count
        if shown(count, round_.threshold):
            result.ranked.append(NomineeCount(
                participant.id, person.name, group, person.department, count, bool(person.email),
                participant.invited_at is not None, participant.opted_out_at is not None,
            ))
    result.ranked.sort(key=lambda n: (-n.count, n.name))
    result.per_group = _buckets(per_group, round_.threshold)
    result.per_department = _buckets(per_department, round_.threshold)
    people = db.scalars(
        select(RegisterPerson)
        .join(NominationParticipant, NominationParticipant.person_id == RegisterPerson.id)
        .join(NominationInterest, NominationInterest.participant_id == NominationParticipant.id)
        .where(NominationParticipant.round_id == round_.id)
        .order_by(RegisterPerson.name)
    )
    result.interested = [Interested(p.name, groups.get(p.electoral_group_id or 0), p.department) for p in people]
    return result


@dataclass(frozen=True)
class InvitationContext:
    """What one nominee's invitation says."""

    organisation: str
    name: str
    count: int
    motivations: tuple[str, ...]
    committee_text: str
    union_opens: date
    union_deadline: date
    free_opens: date
    free_deadline: date
    decline_url: str
    decline_code: str
    forms_url: str


class InvitationRefused(ValueError):
    """The nominee cannot be invited; ``code``: hidden, declined, already, closed or unknown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def invitation_text(context: InvitationContext, locale: str) -> tuple[str, str]:
    """The subject and the text of a nominee's invitation, in ``locale`` (nl or en)."""
    c = context
    with force_locale(locale):
        subject = _("Your colleagues nominated you for the works council of %(organisation)s",
                    organisation=c.organisation)
        parts = [
            _("Dear %(name)s,", name=c.name),
            ngettext(
                "%(num)d colleague nominated you as a candidate for the works council election.",
                "%(num)d colleagues nominated you as a candidate for the works council election.",
                c.count,
            ),
        ]
        if c.motivations:
            parts.append(_("What they wrote (without names; nobody, the committee included, knows who wrote what):")
                         + "\n" + "\n".join(f"- {m}" for m in c.motivations))
        parts += [
            c.committee_text,
            _("The works council speaks for all employees with the management: it has the right to be consulted on "
              "important decisions and must agree to rules on working hours, pay systems, safety and privacy "
              "(WOR arts. 25 and 27). Members are trained and do this work in working time."),
            _("A nomination is not a candidacy and places you on no list. You become a candidate only if you "
              "join a list yourself and consent to it in writing. You can stand in two ways:"),
            _("- on the list of a union: union lists may be submitted from %(opens)s until %(deadline)s; "
              "ask the union;", opens=format_date(c.union_opens, "long"),
              deadline=format_date(c.union_deadline, "long"))
            + "\n"
            + _("- on a free list of colleagues: free lists may be submitted from %(opens)s until %(deadline)s. "
                "The forms will be at %(url)s.", opens=format_date(c.free_opens, "long"),
                deadline=format_date(c.free_deadline, "long"), url=c.forms_url),
            _("Do you want no further messages about this? Open %(url)s and confirm, or enter the code %(code)s "
              "there.", url=c.decline_url, code=c.decline_code),
            _("The election committee"),
        ]
    return str(subject), "\n\n".join(str(p) for p in parts)


@dataclass(frozen=True)
class InvitationLetter:
    """The invitation as a printed letter, for a nominee without an e-mail address."""

    organisation: str
    name: str
    paragraphs: tuple[str, ...]


def invitation_letter(context: InvitationContext, locale: str) -> InvitationLetter:
    """The same text as the e-mail, split into the letter's paragraphs (the greeting included)."""
    _subject, text = invitation_text(context, locale)
    return InvitationLetter(context.organisation, context.name, tuple(text.split("\n\n")))


def _invitation_context(
    db: Session, election: Election, round_: NominationRound, participant: NominationParticipant,
    person: RegisterPerson, token: str, decline_base: str, forms_url: str, locale: str,
) -> InvitationContext:
    timeline = timeline_of(election)
    motivations = db.scalars(
        select(Nomination.motivation).where(Nomination.nominee_id == participant.id, Nomination.motivation != "")
    ).all()
    count = db.scalar(select(func.count()).where(Nomination.nominee_id == participant.id)) or 0
    return InvitationContext(
        organisation=election.organisation, name=person.name, count=int(count),
        motivations=tuple(sorted(motivations)),  # sorted: the order says nothing about who wrote first
        committee_text=round_.invitation_en if locale == "en" else round_.invitation_nl,
        union_opens=timeline["union_candidacy_opens"], union_deadline=timeline["union_lists_deadline"],
        free_opens=timeline["free_candidacy_opens"], free_deadline=timeline["free_lists_deadline"],
        decline_url=rounds.link_url(decline_base, token), decline_code=token, forms_url=forms_url,
    )


def invite_nominee(
    db: Session, election: Election, round_: NominationRound, participant_id: int, actor: str,
    decline_base: str, forms_url: str, today: date, now: datetime,
) -> tuple[InvitationContext, str, bool]:
    """Invite one shown nominee to stand; returns (letter, language, whether it was e-mailed).

    Allowed once the round has closed and until candidacy closes, once per nominee, never to one
    who declined or whose count is below the threshold. A nominee without an e-mail address gets
    a letter the committee prints from the returned context.
    """
    if rounds.status_of(round_, election, today) != "closed" or today > candidacy_closes(timeline_of(election)):
        raise InvitationRefused("closed")
    participant = db.get(NominationParticipant, participant_id)
    if participant is None or participant.round_id != round_.id:
        raise InvitationRefused("unknown")
    count = db.scalar(select(func.count()).where(Nomination.nominee_id == participant.id)) or 0
    if not shown(int(count), round_.threshold):
        raise InvitationRefused("hidden")
    if participant.opted_out_at is not None:
        raise InvitationRefused("declined")
    if participant.invited_at is not None:
        raise InvitationRefused("already")
    person = db.get(RegisterPerson, participant.person_id)
    assert person is not None
    token = secrets.token_urlsafe(rounds.TOKEN_BYTES)
    participant.optout_hash, participant.invited_at = rounds.hash_token(token), now
    locale = rounds.language_of(person)
    context = _invitation_context(db, election, round_, participant, person, token, decline_base, forms_url, locale)
    if person.email:
        subject, text = invitation_text(context, locale)
        queue_message(
            db, dedupe_key=f"nomination-invitation:{round_.id}:{participant.id}", recipient=person.email,
            subject=subject, text=text, kind="nomination_invitation", language=locale, election_id=election.id,
            sensitive=True, now=now,
        )
    db.flush()
    audit_log.record(db, actor, "nominee_invited", election.id, by_email=bool(person.email))
    return context, locale, bool(person.email)


def purge(db: Session, election: Election, round_: NominationRound, actor: str, now: datetime) -> NominationSummary:
    """Delete every nomination and personal link of the round, keeping one row of counts.

    Idempotent: a purged round returns its summary. Runs in the caller's transaction.
    """
    existing = db.scalar(select(NominationSummary).where(NominationSummary.round_id == round_.id))
    if round_.purged_at is not None and existing is not None:
        return existing
    numbers = aggregates(db, election, round_)
    counts = db.execute(
        select(
            func.count(NominationParticipant.invited_at), func.count(NominationParticipant.opted_out_at)
        ).where(NominationParticipant.round_id == round_.id)
    ).one()
    summary = NominationSummary(
        round_id=round_.id, frozen_at=now, participants=numbers.participants, nominators=numbers.nominators,
        nominations=numbers.nominations, nominees=numbers.nominees, nominees_at_threshold=len(numbers.ranked),
        self_nominations=len(numbers.interested), invitations_sent=int(counts[0]), declined=int(counts[1]),
        per_group=json.dumps([{"group": b.name, "nominations": b.count} for b in numbers.per_group]),
    )
    db.add(summary)
    sets = select(NominationSet.id).where(NominationSet.round_id == round_.id)
    participants = select(NominationParticipant.id).where(NominationParticipant.round_id == round_.id)
    db.execute(delete(Nomination).where(Nomination.set_id.in_(sets)))
    db.execute(delete(NominationSet).where(NominationSet.round_id == round_.id))
    db.execute(delete(NominationInterest).where(NominationInterest.participant_id.in_(participants)))
    db.execute(delete(NominationParticipant).where(NominationParticipant.round_id == round_.id))
    round_.secret, round_.purged_at = None, now
    db.flush()
    audit_log.record(
        db, actor, "nominations_purged", election.id, nominations=summary.nominations, nominees=summary.nominees
    )
    return summary


def summary_of(db: Session, round_: NominationRound) -> NominationSummary | None:
    """The frozen counts of a purged round, or None."""
    return db.scalar(select(NominationSummary).where(NominationSummary.round_id == round_.id))


def purge_when_candidacy_closes(db: Session, election: Election, actor: str, now: datetime) -> None:
    """Procedure effect: closing candidacy deletes the nominations (domain 7; GDPR)."""
    round_ = rounds.round_of(db, election.id)
    if round_ is not None and round_.purged_at is None:
        purge(db, election, round_, actor, now)


__all__ = [
    "Aggregates",
    "InvitationContext",
    "InvitationRefused",
    "aggregates",
    "invitation_text",
    "invite_nominee",
    "purge",
    "purge_when_candidacy_closes",
]


# Closing candidacy (the step to list review) deletes the nominations.
EFFECTS.setdefault(Phase.LIST_REVIEW, []).append(purge_when_candidacy_closes)
