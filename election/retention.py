"""Retention: personal data go after the objection windows, the anonymous record after its period.

Two parts per election, each with its own first day (domain 8 item 23; GDPR art. 5 lid 1 sub e):

* **personal data**, from the day after the last objection window (the one on the result, from
  its announcement) plus the regulation's ``personal_data_grace_days``, once the committee has
  declared the result final (which it can only do with every objection decided): register rows
  (deleted; a candidate's row keeps only the name and group the published result shows), the
  committee's links from persons to voting credentials (code deliveries, paper votes), the
  contents of objections against the register, the lists and the result, free-list supporters,
  personal links, list files (scans, consent forms, photos), candidate profiles, what is left of the
  nomination round, unions' contact data, and the recipients, bodies and attachments of the
  election's mail;
* **the anonymous record**, from the day after the retention period of the regulation
  (``retention_months`` after voting closed; SER model art. 14: at least three months): the
  ballots and the rest of the bulletin board, the public credentials, the decryption shares and the
  stored record bytes.

What stays: the published result (the frozen manifest with the candidates' names, the counts and
the seat allocation, the record's hash and overview), the succession decisions of the term, the
list decisions and the audit log (both insert-only: the legal history of the procedure).

:func:`plan` only reads; :func:`apply` deletes what is due and writes an insert-only
``RetentionEvent`` per part, so running again finds nothing left (idempotent). The board accepts
DELETE only once its election has the ``record`` event (see migration 0014).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import String, cast, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from election import audit_log
from election.invariants import CheckContext, invariant
from election.models import (
    BoardEntry,
    Candidacy,
    CandidateList,
    CredentialHolder,
    DecryptionShareSet,
    Election,
    ListFile,
    ListObjection,
    ListObjectionPaper,
    ListSupporter,
    ListToken,
    Nomination,
    NominationInterest,
    NominationParticipant,
    NominationRound,
    NominationSet,
    OutboxAttachment,
    OutboxMessage,
    PublishedRecord,
    PublishedRecordChunk,
    RegisterImport,
    RegisterObjection,
    RegisterPerson,
    RetentionEvent,
    RunningTally,
    TradeUnion,
    VotingCredential,
)
from election.models.delivery import CodeDelivery
from election.models.paper import PaperVote
from election.models.result import ResultAnnouncement, ResultObjection
from election.procedure import Phase
from election.procedure_store import regulation_of, timeline_of

Kind = Literal["personal_data", "record"]
ANONYMISED = "removed-"  # employee numbers of anonymised register rows start with this
# Domain 8 item 8: the result is final only after its objection window, with every objection decided.
_FINAL_PHASES = {Phase.RESULT_FINAL, Phase.INSTALLED, Phase.ARCHIVED}


@dataclass(frozen=True)
class Blocker:
    """Why a part may not go yet: a stable code, a sentence, and the values in it."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class PartPlan:
    """One part of one election: from when it may go, what still holds it, and what would go."""

    kind: Kind
    due_from: date
    done_at: datetime | None
    blockers: list[Blocker]
    items: dict[str, int]

    @property
    def due(self) -> bool:
        """Nothing holds the part back."""
        return not self.blockers

    @property
    def left(self) -> int:
        """How many rows (or pieces) would still go."""
        return sum(self.items.values())


