"""The objection window against the result, the objections filed in it, and when the result becomes final.

The window opens when the committee announces the result (the step to RESULT_ANNOUNCED) and lasts
the regulation's ``result_objection_days`` (default 14 days): the last day to object is the day of
the announcement plus that many days. Any interested party may object (domain 2.7: "the OR or
committee decides on the validity of the election"): someone in the register through the public
result page with their personal code, anyone else in writing, entered here by the committee. The
committee decides each objection with reasons. The result becomes final (RESULT_FINAL) only after
the window has closed and every objection is decided (domain 8 item 8; SER model timetable step 12).

This module registers those rules with the procedure store.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from election import audit_log
from election.clock import AMSTERDAM
from election.mail import InvalidRecipient, queue_message
from election.models import CommitteeMember, Election, RegisterPerson
from election.models.result import ResultAnnouncement, ResultObjection
from election.procedure import Phase, precedes
from election.procedure_store import EFFECTS, PRECONDITIONS, regulation_of

MAX_TEXT = 4000
MAX_NAME = 300


class ObjectionRefused(Exception):
    """An objection against the result that cannot be filed or decided: ``code`` says why."""

    def __init__(self, code: str, deadline: date | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.deadline = deadline


# ---- the window ----------------------------------------------------------------------------------


def announcement_of(db: Session, election_id: int) -> ResultAnnouncement | None:
    """When the result was announced, the last day to object, and when it became final (None before)."""
    query = select(ResultAnnouncement).where(ResultAnnouncement.election_id == election_id)
    return db.scalars(query).one_or_none()


def objection_deadline(announced_on: date, days: int) -> date:
    """The last day on which an objection against the result is taken.

    Regulation (WOR art. 10; domain 8 item 8): the window runs ``days`` days from the announcement.
    """
    return announced_on + timedelta(days=days)


def window_open(announcement: ResultAnnouncement | None, election: Election, today: date) -> bool:
    """Whether an objection filed today is in time."""
    return (
        announcement is not None
        and Phase(election.phase) is Phase.RESULT_ANNOUNCED
        and today <= announcement.objection_deadline
    )


# ---- objections ----------------------------------------------------------------------------------


def file_objection(
    db: Session,
    election: Election,
    text: str,
    now: datetime,
    *,
    person: RegisterPerson | None = None,
    name: str | None = None,
    entered_by: CommitteeMember | None = None,
    received_on: date | None = None,
) -> ResultObjection:
    """Record an objection against the announced result, if it is in time.

    Through the public page ``person`` is the objector identified by their personal code; the
    committee enters an objection received in writing with the objector's ``name``, who entered it
    (``entered_by``) and the day it arrived (``received_on``, which decides whether it is in time).
    Raises :class:`ObjectionRefused`: ``empty``, ``name_missing``, ``not_announced`` before the
    announcement, ``final`` once the result is final, ``late`` after the window (with the deadline),
    ``future`` for a receipt date after today.
    """
    body = text.strip()[:MAX_TEXT]
    objector = (person.name if person is not None else (name or "")).strip()[:MAX_NAME]
    if not body:
        raise ObjectionRefused("empty")
    if not objector:
        raise ObjectionRefused("name_missing")
    announcement = announcement_of(db, election.id)
    if announcement is None or precedes(Phase(election.phase), Phase.RESULT_ANNOUNCED):
        raise ObjectionRefused("not_announced")
    if Phase(election.phase) is not Phase.RESULT_ANNOUNCED:
        raise ObjectionRefused("final")
    today = now.astimezone(AMSTERDAM).date()
    received = received_on or today
    if received > today:
        raise ObjectionRefused("future")
    if received > announcement.objection_deadline:
        raise ObjectionRefused("late", announcement.objection_deadline)
    objection = ResultObjection(
        election_id=election.id,
        objector_person_id=person.id if person is not None else None,
        objector_name=objector,
        via="link" if person is not None else "committee",
        received_on=received,
        text=body,
        filed_at=now,
        entered_by=entered_by.id if entered_by is not None else None,
    )
    db.add(objection)
    db.flush()
    audit_log.record_at(
        db,
        now,
        entered_by.email if entered_by is not None else objector,
        "result_objection_filed",
        election.id,
        objection=objection.id,
        via=objection.via,
        received_on=received.isoformat(),
    )
    return objection


def open_objections(db: Session, election_id: int) -> int:
    """Objections against the result still awaiting a decision."""
    query = select(func.count()).where(ResultObjection.election_id == election_id, ResultObjection.decision.is_(None))
    return int(db.scalar(query) or 0)


def objections_of(db: Session, election_id: int) -> list[ResultObjection]:
    """Every objection against the result, undecided first, then in the order received."""
    query = select(ResultObjection).where(ResultObjection.election_id == election_id)
    return list(
        db.scalars(
            query.order_by(ResultObjection.decided_at.is_not(None), ResultObjection.filed_at, ResultObjection.id)
        )
    )


def decide_objection(
    db: Session, objection: ResultObjection, upheld: bool, reasons: str, actor: str, member_id: int, now: datetime
) -> None:
    """Record the committee's decision with reasons, once; tell the objector when they have an address.

    Raises :class:`ObjectionRefused` ``reasons_missing`` or ``decided`` (also when another member
    decided it a moment earlier). An upheld objection does not change the stored count: what the
    committee does about it (a recount, a new vote) is stated in its reasons and taken as its own step.
    """
    text = reasons.strip()[:MAX_TEXT]
    if not text:
        raise ObjectionRefused("reasons_missing")
    decision = "upheld" if upheld else "rejected"
    done = db.execute(
        update(ResultObjection)
        .where(ResultObjection.id == objection.id, ResultObjection.decision.is_(None))
        .values(decision=decision, reasons=text, decided_by=member_id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ObjectionRefused("decided")
    db.refresh(objection)
    audit_log.record_at(
        db,
        now,
        actor,
        "result_objection_decided",
        objection.election_id,
        objection=objection.id,
        decision=decision,
    )
    _tell_objector(db, objection, now)


def _tell_objector(db: Session, objection: ResultObjection, now: datetime) -> None:
    person = db.get(RegisterPerson, objection.objector_person_id) if objection.objector_person_id else None
    election = db.get(Election, objection.election_id)
    if person is None or not person.email or election is None:
        return
    language = person.language if person.language in ("nl", "en") else "nl"
    with force_locale(language):
        subject = _("Your objection against the result: the committee's decision")
        verdict = _("upheld") if objection.decision == "upheld" else _("rejected")
        text = _(
            "Dear %(name)s,\n\nThe election committee of %(organisation)s has %(verdict)s your objection "
            "against the result of the works council election.\n\nReasons:\n%(reasons)s\n\nThe election committee",
            name=person.name,
            organisation=election.organisation,
            verdict=verdict,
            reasons=objection.reasons,
        )
    # Without a valid address the decision stands; the committee tells the objector another way.
    with contextlib.suppress(InvalidRecipient):
        queue_message(
            db,
            dedupe_key=f"result-objection-decision:{objection.id}",
            recipient=person.email,
            subject=subject,
            text=text,
            kind="result_objection_decision",
            language=language,
            election_id=election.id,
            now=now,
        )


# ---- procedure rules -----------------------------------------------------------------------------


def _result_established(db: Session, election: Election, today: date) -> list[str]:
    # Domain 2.1 steps 10-11: the result is announced once it has been fixed by the count.
    if Phase(election.phase) is not Phase.COUNTED:
        return []  # without a vote (step 8b) the result is fixed when the lists are final
    from election.tally_store import count_of

    count = count_of(db, election.id)
    if count is None or count.result_at is None:
        return ["the result has not been established yet: it needs enough trustees' decryption shares and the lot seed"]
    return []


def _record_announcement(db: Session, election: Election, actor: str, now: datetime) -> None:
    # Regulation (domain 2.1 step 12, 8 item 8): the objection window starts with the announcement.
    days = regulation_of(election).result_objection_days
    announced_on = now.astimezone(AMSTERDAM).date()
    deadline = objection_deadline(announced_on, days)
    db.add(
        ResultAnnouncement(
            election_id=election.id,
            announced_at=now,
            announced_by=actor,
            objection_days=days,
            objection_deadline=deadline,
        )
    )
    db.flush()
    audit_log.record(db, actor, "result_announced", election.id, objection_deadline=deadline.isoformat(), days=days)


def _window_closed_and_decided(db: Session, election: Election, today: date) -> list[str]:
    # Domain 8 item 8 and 2.1 step 12: final only after the window, with every objection decided.
    problems = []
    announcement = announcement_of(db, election.id)
    if announcement is None:
        problems.append("the result has not been announced")
    elif today <= announcement.objection_deadline:
        problems.append(
            f"objections against the result may be filed until {announcement.objection_deadline.isoformat()}; "
            f"the result can become final from {(announcement.objection_deadline + timedelta(days=1)).isoformat()}"
        )
    waiting = open_objections(db, election.id)
    if waiting:
        problems.append(f"{waiting} objection(s) against the result still await a decision")
    return problems


def _record_final(db: Session, election: Election, actor: str, now: datetime) -> None:
    announcement = announcement_of(db, election.id)
    assert announcement is not None  # the precondition saw it
    announcement.final_at = now
    announcement.final_by = actor
    db.flush()
    audit_log.record(db, actor, "result_final", election.id)


PRECONDITIONS.setdefault(Phase.RESULT_ANNOUNCED, []).append(_result_established)
EFFECTS.setdefault(Phase.RESULT_ANNOUNCED, []).append(_record_announcement)
PRECONDITIONS.setdefault(Phase.RESULT_FINAL, []).append(_window_closed_and_decided)
EFFECTS.setdefault(Phase.RESULT_FINAL, []).append(_record_final)
