"""The committee's examination of lists: checks, defect notices, the repair window, and decisions.

The rules are pure (:mod:`election.list_rules`); this module gathers each list's facts from the
database, records every decision with its rule code and reasons in the insert-only
``list_decision`` table (and the audit log), and sends defect notices as e-mail with a PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log, list_links
from election.clock import dutch_date
from election.list_rules import (
    CandidateFacts,
    Defect,
    ListFacts,
    SubmitterFacts,
    check_list,
    conclude_repair,
)
from election.mail import Attachment, queue_message
from election.models import (
    Candidacy,
    CandidateList,
    Election,
    ElectoralGroup,
    ListDecision,
    RegisterPerson,
    TradeUnion,
)
from election.procedure import Phase
from election.procedure_store import regulation_of, timeline_of
from election.timeline import Timeline

REVIEW_PHASES = (Phase.UNION_CANDIDACY, Phase.FREE_CANDIDACY, Phase.CANDIDACY, Phase.LIST_REVIEW)


class ReviewRefused(Exception):
    """A review step that cannot be taken now; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def record_decision(
    db: Session,
    election: Election,
    kind: str,
    reasons: str,
    actor: str,
    now: datetime,
    *,
    list_id: int | None = None,
    candidacy_id: int | None = None,
    group_id: int | None = None,
    code: str | None = None,
    deadline: date | None = None,
    **details: Any,
) -> ListDecision:
    """Store one decision with its reasons (insert-only) and log it in the audit chain."""
    row = ListDecision(
        election_id=election.id,
        list_id=list_id,
        candidacy_id=candidacy_id,
        electoral_group_id=group_id,
        kind=kind,
        code=code,
        reasons=reasons,
        details=json.dumps(details, sort_keys=True, default=str),
        deadline=deadline,
        decided_by=actor,
        decided_at=now,
    )
    db.add(row)
    db.flush()
    audit_log.record(
        db,
        actor,
        f"list_{kind}" if not kind.startswith("list") else kind,
        election.id,
        decision=row.id,
        list=list_id,
        candidacy=candidacy_id,
        code=code,
        reasons=reasons,
    )
    return row


def decisions_of(db: Session, election_id: int) -> list[ListDecision]:
    """Every decision on the lists of an election, oldest first (what an auditor reads)."""
    query = select(ListDecision).where(ListDecision.election_id == election_id)
    return list(db.scalars(query.order_by(ListDecision.id)))


def lists_of(db: Session, election_id: int) -> list[CandidateList]:
    """Every list of the election, by group and submission time."""
    query = select(CandidateList).where(CandidateList.election_id == election_id)
    return list(db.scalars(query.order_by(CandidateList.electoral_group_id, CandidateList.submitted_at)))


def active(lst: CandidateList) -> list[Candidacy]:
    """The list's candidates that are not struck, in list order."""
    return sorted((c for c in lst.candidates if c.status == "active"), key=lambda c: c.position)


def deadline_of(lst: CandidateList, timeline: Timeline) -> date:
    """The last day the list could be received."""
    return timeline["union_lists_deadline" if lst.kind == "union" else "free_lists_deadline"]


def list_facts(db: Session, election: Election, lst: CandidateList, timeline: Timeline) -> ListFacts:
    """Everything the rules need to know about one stored list."""
    group = db.get(ElectoralGroup, lst.electoral_group_id)
    assert group is not None
    candidates = active(lst)
    people = {
        p.id: p
        for p in db.scalars(select(RegisterPerson).where(RegisterPerson.id.in_([c.person_id for c in candidates])))
    }
    elsewhere: dict[int, list[int]] = {}
    if candidates:
        rows = db.execute(
            select(Candidacy.person_id, Candidacy.list_id)
            .join(CandidateList)
            .where(
                CandidateList.election_id == election.id,
                CandidateList.id != lst.id,
                CandidateList.status != "invalid",
                Candidacy.status == "active",
                Candidacy.person_id.in_(list(people)),
            )
        ).all()
        for person_id, list_id in rows:
            elsewhere.setdefault(person_id, []).append(list_id)
    linked = list_links.linked_candidacies(db, election, people.values())
    facts = tuple(
        CandidateFacts(
            candidacy_id=c.id,
            person_id=c.person_id,
            name=people[c.person_id].name,
            position=c.position,
            passive=people[c.person_id].passive,
            electoral_group_id=people[c.person_id].electoral_group_id,
            consent=c.consent_at is not None,
            other_lists=tuple(elsewhere.get(c.person_id, ())),
            linked=linked.get(c.person_id, ()),
        )
        for c in candidates
    )
    return ListFacts(
        list_id=lst.id,
        kind="union" if lst.kind == "union" else "free",
        electoral_group_id=group.id,
        group_seats=group.seats,
        received_on=lst.received_on,
        deadline=deadline_of(lst, timeline),
        max_list_length=regulation_of(election).max_list_length,
        candidates=facts,
        submitter=_submitter(db, election, lst),
    )


