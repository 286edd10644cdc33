"""Publishing the candidate lists, objections against them, the no-vote rule and the ballot preview.

All lists are published at one moment (SER Q&A): the step LISTS_PUBLISHED is refused before every
repair window has ended and while any list is unjudged, and it numbers the valid lists. After the
objection window the lists become final; a group whose valid candidates do not exceed its seats
holds no vote (domain 2.1 step 8b). This module registers those rules with the procedure store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from election import audit_log
from election.ballot_layout import BallotLayout, ListedCandidate, PublishedList, ballot_for_group
from election.clock import dutch_date
from election.list_review import active, lists_of, record_decision, repair_deadlines, strike
from election.models import (
    Candidacy,
    CandidateList,
    Election,
    ElectoralGroup,
    ListObjection,
    RegisterPerson,
    TradeUnion,
)
from election.procedure import Phase
from election.procedure_store import EFFECTS, PRECONDITIONS, regulation_of, timeline_of

MAX_OBJECTION = 4000


class ObjectionRefused(Exception):
    """An objection that cannot be filed or decided: ``code`` says why."""

    def __init__(self, code: str, deadline: date | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.deadline = deadline


# ---- publication ----------------------------------------------------------------------------


def publication_problems(db: Session, election: Election, today: date) -> list[str]:
    """Why the lists cannot be published today (empty when they can)."""
    problems: list[str] = []
    ends = [timeline_of(election, today)["repair_deadline"], *repair_deadlines(db, election)]
    last = max(ends)
    if today <= last:
        problems.append(f"the repair window runs until {last.isoformat()}; publication is possible from the day after")
    unjudged = [lst.name for lst in lists_of(db, election.id) if lst.status not in ("valid", "invalid")]
    if unjudged:
        problems.append(f"{len(unjudged)} list(s) not yet judged valid or invalid: {', '.join(unjudged)}")
    return problems


def _number_lists(db: Session, election: Election, actor: str, now: datetime) -> None:
    # One moment for all lists (SER Q&A); list numbers follow the order in which lists were received.
    valid = [lst for lst in lists_of(db, election.id) if lst.status == "valid"]
    valid.sort(key=lambda lst: (lst.received_on, lst.submitted_at, lst.id))
    for number, lst in enumerate(valid, start=1):
        lst.number = number
        lst.published_at = now
    db.flush()
    record_decision(
        db,
        election,
        "lists_published",
        f"{len(valid)} list(s) published together",
        actor,
        now,
        numbers={lst.number: lst.name for lst in valid},
    )


# ---- objections against published lists ----------------------------------------------------


def objection_deadline(election: Election) -> date:
    """The last day to object to a published list or candidate."""
    return timeline_of(election)["list_objection_end"]


def file_objection(
    db: Session,
    election: Election,
    lst: CandidateList,
    candidacy: Candidacy | None,
    objector: RegisterPerson | None,
    objector_name: str,
    text: str,
    now: datetime,
    today: date,
) -> ListObjection:
    """Record an objection against a published list or one of its candidates, within the window."""
    body = (text or "").strip()[:MAX_OBJECTION]
    if not body:
        raise ObjectionRefused("empty")
    if Phase(election.phase) is not Phase.LISTS_PUBLISHED:
        raise ObjectionRefused("not_published" if _before_publication(election) else "final")
    deadline = objection_deadline(election)
    if today > deadline:
        raise ObjectionRefused("late", deadline)
    if lst.election_id != election.id or lst.number is None or (candidacy is not None and candidacy.list_id != lst.id):
        raise ObjectionRefused("unknown_list")
    objection = ListObjection(
        election_id=election.id,
        list_id=lst.id,
        candidacy_id=candidacy.id if candidacy else None,
        objector_person_id=objector.id if objector else None,
        objector_name=(objector.name if objector else objector_name.strip())[:300] or "?",
        text=body,
        filed_at=now,
    )
    db.add(objection)
    db.flush()
    audit_log.record(
        db, objector_name or "employee", "list_objection_filed", election.id, objection=objection.id, list=lst.id
    )
    return objection


def _before_publication(election: Election) -> bool:
    order = list(Phase)
    return order.index(Phase(election.phase)) < order.index(Phase.LISTS_PUBLISHED)


def decide_objection(
    db: Session, objection: ListObjection, upheld: bool, reasons: str, actor: str, member_id: int, now: datetime
) -> None:
    """Decide an objection with reasons; upheld strikes the candidate or invalidates the list."""
    if objection.decision is not None:
        raise ObjectionRefused("decided")
    if not reasons.strip():
        raise ObjectionRefused("reasons_missing")
    election = db.get(Election, objection.election_id)
    lst = db.get(CandidateList, objection.list_id)
    assert election is not None and lst is not None
    objection.decision = "upheld" if upheld else "rejected"
    objection.reasons = reasons.strip()
    objection.decided_by = member_id
    objection.decided_at = now
    record_decision(
        db,
        election,
        "objection_decided",
        reasons.strip(),
        actor,
        now,
        list_id=lst.id,
        candidacy_id=objection.candidacy_id,
        code=objection.decision,
        objection=objection.id,
    )
    if not upheld:
        return
    if objection.candidacy_id is not None:
        candidacy = db.get(Candidacy, objection.candidacy_id)
        if candidacy is not None and candidacy.status == "active":
            strike(db, election, candidacy, "objection_upheld", reasons.strip(), actor, now)
    elif lst.status != "invalid":
        lst.status = "invalid"
        record_decision(
            db, election, "list_invalid", reasons.strip(), actor, now, list_id=lst.id, code="objection_upheld"
        )


def open_objections(db: Session, election_id: int) -> int:
    """Objections against the lists still awaiting a decision."""
    query = select(func.count()).where(ListObjection.election_id == election_id, ListObjection.decision.is_(None))
    return int(db.scalar(query) or 0)


def objections_of(db: Session, election_id: int) -> list[ListObjection]:
    """Every objection against the lists, undecided first."""
    query = select(ListObjection).where(ListObjection.election_id == election_id)
    return list(db.scalars(query.order_by(ListObjection.decided_at.is_not(None), ListObjection.filed_at)))


# ---- the published lists, the no-vote rule and the ballot ------------------------------------


@dataclass(frozen=True)
class ShownCandidate:
    """A candidate as published: place, name, profile."""

    candidacy_id: int
    position: int
    name: str
    profile_nl: str
    profile_en: str
    has_photo: bool


@dataclass(frozen=True)
class ShownList:
    """A published list."""

    list_id: int
    number: int
    name: str
    kind: str
    union: str | None
    candidates: tuple[ShownCandidate, ...]


@dataclass(frozen=True)
class GroupOutcome:
    """One electoral group: its lists, and whether a vote is held there."""

    group_id: int
    name: str
    seats: int
    lists: tuple[ShownList, ...]

    @property
    def candidates(self) -> int:
        """Valid candidates in the group."""
        return sum(len(lst.candidates) for lst in self.lists)

    @property
    def needs_vote(self) -> bool:
        """Domain 2.1 step 8b: only more candidates than seats make a vote necessary."""
        return self.candidates > self.seats

    @property
    def empty_seats(self) -> int:
        """Seats that stay empty when no vote is held."""
        return 0 if self.needs_vote else self.seats - self.candidates


@dataclass(frozen=True)
class PublicationContext:
    """The candidate lists document and public page."""

    organisation: str
    voting_day: date
    electoral_system: str
    published_on: date | None
    objection_deadline: date
    final: bool
    groups: tuple[GroupOutcome, ...]


def group_outcomes(db: Session, election: Election, *, numbered_only: bool = True) -> list[GroupOutcome]:
    """Each group with its valid lists (by number) and their candidates in list order."""
    from election.models import ListFile

    photos = set(
        db.scalars(
            select(ListFile.candidacy_id)
            .join(CandidateList)
            .where(CandidateList.election_id == election.id, ListFile.kind == "photo")
        )
    )
    lists = [lst for lst in lists_of(db, election.id) if lst.status == "valid"]
    if numbered_only:
        lists = [lst for lst in lists if lst.number is not None]
    provisional = {
        lst.id: i for i, lst in enumerate(sorted(lists, key=lambda x: (x.received_on, x.submitted_at, x.id)), 1)
    }
    person_ids = [c.person_id for lst in lists for c in active(lst)]
    names = dict(
        db.execute(select(RegisterPerson.id, RegisterPerson.name).where(RegisterPerson.id.in_(person_ids))).all()
    )
    unions = {u.id: u.name for u in db.scalars(select(TradeUnion).where(TradeUnion.election_id == election.id))}
    out: list[GroupOutcome] = []
    for group in election.groups:
        shown = [
            ShownList(
                lst.id,
                lst.number or provisional[lst.id],
                lst.name,
                lst.kind,
                unions.get(lst.union_id or 0),
                tuple(
                    ShownCandidate(
                        c.id, c.position, names.get(c.person_id, ""), c.profile_nl, c.profile_en, c.id in photos
                    )
                    for c in active(lst)
                ),
            )
            for lst in lists
            if lst.electoral_group_id == group.id
        ]
        out.append(GroupOutcome(group.id, group.name, group.seats, tuple(sorted(shown, key=lambda s: s.number))))
    return out


def publication_context(db: Session, election: Election) -> PublicationContext:
    """The published lists as the page and the PDF show them."""
    published = [lst.published_at for lst in lists_of(db, election.id) if lst.published_at is not None]
    order = list(Phase)
    return PublicationContext(
        organisation=election.organisation,
        voting_day=election.voting_day,
        electoral_system=election.electoral_system,
        published_on=dutch_date(min(published)) if published else None,
        objection_deadline=objection_deadline(election),
        final=order.index(Phase(election.phase)) >= order.index(Phase.LISTS_FINAL),
        groups=tuple(group_outcomes(db, election)),
    )


def is_published(election: Election) -> bool:
    """Whether the lists are public."""
    return not _before_publication(election)


def groups_needing_a_vote(db: Session, election: Election) -> list[ElectoralGroup]:
    """The electoral groups with more valid candidates than seats: only there is a vote held."""
    needing = {o.group_id for o in group_outcomes(db, election) if o.needs_vote}
    return [g for g in election.groups if g.id in needing]


def ballot_preview(db: Session, election: Election, group_id: int) -> BallotLayout | None:
    """The ballot of one group exactly as voters will see it (valid lists; provisional numbers before publication)."""
    outcome = next((o for o in group_outcomes(db, election, numbered_only=False) if o.group_id == group_id), None)
    if outcome is None:
        return None
    regulation = regulation_of(election)
    lists = [
        PublishedList(
            s.number, s.name, tuple(ListedCandidate(c.candidacy_id, c.name, c.position) for c in s.candidates)
        )
        for s in outcome.lists
    ]
    return ballot_for_group(
        outcome.name,
        "person" if election.electoral_system == "person" else "list",
        outcome.seats,
        lists,
        votes_per_voter=election.votes_per_voter or regulation.votes_per_voter,
        person_order=regulation.person_ballot_order,
    )


# ---- procedure rules ------------------------------------------------------------------------


def _publication_precondition(db: Session, election: Election, today: date) -> list[str]:
    return publication_problems(db, election, today)


def _objections_decided(db: Session, election: Election, today: date) -> list[str]:
    waiting = open_objections(db, election.id)
    return [f"{waiting} objection(s) against the lists still await a decision"] if waiting else []


def _no_group_needs_a_vote(db: Session, election: Election, today: date) -> list[str]:
    needing = groups_needing_a_vote(db, election)
    if needing:
        names = ", ".join(g.name for g in needing)
        return [f"more candidates than seats in {names}: a vote is needed"]
    return []


def _some_group_needs_a_vote(db: Session, election: Election, today: date) -> list[str]:
    if Phase(election.phase) is not Phase.LISTS_FINAL:
        return []
    if not groups_needing_a_vote(db, election):
        return ["no electoral group has more candidates than seats: declare that no vote is needed"]
    return []


def _record_elected_without_vote(db: Session, election: Election, actor: str, now: datetime) -> None:
    # Domain 2.1 step 8b: all candidates of a group without a vote are elected; empty seats stay empty.
    for outcome in group_outcomes(db, election):
        if outcome.needs_vote:
            continue
        elected = [c.name for lst in outcome.lists for c in lst.candidates]
        record_decision(
            db,
            election,
            "elected_without_vote",
            f"{len(elected)} candidate(s) for {outcome.seats} seat(s): all elected without a vote; "
            f"{outcome.empty_seats} seat(s) stay empty",
            actor,
            now,
            group_id=outcome.group_id,
            elected=elected,
            empty_seats=outcome.empty_seats,
        )


PRECONDITIONS.setdefault(Phase.LISTS_PUBLISHED, []).append(_publication_precondition)
PRECONDITIONS.setdefault(Phase.LISTS_FINAL, []).append(_objections_decided)
PRECONDITIONS.setdefault(Phase.NO_VOTE_NEEDED, []).append(_no_group_needs_a_vote)
PRECONDITIONS.setdefault(Phase.VOTING, []).append(_some_group_needs_a_vote)
EFFECTS.setdefault(Phase.LISTS_PUBLISHED, []).append(_number_lists)
EFFECTS.setdefault(Phase.NO_VOTE_NEEDED, []).append(_record_elected_without_vote)
EFFECTS.setdefault(Phase.VOTING, []).append(_record_elected_without_vote)