@dataclass
class RetentionPlan:
    """What the retention run would do for one election."""

    election_id: int
    organisation: str
    today: date
    parts: list[PartPlan]

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``stembus retention run --json``."""
        return {
            "election": self.election_id,
            "organisation": self.organisation,
            "parts": [
                {
                    "kind": p.kind,
                    "due_from": p.due_from.isoformat(),
                    "due": p.due,
                    "done_at": p.done_at.isoformat() if p.done_at else None,
                    "blockers": [asdict(b) for b in p.blockers],
                    "items": p.items,
                }
                for p in self.parts
            ],
        }


# --- when ---------------------------------------------------------------------------------------


def due_dates(election: Election, result_deadline: date | None = None) -> tuple[date, date]:
    """The first day personal data may go, and the first day the anonymous record may go.

    ``result_deadline`` is the last day to object against the result as fixed at its announcement,
    when that was later than the timetable's.
    """
    timeline = timeline_of(election)
    regulation = regulation_of(election)
    windows = [timeline[key] for key in ("register_objection_end", "list_objection_end", "result_objection_end")]
    if result_deadline is not None:
        windows.append(result_deadline)
    # Domain 8 item 23: personal data deleted after the objection windows close.
    personal = max(windows) + timedelta(days=1 + regulation.personal_data_grace_days)
    # SER model art. 14 (2015): ballots and electronic records kept at least the retention period.
    record = timeline["retention_end"] + timedelta(days=1)
    return personal, max(personal, record)


def _result_deadline(db: Session, election_id: int) -> date | None:
    return db.scalar(select(ResultAnnouncement.objection_deadline).where(ResultAnnouncement.election_id == election_id))


def _event(db: Session, election_id: int, kind: Kind) -> RetentionEvent | None:
    return db.scalars(
        select(RetentionEvent).where(RetentionEvent.election_id == election_id, RetentionEvent.kind == kind)
    ).one_or_none()


def _blockers(db: Session, election: Election, due_from: date, today: date, after: str) -> list[Blocker]:
    found: list[Blocker] = []
    if today < due_from:
        found.append(
            Blocker(
                "not_yet",
                f"kept until {due_from - timedelta(days=1)} ({after}); the run may delete it from {due_from}",
                {"until": (due_from - timedelta(days=1)).isoformat(), "from": due_from.isoformat()},
            )
        )
    if Phase(election.phase) not in _FINAL_PHASES:
        found.append(Blocker("not_final", "the committee has not declared the result final yet"))
    undecided = sum(
        _count(db, select(func.count()).where(model.election_id == election.id, model.decision.is_(None)))
        for model in (RegisterObjection, ListObjection, ResultObjection)
    )
    if undecided:
        found.append(
            Blocker("objections_open", f"{undecided} objection(s) still await a decision", {"n": str(undecided)})
        )
    return found


# --- what ----------------------------------------------------------------------------------------


def _count(db: Session, query: Select[Any]) -> int:
    return int(db.scalar(query) or 0)


def _candidate_people(election_id: int) -> Select[Any]:
    return (
        select(Candidacy.person_id)
        .join(CandidateList, CandidateList.id == Candidacy.list_id)
        .where(CandidateList.election_id == election_id)
    )


def _round_ids(election_id: int) -> Select[Any]:
    return select(NominationRound.id).where(NominationRound.election_id == election_id)


def _list_ids(election_id: int) -> Select[Any]:
    return select(CandidateList.id).where(CandidateList.election_id == election_id)


def _personal_items(db: Session, election_id: int) -> dict[str, int]:
    e = election_id
    people = RegisterPerson.election_id == e
    candidates = _candidate_people(e)
    participants = select(NominationParticipant.id).where(NominationParticipant.round_id.in_(_round_ids(e)))
    outbox = (OutboxMessage.election_id == e) & (OutboxMessage.status != "sending")
    return {
        "register_people": _count(db, select(func.count()).where(people, RegisterPerson.id.not_in(candidates))),
        "candidates_register_rows": _count(
            db,
            select(func.count()).where(
                people, RegisterPerson.id.in_(candidates), ~RegisterPerson.employee_number.startswith(ANONYMISED)
            ),
        ),
        "credential_links": _count(db, select(func.count()).where(CredentialHolder.election_id == e)),
        "code_deliveries": _count(db, select(func.count()).where(CodeDelivery.election_id == e)),
        "paper_votes": _count(db, select(func.count()).where(PaperVote.election_id == e)),
        "register_files": _count(
            db, select(func.count()).where(RegisterImport.election_id == e, RegisterImport.file_data.is_not(None))
        ),
        "register_objections": _count(db, select(func.count()).where(RegisterObjection.election_id == e)),
        "list_objections": _count(
            db,
            select(func.count()).where(
                ListObjection.election_id == e,
                or_(
                    ListObjection.objector_person_id.is_not(None),
                    ListObjection.objector_name != "",
                    ListObjection.text != "",
                ),
            ),
        ),
        "result_objections": _count(
            db,
            select(func.count()).where(
                ResultObjection.election_id == e,
                or_(
                    ResultObjection.objector_person_id.is_not(None),
                    ResultObjection.objector_name != "",
                    ResultObjection.text != "",
                ),
            ),
        ),
        "objection_scans": _count(
            db,
            select(func.count())
            .select_from(ListObjectionPaper)
            .join(ListObjection, ListObjection.id == ListObjectionPaper.objection_id)
            .where(ListObjection.election_id == e, ListObjectionPaper.scan_sha256.is_not(None)),
        ),
        "list_supporters": _count(db, select(func.count()).where(ListSupporter.list_id.in_(_list_ids(e)))),
        "personal_links": _count(db, select(func.count()).where(ListToken.election_id == e)),
        "list_files": _count(db, select(func.count()).where(ListFile.list_id.in_(_list_ids(e)))),
        "candidate_profiles": _count(
            db,
            select(func.count()).where(
                Candidacy.list_id.in_(_list_ids(e)), or_(Candidacy.profile_nl != "", Candidacy.profile_en != "")
            ),
        ),
        "nomination_rows": _count(db, select(func.count()).where(NominationParticipant.round_id.in_(_round_ids(e))))
        + _count(db, select(func.count()).where(NominationSet.round_id.in_(_round_ids(e))))
        + _count(db, select(func.count()).where(NominationInterest.participant_id.in_(participants))),
        "union_contacts": _count(
            db,
            select(func.count()).where(
                TradeUnion.election_id == e, or_(TradeUnion.email.is_not(None), TradeUnion.postal_address.is_not(None))
            ),
        ),
        "mail_messages": _count(
            db,
            select(func.count()).where(
                outbox,
                or_(OutboxMessage.recipient != "", OutboxMessage.body_text != "", OutboxMessage.body_html.is_not(None)),
            ),
        ),
        "mail_attachments": _count(
            db,
            select(func.count())
            .select_from(OutboxAttachment)
            .join(OutboxMessage, OutboxMessage.id == OutboxAttachment.message_id)
            .where(outbox),
        ),
    }


def _record_items(db: Session, election_id: int) -> dict[str, int]:
    record = db.scalars(select(PublishedRecord).where(PublishedRecord.election_id == election_id)).one_or_none()
    pieces = 0
    if record is not None:
        pieces = _count(db, select(func.count()).where(PublishedRecordChunk.record_id == record.id))
    return {
        "board_entries": _count(db, select(func.count()).where(BoardEntry.election_id == election_id)),
        "voting_credentials": _count(db, select(func.count()).where(VotingCredential.election_id == election_id)),
        "decryption_share_sets": _count(db, select(func.count()).where(DecryptionShareSet.election_id == election_id)),
        "record_pieces": pieces,
    }


def plan(db: Session, election: Election, today: date) -> RetentionPlan:
    """What is due for ``election`` on ``today``, what holds the rest back, and what would go. Reads only."""
    personal_from, record_from = due_dates(election, _result_deadline(db, election.id))
    personal_event = _event(db, election.id, "personal_data")
    record_event = _event(db, election.id, "record")
    personal = PartPlan(
        "personal_data",
        personal_from,
        personal_event.at if personal_event else None,
        _blockers(db, election, personal_from, today, "the objection windows"),
        _personal_items(db, election.id),
    )
    record_blockers = _blockers(db, election, record_from, today, "the retention period")
    record = PartPlan(
        "record",
        record_from,
        record_event.at if record_event else None,
        record_blockers,
        _record_items(db, election.id),
    )
    return RetentionPlan(election.id, election.organisation, today, [personal, record])


# --- doing --------------------------------------------------------------------------------------


def apply(db: Session, election: Election, actor: str, now: datetime, today: date) -> RetentionPlan:
    """Delete what is due (personal data first, then the record) and record each part once.

    Returns the plan as it was before the run. Parts that are not due are left untouched.
    Runs inside the caller's transaction; the caller commits.
    """
    before = plan(db, election, today)
    for part in before.parts:
        if not part.due:
            continue
        if part.done_at is None:
            # Written first: for the record, the board accepts DELETE only once this row exists.
            db.add(
                RetentionEvent(
                    election_id=election.id,
                    kind=part.kind,
                    at=now,
                    actor=actor,
                    summary=json.dumps(part.items, sort_keys=True),
                )
            )
            db.flush()
        if part.kind == "personal_data":
            _delete_personal_data(db, election)
        else:
            _destroy_record(db, election, now)
        if part.left or part.done_at is None:
            action = "personal_data_deleted" if part.kind == "personal_data" else "record_destroyed"
            audit_log.record(db, actor, action, election.id, **part.items)
    return before


def _run(db: Session, statement: Any) -> None:
    db.execute(statement.execution_options(synchronize_session=False))


def _delete_personal_data(db: Session, election: Election) -> None:
    e = election.id
    lists = _list_ids(e)
    rounds = _round_ids(e)
    candidates = _candidate_people(e)
    _run(db, delete(CredentialHolder).where(CredentialHolder.election_id == e))
    _run(db, delete(CodeDelivery).where(CodeDelivery.election_id == e))
    _run(db, delete(PaperVote).where(PaperVote.election_id == e))
    _run(db, delete(RegisterObjection).where(RegisterObjection.election_id == e))
    _run(
        db,
        update(ResultObjection)
        .where(ResultObjection.election_id == e)
        .values(objector_person_id=None, objector_name="", text=""),
    )
    _run(db, update(RegisterImport).where(RegisterImport.election_id == e).values(file_data=None))
    _run(
        db,
        update(ListObjection)
        .where(ListObjection.election_id == e)
        .values(objector_person_id=None, objector_name="", text=""),
    )
    _run(
        db,
        update(ListObjectionPaper)
        .where(ListObjectionPaper.objection_id.in_(select(ListObjection.id).where(ListObjection.election_id == e)))
        .values(scan=None, scan_content_type=None, scan_size=None, scan_sha256=None),
    )
    _run(db, delete(ListSupporter).where(ListSupporter.list_id.in_(lists)))
    _run(db, delete(ListToken).where(ListToken.election_id == e))
    _run(db, delete(ListFile).where(ListFile.list_id.in_(lists)))
    _run(db, update(Candidacy).where(Candidacy.list_id.in_(lists)).values(profile_nl="", profile_en=""))
    participants = select(NominationParticipant.id).where(NominationParticipant.round_id.in_(rounds))
    sets = select(NominationSet.id).where(NominationSet.round_id.in_(rounds))
    _run(db, delete(NominationInterest).where(NominationInterest.participant_id.in_(participants)))
    _run(db, delete(Nomination).where(Nomination.set_id.in_(sets)))
    _run(db, delete(NominationSet).where(NominationSet.round_id.in_(rounds)))
    _run(db, delete(NominationParticipant).where(NominationParticipant.round_id.in_(rounds)))
    _run(db, update(NominationRound).where(NominationRound.election_id == e).values(secret=None))
    _run(db, update(TradeUnion).where(TradeUnion.election_id == e).values(email=None, postal_address=None))
    _clear_mail(db, e)
    # A candidate's row stays for the candidacy (and the list decisions that name it) with only
    # the name and group the published result shows; everyone else's row goes.
    _run(db, delete(RegisterPerson).where(RegisterPerson.election_id == e, RegisterPerson.id.not_in(candidates)))
    _run(
        db,
        update(RegisterPerson)
        .where(RegisterPerson.election_id == e, ~RegisterPerson.employee_number.startswith(ANONYMISED))
        .values(
            employee_number=literal(ANONYMISED, String) + cast(RegisterPerson.id, String),
            email="",
            department="",
            location="",
            language="",
            start_date=election.voting_day,
            end_date=None,
            employment_kind="other",
            agency_since=None,
            bestuurder=False,
            reasons="",
            token_hash=None,
            token_issued_at=None,
        ),
    )
    db.expire_all()


def _clear_mail(db: Session, election_id: int) -> None:
    """Empty the election's mail; a message a worker is sending right now is left for the next run."""
    mine = (OutboxMessage.election_id == election_id) & (OutboxMessage.status != "sending")
    _run(db, delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(select(OutboxMessage.id).where(mine))))
    _run(
        db,
        update(OutboxMessage)
        .where(mine, OutboxMessage.status == "pending")
        .values(status="failed", last_error="withdrawn: personal data deleted after the objection windows"),
    )
    _run(db, update(OutboxMessage).where(mine).values(recipient="", subject="", body_text="", body_html=None))


