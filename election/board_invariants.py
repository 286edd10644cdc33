"""The bulletin board's invariants that ``stembus check`` re-checks (registered in ``election.invariants``).

Casting enforces each of these inside its transaction (a unique constraint on the counted
credential, the listed-credential and group checks, the chain built under an advisory lock). These
checks look again from the outside, after a restore, a manual repair or a bug: one counted entry
per credential, every ballot under a credential listed for its group, the hash chain and every
payload hash intact, and the turnout per group fixed in each ``close`` entry equal to the ballots
before it. A breach names the election and the board position, never a choice or a person.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from crypto import board as bd
from election.board_store import verify_stored_chain
from election.invariants import CheckContext, invariant
from election.models.voting import BoardEntry, ElectionIdentity, VotingCredential
from election.voting_codes import group_key


@invariant("ballots.one_per_credential")
def one_counted_entry_per_credential(session: Session, context: CheckContext) -> Iterator[str]:
    """No public credential has more than one counted ballot or retiring entry on the board."""
    query = (
        select(BoardEntry.election_id, BoardEntry.counted_credential, func.count())
        .where(BoardEntry.counted_credential.is_not(None))
        .group_by(BoardEntry.election_id, BoardEntry.counted_credential)
        .having(func.count() > 1)
        .order_by(BoardEntry.election_id, BoardEntry.counted_credential)
    )
    for election_id, credential, count in session.execute(query):
        yield f"election {election_id}: credential {credential} counts {count} times on the board"


@invariant("ballots.listed_credential")
def ballots_under_listed_credentials(session: Session, context: CheckContext) -> Iterator[str]:
    """Every ballot on the board is under a credential listed for its election and its electoral group."""
    query = (
        select(BoardEntry.election_id, BoardEntry.seq, BoardEntry.group_key, VotingCredential.electoral_group_id)
        .outerjoin(
            VotingCredential,
            and_(
                VotingCredential.election_id == BoardEntry.election_id,
                VotingCredential.credential == BoardEntry.counted_credential,
            ),
        )
        .where(BoardEntry.type == bd.BALLOT)
        .order_by(BoardEntry.election_id, BoardEntry.seq)
    )
    for election_id, seq, ballot_group, credential_group in session.execute(query):
        if credential_group is None:
            yield f"election {election_id}: board entry {seq} is a ballot under a credential that is not listed"
        elif group_key(credential_group) != ballot_group:
            yield (
                f"election {election_id}: board entry {seq} is a ballot for group {ballot_group}"
                f" under a credential of group {group_key(credential_group)}"
            )


@invariant("board.chain_intact")
def board_chain_intact(session: Session, context: CheckContext) -> Iterator[str]:
    """Every election's board is one unbroken hash chain and each payload matches its payload hash."""
    with_board = select(BoardEntry.election_id).distinct()
    identities = session.execute(
        select(ElectionIdentity.election_id, ElectionIdentity.election_hash)
        .where(ElectionIdentity.election_id.in_(with_board))
        .order_by(ElectionIdentity.election_id)
    )
    known = set()
    for election_id, election_hash in identities.all():
        known.add(election_id)
        if election_hash is None:
            yield f"election {election_id}: the board has entries but the election was never opened"
            continue
        for problem in verify_stored_chain(session, election_id, bytes.fromhex(election_hash)):
            yield f"election {election_id}: {problem}"
    for election_id in session.scalars(with_board.order_by(BoardEntry.election_id)):
        if election_id not in known:
            yield f"election {election_id}: the board has entries but the election has no identity"


@invariant("turnout.close_counts_match_board")
def close_counts_match_board(session: Session, context: CheckContext) -> Iterator[str]:
    """The ballots per group fixed in each ``close`` entry equal the ballots on the board before it."""
    closes = session.execute(
        select(BoardEntry.election_id, BoardEntry.seq, BoardEntry.payload)
        .where(BoardEntry.type == bd.CLOSE)
        .order_by(BoardEntry.election_id, BoardEntry.seq)
    )
    for election_id, close_seq, payload in closes.all():
        stated = json.loads(payload).get("ballots", {})
        counted = {
            str(group): int(n)
            for group, n in session.execute(
                select(BoardEntry.group_key, func.count())
                .where(BoardEntry.election_id == election_id, BoardEntry.type == bd.BALLOT, BoardEntry.seq < close_seq)
                .group_by(BoardEntry.group_key)
            )
        }
        for group in sorted(set(stated) | set(counted)):
            if int(stated.get(group, 0)) != int(counted.get(group, 0)):
                yield (
                    f"election {election_id}: the close entry {close_seq} states {stated.get(group, 0)} ballots"
                    f" for group {group}, the board holds {counted.get(group, 0)}"
                )
