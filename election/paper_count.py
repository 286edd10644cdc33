"""The paper count of a hybrid election: entered per electoral group, confirmed by a second member.

After the vote is closed, one committee member enters, per electoral group, the paper ballots found,
the votes per candidate, the blank and the invalid ballots. The count is checked against the
ballot's shape and the number of voters marked as having voted on paper (``election.paper_voting``)
before anything is stored. It counts only once a different chair or member confirms exactly those
figures (the four-eyes rule of the procedure steps); the confirmation appends a ``paper_count``
entry to the board, so the paper totals are public and fixed before the result. The result of a
hybrid election waits for every group's confirmed paper count; the seats are then allocated from
the online and paper votes added together, while the record keeps both apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto import board as bd
from election import audit_log
from election.board_store import append_entry
from election.count_board import parse_manifest
from election.models import CommitteeMember, Election
from election.models.committee import COMMITTEE_VOTERS, ELECTION_POWERS
from election.models.count import ElectionCount
from election.models.paper import PaperCount
from election.paper_marks import PaperError, paper_marks_per_group, paper_voting_allowed
from election.paper_voting import PaperTotals, paper_problems
from election.voting_codes import canonical, identity_of, manifest_of


def totals_of(row: PaperCount) -> PaperTotals:
    """A stored paper count as plain totals."""
    return PaperTotals(row.ballots, tuple(json.loads(row.counts)), row.invalid)


def digest_of(row: PaperCount) -> str:
    """What a confirming member saw: the hash of the figures, so changed figures are never confirmed."""
    return bd.json_hash({"group": row.group_key, **totals_of(row).to_dict()}).hex()


def paper_counts(db: Session, election_id: int) -> dict[str, PaperCount]:
    """The entered paper counts per manifest group id, confirmed or not."""
    rows = db.scalars(select(PaperCount).where(PaperCount.election_id == election_id))
    return {row.group_key: row for row in rows}


def confirmed_paper(db: Session, election: Election) -> dict[str, PaperTotals] | None:
    """The confirmed paper totals per group; ``{}`` for an online-only election.

    ``None`` while a hybrid election still lacks a confirmed paper count for some group: its result waits.
    """
    if not paper_voting_allowed(election):
        return {}
    identity = identity_of(db, election.id)
    if identity is None:
        return None
    rows = paper_counts(db, election.id)
    out: dict[str, PaperTotals] = {}
    for grp in manifest_of(identity)["groups"]:
        row = rows.get(grp["id"])
        if row is None or row.confirmed_at is None:
            return None
        out[grp["id"]] = totals_of(row)
    return out


def paper_count_open(db: Session, election_id: int) -> bool:
    """Whether paper counts are taken now: the vote has been closed and the result is not published yet."""
    count = db.scalars(select(ElectionCount).where(ElectionCount.election_id == election_id)).one_or_none()
    return count is not None and count.result_at is None


def _open_count(db: Session, election: Election) -> ElectionCount:
    if not paper_voting_allowed(election):
        raise PaperError("not_hybrid", "the regulation does not allow paper voting beside online voting")
    count = db.scalars(select(ElectionCount).where(ElectionCount.election_id == election.id)).one_or_none()
    if count is None:
        raise PaperError("not_closed", "paper ballots are counted after the vote has been closed")
    if count.result_at is not None:
        raise PaperError("result_final", "the result has been published: the paper count can no longer change")
    return count


def enter_paper_count(
    db: Session,
    election: Election,
    member: CommitteeMember,
    group_id: str,
    ballots: int,
    counts: Sequence[int],
    invalid: int,
    now: datetime,
) -> PaperCount:
    """Enter (or correct, until confirmed) one group's paper count; it waits for a second member.

    Refused (``PaperError``, nothing stored) before closing or after the result, for an unknown group,
    a count already confirmed, or figures that do not add up (see ``paper_voting.paper_problems``).
    """
    if member.role_enum not in ELECTION_POWERS:
        raise PaperError("role", "your role cannot enter the paper count")
    _open_count(db, election)
    identity = identity_of(db, election.id)
    assert identity is not None
    grp = parse_manifest(manifest_of(identity)).group(group_id)
    if grp is None:
        raise PaperError("unknown_group", "there is no electoral group {group} on the ballot", group=group_id)
    totals = PaperTotals(ballots, tuple(counts), invalid)
    problems = paper_problems(
        totals,
        system=grp.system,
        max_choices=grp.max_choices,
        n_options=len(grp.options),
        marked=paper_marks_per_group(db, election.id).get(grp.id, 0),
    )
    if problems:
        first = problems[0]
        raise PaperError(first.code, "group {group}: the paper count does not add up", group=grp.id, **first.details)
    row = paper_counts(db, election.id).get(grp.id)
    if row is not None and row.confirmed_at is not None:
        raise PaperError("confirmed", "the paper count of group {group} has already been confirmed", group=grp.id)
    if row is None:
        row = PaperCount(election_id=election.id, group_key=grp.id)
        db.add(row)
    row.ballots, row.counts, row.invalid = totals.ballots, canonical(list(totals.counts)), totals.invalid
    row.entered_by, row.entered_at = member.id, now
    db.flush()
    audit_log.record(db, member.email, "paper_count_entered", election.id, group=grp.id, **totals.to_dict())
    return row


def confirm_paper_count(
    db: Session, election: Election, member: CommitteeMember, group_id: str, digest: str, now: datetime
) -> PaperCount:
    """Confirm one group's paper count as a second chair or member; it is then fixed on the board.

    ``digest`` is :func:`digest_of` the figures the member was shown; figures changed since are refused.
    Once every group is confirmed, the result follows as soon as the counts and the lot seed are in.
    """
    if member.role_enum not in COMMITTEE_VOTERS:
        raise PaperError("role", "your role cannot confirm the paper count")
    count = _open_count(db, election)
    row = paper_counts(db, election.id).get(group_id)
    if row is None:
        raise PaperError("not_entered", "no paper count has been entered for group {group}", group=group_id)
    if row.confirmed_at is not None:
        raise PaperError("confirmed", "the paper count of group {group} has already been confirmed", group=group_id)
    if row.entered_by == member.id:
        # Four-eyes rule, as for the procedure steps: the member who entered the count cannot confirm it.
        raise PaperError("second_member", "a second committee member must confirm the paper count")
    if digest != digest_of(row):
        raise PaperError("changed", "the paper count of group {group} changed since you saw it", group=group_id)
    confirmed = db.execute(
        update(PaperCount)
        .where(PaperCount.id == row.id, PaperCount.confirmed_at.is_(None), PaperCount.entered_by == row.entered_by)
        .where(PaperCount.ballots == row.ballots, PaperCount.counts == row.counts, PaperCount.invalid == row.invalid)
        .values(confirmed_by=member.id, confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if confirmed.rowcount != 1:  # type: ignore[attr-defined]
        raise PaperError("changed", "the paper count of group {group} changed since you saw it", group=group_id)
    row.confirmed_by, row.confirmed_at = member.id, now
    identity = identity_of(db, election.id)
    assert identity is not None
    payload = {"group": row.group_key, **totals_of(row).to_dict()}
    entry = append_entry(db, identity, bd.PAPER_COUNT, bd.payload_hash(bd.PAPER_COUNT, payload), payload, now)
    row.board_seq = entry.seq
    db.flush()
    audit_log.record(db, member.email, "paper_count_confirmed", election.id, group=row.group_key, board_seq=entry.seq)
    # Loaded here: the count module reads the confirmed paper totals from this one.
    from election import tally_store

    tally_store.try_result(db, election, count, member.email, now)
    return row