def _submitter(db: Session, election: Election, lst: CandidateList) -> SubmitterFacts:
    if lst.kind == "union":
        union = db.get(TradeUnion, lst.union_id) if lst.union_id else None
        declared = json.loads(lst.declaration or "{}")
        return SubmitterFacts(
            "union",
            union_invited=union is not None and union.election_id == election.id,
            union_declaration=frozenset(k for k, v in declared.items() if v),
        )
    submitter = next((s for s in lst.supporters if s.role == "submitter"), None)
    person = db.get(RegisterPerson, submitter.person_id) if submitter else None
    return SubmitterFacts(
        "free",
        person_active=bool(person and person.active),
        person_group_id=person.electoral_group_id if person else None,
        non_member_supporters=sum(1 for s in lst.supporters if s.confirmed_at is not None and s.declares_non_member),
    )


def defects_of(
    db: Session, election: Election, lst: CandidateList, timeline: Timeline | None = None
) -> tuple[Defect, ...]:
    """The list's current defects under every rule."""
    return check_list(list_facts(db, election, lst, timeline or timeline_of(election)))


def latest_notice(db: Session, lst: CandidateList) -> ListDecision | None:
    """The most recent defect notice for the list, if any."""
    query = select(ListDecision).where(ListDecision.list_id == lst.id, ListDecision.kind == "defect_notice")
    return db.scalar(query.order_by(ListDecision.id.desc()).limit(1))


def _require_review_phase(election: Election) -> None:
    if Phase(election.phase) not in REVIEW_PHASES:
        raise ReviewRefused("not_in_review")


def strike(
    db: Session, election: Election, candidacy: Candidacy, code: str, reasons: str, actor: str, now: datetime
) -> None:
    """Strike a candidate: those below move up, no empty place remains (Kieswet analogue)."""
    candidacy.status = "struck"
    candidacy.struck_code = code
    lst = candidacy.list
    for i, c in enumerate(active(lst), start=1):
        c.position = i
    record_decision(
        db, election, "candidate_struck", reasons, actor, now, list_id=lst.id, candidacy_id=candidacy.id, code=code
    )
    if not active(lst) and lst.status != "invalid":
        lst.status = "invalid"
        record_decision(
            db,
            election,
            "list_invalid",
            "no candidate is left on the list",
            actor,
            now,
            list_id=lst.id,
            code="empty_list",
        )


@dataclass(frozen=True)
class NoticeContext:
    """The defect notice (kennisgeving van verzuimen) for one list."""

    organisation: str
    list_name: str
    group: str
    addressee: str
    defects: tuple[Defect, ...]
    sent_on: date
    deadline: date
    reference: str


def notice_context(db: Session, election: Election, lst: CandidateList, notice: ListDecision) -> NoticeContext:
    """The letter of a stored defect notice."""
    group = db.get(ElectoralGroup, lst.electoral_group_id)
    defects = tuple(Defect(**d) for d in json.loads(notice.details).get("defects", []))
    assert notice.deadline is not None
    return NoticeContext(
        organisation=election.organisation,
        list_name=lst.name,
        group=group.name if group else "",
        addressee=_addressee(db, lst)[0],
        defects=defects,
        sent_on=dutch_date(notice.decided_at),
        deadline=notice.deadline,
        reference=f"{election.id}-{lst.id}-{notice.id}",
    )


def _addressee(db: Session, lst: CandidateList) -> tuple[str, str | None, str]:
    """Name, e-mail address and language of whoever submitted the list."""
    if lst.kind == "union" and lst.union_id:
        union = db.get(TradeUnion, lst.union_id)
        assert union is not None
        return union.name, union.email, "nl"
    submitter = next((s for s in lst.supporters if s.role == "submitter"), None)
    person = db.get(RegisterPerson, submitter.person_id) if submitter else None
    if person is None:
        return lst.name, None, "nl"
    return person.name, person.email or None, "en" if (person.language or "").startswith("en") else "nl"


