"""The stored election's result, gathered for the report, the results pages and the letters.

Reads the count through :mod:`election.tally_store` (the stored ``seats.json``, counts and lot
seed) and :func:`election.count_results.group_results`; groups without a vote come from the final
lists (:func:`election.list_publication.group_outcomes`). The figures are shaped by the pure
builders of :mod:`election.result_report`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from election.count_results import group_results
from election.list_publication import group_outcomes
from election.models import AuditEntry, CommitteeMember, Election
from election.models.committee import ELECTION_POWERS
from election.procedure import Phase, precedes
from election.procedure_store import regulation_of
from election.result_objections import announcement_of, objections_of
from election.result_report import (
    EVENTS,
    Event,
    GroupReport,
    ObjectionLine,
    OfficialReport,
    ResultNotReady,
    Signatory,
    Trustee,
    unvoted_group,
    voted_groups,
)


def result_groups(db: Session, election: Election) -> list[GroupReport]:
    """Every electoral group's result in the election's group order; :class:`ResultNotReady` before there is one."""
    from election.paper_count import confirmed_paper
    from election.tally_store import count_of
    from election.voting_codes import group_key, identity_of, manifest_of, register_count

    count = count_of(db, election.id)
    regulation = regulation_of(election)
    voted: dict[str, GroupReport] = {}
    if count is not None:
        if count.seats is None or count.counts is None:
            raise ResultNotReady("counting")
        identity = identity_of(db, election.id)
        assert identity is not None
        manifest = manifest_of(identity)
        ballots = {g["id"]: g["ballots"] for g in json.loads(count.aggregates)}
        seats = json.loads(count.seats)
        paper = confirmed_paper(db, election) or {}  # a hybrid election's paper totals, as in the seats
        rows = group_results(manifest, ballots, json.loads(count.counts), seats, paper)
        voted = {g.id: g for g in voted_groups(manifest, seats, rows)}
    elif not _past_the_lists_without_vote(election):
        raise ResultNotReady("no_result")
    outcomes = {o.group_id: o for o in group_outcomes(db, election)}
    system = "person" if election.electoral_system == "person" else "list"
    out = []
    for group in election.groups:
        key = group_key(group)
        if key in voted:
            out.append(voted[key])
        elif group.id in outcomes and not outcomes[group.id].needs_vote:
            out.append(unvoted_group(outcomes[group.id], register_count(db, election.id, group.id), system, regulation))
    return out


def _past_the_lists_without_vote(election: Election) -> bool:
    phase = Phase(election.phase)
    return phase is Phase.NO_VOTE_NEEDED or (phase is not Phase.VOTING and precedes(Phase.COUNTED, phase))


def official_report(db: Session, election: Election, now: datetime, *, with_record: bool = True) -> OfficialReport:
    """The proces-verbaal of ``election`` as it stands at ``now`` (raises :class:`ResultNotReady`).

    ``with_record`` adds the SHA-256 of the published record (it rebuilds the record's .zip).
    """
    from election.board_store import head_hash
    from election.count_record import record_zip
    from election.procedure_store import timeline_of
    from election.tally_store import count_of, trustee_status
    from election.timeline import voting_window
    from election.voting_codes import identity_of

    groups = result_groups(db, election)
    count = count_of(db, election.id)
    members = {m.id: m for m in db.scalars(select(CommitteeMember))}
    extra: dict[str, Any] = {}
    if count is not None:
        identity = identity_of(db, election.id)
        opens, closes = voting_window(timeline_of(election))
        trustees = trustee_status(db, election)
        extra = {
            "voting_opens_at": opens,
            "voting_closes_at": closes,
            "board_head_closed": count.board_head,
            "board_head": head_hash(db, election.id),
            "election_hash": identity.election_hash if identity is not None else None,
            "record_sha256": record_zip(db, election)[1] if with_record else None,
            "lot_text": count.lot_text,
            "lot_seed": count.lot_seed,
            "lot_fixed_by": count.lot_fixed_by,
            "lot_fixed_at": count.lot_fixed_at,
            "threshold": regulation_of(election).decryption_threshold,
            "trustees": tuple(
                Trustee(t.index, members[t.member_id].name if t.member_id in members else "", t.shared)
                for t in trustees
            ),
        }
    announcement = announcement_of(db, election.id)
    return OfficialReport(
        election_id=election.id,
        organisation=election.organisation,
        headcount=election.headcount,
        seats=election.seats,
        electoral_system=election.electoral_system,
        regulation=regulation_of(election),
        voting_day=election.voting_day,
        voting_opens_at=extra.pop("voting_opens_at", None),
        voting_closes_at=extra.pop("voting_closes_at", None),
        term_end=election.term_end,
        groups=tuple(groups),
        generated_at=now,
        events=tuple(_events(db, election.id)),
        objections=tuple(
            ObjectionLine(o.received_on, o.objector_name, o.text, o.decision, o.reasons, o.decided_at)
            for o in objections_of(db, election.id)
        ),
        register_objections=_decided(db, election.id, "register"),
        list_objections=_decided(db, election.id, "lists"),
        announced_at=announcement.announced_at if announcement else None,
        objection_deadline=announcement.objection_deadline if announcement else None,
        final_at=announcement.final_at if announcement else None,
        committee=tuple(
            Signatory(m.name, m.role)
            for m in sorted(members.values(), key=lambda m: (m.role != "chair", m.name))
            if m.role_enum in ELECTION_POWERS
        ),
        **extra,
    )


def _events(db: Session, election_id: int) -> list[Event]:
    query = select(AuditEntry).where(AuditEntry.election_id == election_id, AuditEntry.action.in_(EVENTS))
    return [Event(e.at, e.action, e.actor, json.loads(e.details)) for e in db.scalars(query.order_by(AuditEntry.seq))]


def _decided(db: Session, election_id: int, kind: str) -> tuple[int, int]:
    if kind == "register":
        from election.register_objections import objections_of as register_objections

        rows: Sequence[Any] = register_objections(db, election_id)
    else:
        from election.list_publication import objections_of as list_objections

        rows = list_objections(db, election_id)
    return len(rows), sum(1 for o in rows if o.decision == "upheld")
