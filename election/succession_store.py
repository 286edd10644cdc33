"""Succession on a stored election: vacancies, the proposed successor, answers, and closing a vacancy.

The rule itself is :mod:`election.succession` (pure). It reads only the stored result: the frozen
manifest (candidates and lists) and ``seats.json`` (elected and reserves in succession order), so
it keeps working after the register has been deleted by the retention run. Every decision is
audit-logged with candidate ids, never with the free-text note (which may say why someone left).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from election import audit_log
from election.clock import dutch_date
from election.eligibility import add_months
from election.models import Election
from election.models.succession import LEAVE_REASONS, SuccessionOffer, Vacancy
from election.procedure_store import regulation_of
from election.succession import (
    GroupResult,
    Offer,
    Proposal,
    SuccessionError,
    VacancyFacts,
    check_answer,
    check_vacancy,
    propose,
    results_from_record,
    seated,
)
from election.tally_store import count_of
from election.voting_codes import identity_of, manifest_of

MAX_NOTE = 500


class SuccessionRefused(Exception):
    """A succession step that was refused; ``code`` selects the message shown, nothing was stored."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class VacancyView:
    """A vacancy with what the rule proposes for it now."""

    row: Vacancy
    proposal: Proposal


@dataclass(frozen=True)
class GroupView:
    """One electoral group: its stored result, who holds its seats now, and its vacancies."""

    result: GroupResult
    seated: tuple[str, ...]
    vacancies: tuple[VacancyView, ...]


def term_ends_on(election: Election) -> date:
    """The end of the elected council's term: it takes office when the sitting one's term ends.

    WOR art. 12 lid 1: the term the regulation sets (two, three or four years).
    """
    return add_months(election.term_end, 12 * regulation_of(election).term_years)


def stored_results(db: Session, election: Election) -> dict[str, GroupResult]:
    """The result per voted group as the count stored it; refused before the result exists."""
    count = count_of(db, election.id)
    identity = identity_of(db, election.id)
    if count is None or count.seats is None or identity is None:
        raise SuccessionRefused("no_result", "the election has no stored result to take successors from")
    return results_from_record(manifest_of(identity), json.loads(count.seats))


def vacancies_of(db: Session, election_id: int) -> list[Vacancy]:
    """Every vacancy of the election, oldest first."""
    return list(db.scalars(select(Vacancy).where(Vacancy.election_id == election_id).order_by(Vacancy.id)))


def _facts(row: Vacancy) -> VacancyFacts:
    offers = tuple(Offer(o.candidate_key, o.answer) for o in row.offers)  # type: ignore[arg-type]
    return VacancyFacts(row.candidate_key, row.left_on, offers)


def _proposal(election: Election, result: GroupResult, rows: list[Vacancy], row: Vacancy) -> Proposal:
    return propose(
        result,
        [_facts(r) for r in rows],
        _facts(row),
        term_ends_on=term_ends_on(election),
        open_months=regulation_of(election).vacancy_open_months,
    )


def overview(db: Session, election: Election) -> list[GroupView]:
    """Every voted group with its seated members and its vacancies, each with the current proposal."""
    results = stored_results(db, election)
    rows = vacancies_of(db, election.id)
    views = []
    for gid, result in results.items():
        mine = [r for r in rows if r.group_key == gid]
        views.append(
            GroupView(
                result,
                seated(result, [_facts(r) for r in mine]),
                tuple(VacancyView(r, _proposal(election, result, mine, r)) for r in mine),
            )
        )
    return views