def send_defect_notice(
    db: Session, election: Election, lst: CandidateList, actor: str, now: datetime, today: date
) -> ListDecision:
    """Tell the submitter what is wrong and open the repair window (``repair_window_days``).

    The notice is stored as a decision with every defect and the deadline, and mailed with the
    letter as PDF when the submitter has an e-mail address (otherwise the committee posts the PDF).
    """
    from election.documents import render_pdf

    _require_review_phase(election)
    if lst.status not in ("submitted", "defective"):
        raise ReviewRefused("already_decided")
    defects = defects_of(db, election, lst)
    if not defects:
        raise ReviewRefused("no_defects")
    deadline = today + timedelta(days=regulation_of(election).repair_window_days)
    notice = record_decision(
        db,
        election,
        "defect_notice",
        "; ".join(d.message for d in defects),
        actor,
        now,
        list_id=lst.id,
        deadline=deadline,
        defects=[d.__dict__ for d in defects],
    )
    lst.status = "defective"
    name, email, locale = _addressee(db, lst)
    if email:
        context = notice_context(db, election, lst, notice)
        with force_locale(locale):
            subject = _("Defects in your candidate list “%(list)s”", list=lst.name)
            text = _(
                "Dear %(name)s,\n\nThe election committee found defects in the candidate list “%(list)s”. The "
                "attached notice lists them. You can repair them until %(date)s; candidates whose defects are "
                "not repaired by then are struck from the list.\n\nThe election committee",
                name=name,
                list=lst.name,
                date=deadline.isoformat(),
            )
        queue_message(
            db,
            dedupe_key=f"defect-notice:{election.id}:{notice.id}",
            recipient=email,
            subject=subject,
            text=text,
            kind="defect_notice",
            language=locale,
            election_id=election.id,
            attachments=[
                Attachment(
                    f"defect-notice-{context.reference}.pdf",
                    "application/pdf",
                    render_pdf("defect_notice", context, locale),
                )
            ],
        )
    return notice


def decide_list(db: Session, election: Election, lst: CandidateList, actor: str, now: datetime, today: date) -> str:
    """Judge a list: valid without defects, invalid when late, otherwise after the repair window.

    Returns the new status. Without a notice a list with repairable defects cannot be judged
    (``notice_first``); during the repair window neither (``repair_running``).
    """
    _require_review_phase(election)
    if lst.status in ("valid", "invalid"):
        raise ReviewRefused("already_decided")
    timeline = timeline_of(election, today)
    facts = list_facts(db, election, lst, timeline)
    defects = check_list(facts)
    if not defects:
        lst.status = "valid"
        record_decision(db, election, "list_valid", "the list meets every rule", actor, now, list_id=lst.id)
        return lst.status
    late = next((d for d in defects if d.code == "late"), None)
    if late is not None:  # sbiformaat: a late list is refused; there is nothing to repair
        lst.status = "invalid"
        record_decision(db, election, "list_invalid", late.message, actor, now, list_id=lst.id, code="late")
        return lst.status
    notice = latest_notice(db, lst)
    if notice is None:
        raise ReviewRefused("notice_first")
    assert notice.deadline is not None
    if today <= notice.deadline:
        raise ReviewRefused("repair_running", deadline=notice.deadline)
    outcome = conclude_repair(facts)
    by_id = {c.id: c for c in lst.candidates}
    for candidacy_id, defect in outcome.struck:
        strike(
            db,
            election,
            by_id[candidacy_id],
            defect.code,
            f"not repaired: {defect.message} ({defect.article})",
            actor,
            now,
        )
    if lst.status == "invalid":
        return lst.status
    if outcome.invalid is not None:
        lst.status = "invalid"
        record_decision(
            db,
            election,
            "list_invalid",
            f"not repaired: {outcome.invalid.message} ({outcome.invalid.article})",
            actor,
            now,
            list_id=lst.id,
            code=outcome.invalid.code,
        )
        return lst.status
    lst.status = "valid"
    record_decision(
        db,
        election,
        "list_valid",
        f"valid after repair; {len(outcome.struck)} candidate(s) struck",
        actor,
        now,
        list_id=lst.id,
    )
    return lst.status


def repair_deadlines(db: Session, election: Election) -> list[date]:
    """The end of every repair window opened by a defect notice."""
    query = select(ListDecision.deadline).where(
        ListDecision.election_id == election.id, ListDecision.kind == "defect_notice"
    )
    return [d for d in db.scalars(query) if d is not None]