def _destroy_record(db: Session, election: Election, now: datetime) -> None:
    e = election.id
    _run(db, delete(BoardEntry).where(BoardEntry.election_id == e))
    _run(db, delete(CredentialHolder).where(CredentialHolder.election_id == e))
    _run(db, delete(VotingCredential).where(VotingCredential.election_id == e))
    _run(db, delete(DecryptionShareSet).where(DecryptionShareSet.election_id == e))
    _run(db, delete(RunningTally).where(RunningTally.election_id == e))
    record = db.scalars(select(PublishedRecord).where(PublishedRecord.election_id == e)).one_or_none()
    if record is not None:
        _run(db, delete(PublishedRecordChunk).where(PublishedRecordChunk.record_id == record.id))
        if record.destroyed_at is None:
            record.destroyed_at = now
    db.flush()


def personal_data_left(db: Session, election_id: int) -> dict[str, int]:
    """What personal data the election still holds (all zero once the retention run has passed)."""
    return {k: v for k, v in _personal_items(db, election_id).items() if v}


@invariant("retention.personal_data_stays_deleted")
def personal_data_stays_deleted(session: Session, context: CheckContext) -> Iterator[str]:
    """No election whose personal data the retention run deleted holds personal data again."""
    query = select(RetentionEvent.election_id).where(RetentionEvent.kind == "personal_data")
    for election_id in session.scalars(query.order_by(RetentionEvent.election_id)):
        left = personal_data_left(session, election_id)
        if left:
            found = ", ".join(f"{name} {n}" for name, n in sorted(left.items()))
            yield f"election {election_id}: personal data after the retention run: {found}"


__all__ = ["Blocker", "PartPlan", "RetentionPlan", "apply", "due_dates", "personal_data_left", "plan"]
