"""The tally kept up to date while voting runs: per electoral group, the ballots and summed ciphertexts.

Every cast adds its ciphertexts to its group's sums in the cast's own transaction, after its board
entry and while the board's head is held, so the sums always equal those over the ballots on the
board. Closing the vote then takes them instead of summing the whole board again. They stay
re-derivable: each trustee re-derives them from the full public board before decrypting (and
refuses anything else), and ``stembus check`` compares them with the board. When they do not cover
every ballot on the board (an election that was already voting before this table existed), closing
sums the board instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import board as bd
from crypto import elgamal
from crypto import record as rc
from election.board_store import ballots_per_group, entries
from election.count_board import GroupAggregate, aggregates, parse_manifest
from election.invariants import CheckContext, invariant
from election.models.count import RunningTally
from election.models.voting import ElectionIdentity
from election.voting_codes import manifest_of


def _encode(sums: Sequence[elgamal.Ciphertext]) -> str:
    return bd.canonical_json([ct.to_dict() for ct in sums]).decode("utf-8")


def _decode(text: str) -> list[elgamal.Ciphertext]:
    return [elgamal.Ciphertext.from_dict(part, allow_identity=True) for part in json.loads(text)]


def add_ballot(db: Session, election_id: int, group_id: str, ciphertexts: Sequence[elgamal.Ciphertext]) -> None:
    """Add one counted ballot's ciphertexts to its group's sums (call inside the cast's transaction)."""
    row = db.scalars(
        select(RunningTally).where(RunningTally.election_id == election_id, RunningTally.group_key == group_id)
    ).one_or_none()
    if row is None:
        db.add(RunningTally(election_id=election_id, group_key=group_id, ballots=1, aggregate=_encode(ciphertexts)))
        return
    sums = _decode(row.aggregate)
    if len(sums) != len(ciphertexts):
        raise ValueError(f"group {group_id}: a ballot with {len(ciphertexts)} options, the tally has {len(sums)}")
    row.aggregate = _encode([elgamal.add(total, ct) for total, ct in zip(sums, ciphertexts, strict=True)])
    row.ballots += 1


def running_aggregates(db: Session, election_id: int, manifest: rc.Manifest) -> list[GroupAggregate] | None:
    """Every group's sums in manifest order, or ``None`` when they do not cover every ballot on the board.

    A group without ballots gets the trivial encryption of 0 for every option, as a sum over the
    board would.
    """
    rows = {
        row.group_key: row for row in db.scalars(select(RunningTally).where(RunningTally.election_id == election_id))
    }
    on_board = ballots_per_group(db, election_id)
    out = []
    for grp in manifest.groups:
        row = rows.get(grp.id)
        if (row.ballots if row is not None else 0) != on_board.get(grp.id, 0):
            return None
        if row is None:
            out.append(GroupAggregate(grp.id, 0, tuple(elgamal.ZERO_CIPHERTEXT for _ in grp.options)))
        else:
            out.append(GroupAggregate(grp.id, row.ballots, tuple(_decode(row.aggregate))))
    return out


def board_aggregates(db: Session, election_id: int, manifest: rc.Manifest) -> list[GroupAggregate]:
    """Every group's sums derived from the ballots on the board (the slow way, the authority)."""
    ballots = (json.loads(row.payload) for row in entries(db, election_id) if row.type == bd.BALLOT)
    return aggregates(manifest, ballots)


@invariant("tally.running_matches_board")
def running_tally_matches_board(session: Session, context: CheckContext) -> Iterator[str]:
    """The tally kept while voting equals the sum over the ballots on the board, group by group."""
    elections = session.scalars(select(RunningTally.election_id).distinct().order_by(RunningTally.election_id))
    for election_id in elections.all():
        identity = session.scalars(
            select(ElectionIdentity).where(ElectionIdentity.election_id == election_id)
        ).one_or_none()
        if identity is None:
            yield f"election {election_id}: a running tally without an opened election"
            continue
        manifest = parse_manifest(manifest_of(identity))
        kept = {
            row.group_key: row
            for row in session.scalars(select(RunningTally).where(RunningTally.election_id == election_id))
        }
        try:
            derived_groups = board_aggregates(session, election_id, manifest)
        except (ValueError, KeyError, TypeError) as exc:  # a ballot payload that no longer parses
            yield f"election {election_id}: the ballots on the board cannot be summed: {exc}"
            continue
        for derived in derived_groups:
            row = kept.get(derived.id)
            if row is None:
                if derived.ballots:
                    yield f"election {election_id}: group {derived.id} has ballots but no running tally"
                continue
            if row.ballots != derived.ballots:
                yield (
                    f"election {election_id}: group {derived.id}: the running tally counts {row.ballots} ballots,"
                    f" the board {derived.ballots}"
                )
            elif _decode(row.aggregate) != list(derived.aggregate):
                yield f"election {election_id}: group {derived.id}: the running sums differ from the board's"