def record_vacancy(
    db: Session,
    election: Election,
    group_key: str,
    candidate_key: str,
    left_on: date,
    reason: str,
    note: str,
    actor: str,
    now: datetime,
) -> Vacancy:
    """Record that a seated member left (WOR art. 12 lid 3: leaving the company; lid 4: resigning)."""
    results = stored_results(db, election)
    result = results.get(group_key)
    if result is None:
        raise SuccessionRefused("unknown_group", "no electoral group {group} in the stored result", group=group_key)
    if reason not in LEAVE_REASONS:
        raise SuccessionRefused("bad_reason", "unknown reason {reason}", reason=reason)
    if len(note) > MAX_NOTE:
        raise SuccessionRefused("note_too_long", "the note is longer than {n} characters", n=MAX_NOTE)
    count = count_of(db, election.id)
    if count is not None and count.result_at is not None and left_on < dutch_date(count.result_at):
        raise SuccessionRefused("before_result", "a member cannot leave before the result was established")
    rows = [r for r in vacancies_of(db, election.id) if r.group_key == group_key]
    try:
        check_vacancy(result, [_facts(r) for r in rows], candidate_key)
    except SuccessionError as exc:
        raise SuccessionRefused(exc.code, str(exc)) from None
    row = Vacancy(
        election_id=election.id,
        group_key=group_key,
        candidate_key=candidate_key,
        left_on=left_on,
        reason=reason,
        note=note.strip(),
        status="open",
        recorded_by=actor,
        recorded_at=now,
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise SuccessionRefused("already_left", "this member's leaving has already been recorded") from None
    audit_log.record(
        db,
        actor,
        "vacancy_recorded",
        election.id,
        vacancy=row.id,
        group=group_key,
        member=candidate_key,
        left_on=left_on.isoformat(),
        reason=reason,
    )
    return row


def _open_vacancy(db: Session, election: Election, vacancy_id: int) -> tuple[Vacancy, GroupResult, list[Vacancy]]:
    row = db.get(Vacancy, vacancy_id, with_for_update=True)
    if row is None or row.election_id != election.id:
        raise SuccessionRefused("unknown_vacancy", "no such vacancy in this election")
    if row.status != "open":
        raise SuccessionRefused("closed", "this vacancy has been closed")
    result = stored_results(db, election)[row.group_key]
    rows = [r for r in vacancies_of(db, election.id) if r.group_key == row.group_key]
    return row, result, rows


def record_answer(
    db: Session,
    election: Election,
    vacancy_id: int,
    candidate_key: str,
    answer: str,
    answered_on: date,
    actor: str,
    now: datetime,
) -> Proposal:
    """Record the proposed candidate's answer; an acceptance fills the vacancy. Returns the next proposal."""
    row, result, rows = _open_vacancy(db, election, vacancy_id)
    if answered_on < row.left_on:
        raise SuccessionRefused("answer_before_leaving", "the answer cannot be dated before the member left")
    try:
        checked = check_answer(_proposal(election, result, rows, row), candidate_key, answer)
    except SuccessionError as exc:
        raise SuccessionRefused(exc.code, str(exc)) from None
    offer = SuccessionOffer(
        candidate_key=candidate_key,
        answer=checked,
        answered_on=answered_on,
        recorded_by=actor,
        recorded_at=now,
    )
    try:
        with db.begin_nested():
            row.offers.append(offer)
            db.flush()
            if checked == "accepted":
                filled = db.execute(
                    update(Vacancy)
                    .where(Vacancy.id == row.id, Vacancy.status == "open")
                    .values(status="filled", closed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if filled.rowcount != 1:  # type: ignore[attr-defined]
                    raise IntegrityError("vacancy", None, Exception("already closed"))
    except IntegrityError:
        raise SuccessionRefused("already_answered", "this answer has already been recorded") from None
    db.expire(row, ["status", "closed_at"])
    audit_log.record(
        db,
        actor,
        "succession_answer",
        election.id,
        vacancy=row.id,
        candidate=candidate_key,
        answer=checked,
        answered_on=answered_on.isoformat(),
    )
    return _proposal(election, result, rows, row)


def close_unfilled(db: Session, election: Election, vacancy_id: int, actor: str, now: datetime) -> Vacancy:
    """Close a vacancy nobody is left to fill, with what follows (by-election or the seat left open)."""
    row, result, rows = _open_vacancy(db, election, vacancy_id)
    proposal = _proposal(election, result, rows, row)
    if proposal.successor is not None:
        raise SuccessionRefused("successor_left", "a candidate is still to be asked for this vacancy")
    row.status = "unfilled"
    row.outcome = proposal.outcome
    row.closed_at = now
    db.flush()
    audit_log.record(
        db, actor, "vacancy_closed", election.id, vacancy=row.id, outcome=proposal.outcome, reason=proposal.reason
    )
    return row
