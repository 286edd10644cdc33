"""Objections against the published lists that reach the committee on paper.

An objection may be handed in or posted rather than filed online. The committee enters it with the
day it was received, who made it, what it is against and its grounds, optionally with a scan of the
letter; from then on it is decided with reasons exactly like an objection filed online
(:func:`election.list_publication.decide_objection`). What counts for the deadline is the day the
committee received it, not the day it was entered (domain 2.1 step 8a; 8 item 8: late objections are
rejected with the reason).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.clock import dutch_date
from election.list_files import StoredFile
from election.list_publication import MAX_OBJECTION, ObjectionRefused, objection_deadline
from election.models import Candidacy, CandidateList, Election, ListObjection, ListObjectionPaper, RegisterPerson
from election.procedure import Phase

MAX_NAME = 300


@dataclass(frozen=True)
class PaperObjection:
    """What the committee copies from the letter."""

    objector_name: str
    employee_number: str  # optional: links the objector to their entry in the register
    received_on: date
    list_id: int
    candidacy_id: int | None
    grounds: str


def published_on(db: Session, election: Election) -> date | None:
    """The day the lists were published (None before publication)."""
    query = select(CandidateList.published_at).where(
        CandidateList.election_id == election.id, CandidateList.published_at.is_not(None)
    )
    moments = [m for m in db.scalars(query) if m is not None]
    return dutch_date(min(moments)) if moments else None


def enter_paper_objection(
    db: Session,
    election: Election,
    letter: PaperObjection,
    scan: StoredFile | None,
    member_id: int,
    actor: str,
    now: datetime,
    today: date,
) -> ListObjection:
    """Record an objection received on paper; refused (:class:`ObjectionRefused`) with nothing stored when

    the lists are not (or no longer) open to objections, the day received lies in the future, before
    publication or after the objection window, the objector or grounds are missing, the employee
    number is not in the register, or the target is not a published list or one of its candidates.
    """
    grounds = (letter.grounds or "").strip()[:MAX_OBJECTION]
    name = " ".join((letter.objector_name or "").split())[:MAX_NAME]
    if not grounds:
        raise ObjectionRefused("empty")
    if not name:
        raise ObjectionRefused("name_missing")
    if Phase(election.phase) is not Phase.LISTS_PUBLISHED:
        order = list(Phase)
        before = order.index(Phase(election.phase)) < order.index(Phase.LISTS_PUBLISHED)
        raise ObjectionRefused("not_published" if before else "final")
    if letter.received_on > today:
        raise ObjectionRefused("future")
    published = published_on(db, election)
    if published is not None and letter.received_on < published:
        raise ObjectionRefused("before_publication", published)
    deadline = objection_deadline(election)
    if letter.received_on > deadline:
        raise ObjectionRefused("late", deadline)
    lst = db.get(CandidateList, letter.list_id)
    candidacy = db.get(Candidacy, letter.candidacy_id) if letter.candidacy_id else None
    if lst is None or lst.election_id != election.id or lst.number is None:
        raise ObjectionRefused("unknown_list")
    if letter.candidacy_id and (candidacy is None or candidacy.list_id != lst.id or candidacy.status != "active"):
        raise ObjectionRefused("unknown_list")
    person = None
    number = (letter.employee_number or "").strip()
    if number:
        person = db.scalar(
            select(RegisterPerson).where(
                RegisterPerson.election_id == election.id, RegisterPerson.employee_number == number
            )
        )
        if person is None:
            raise ObjectionRefused("unknown_person")
    objection = ListObjection(
        election_id=election.id,
        list_id=lst.id,
        candidacy_id=candidacy.id if candidacy else None,
        objector_person_id=person.id if person else None,
        objector_name=name,
        text=grounds,
        filed_at=now,
    )
    objection.paper = ListObjectionPaper(
        received_on=letter.received_on,
        entered_by=member_id,
        entered_at=now,
        scan_content_type=scan.content_type if scan else None,
        scan_size=len(scan.content) if scan else None,
        scan_sha256=hashlib.sha256(scan.content).hexdigest() if scan else None,
        scan=scan.content if scan else None,
    )
    db.add(objection)
    db.flush()
    audit_log.record(
        db,
        actor,
        "list_objection_entered_from_paper",
        election.id,
        objection=objection.id,
        list=lst.id,
        candidacy=objection.candidacy_id,
        received_on=letter.received_on.isoformat(),
        scan_sha256=objection.paper.scan_sha256,
    )
    return objection
