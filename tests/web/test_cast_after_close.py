"""A ballot that saw voting open but reached the board after its ``close`` entry is refused, not appended.

Casting checks the voting window first and takes the board's head only when it appends. When the
committee closes the vote in between, the ``close`` entry is already the head: the ballot (or a
tested ballot) is then refused as "closed" and the board keeps ending with ``close``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crypto import board as bd
from election import casting
from election.board_store import last_entry
from election.casting import CastRefused, cast_ballot, post_challenged
from election.models.voting import BoardEntry
from election.voting_codes import identity_of
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election
from tests.web.voting_factory import make_ballot


@pytest.fixture
def closed_while_waiting(app, monkeypatch):
    """A closed vote, and casting whose window check ran before the close (it passes whatever the time)."""
    ce = make_count_election(app)
    cast(app, ce, ce.codes[0], 0)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    monkeypatch.setattr(casting, "open_identity", lambda db, election_id, now: identity_of(db, election_id))
    return ce


def _board(app, election_id):
    with app.extensions["stembus_sessions"]() as db:
        count = db.scalar(select(func.count()).select_from(BoardEntry).where(BoardEntry.election_id == election_id))
        last = last_entry(db, election_id)
        return count, last.type if last else None


def test_a_ballot_arriving_after_the_close_entry_is_refused(app, closed_while_waiting):
    ce = closed_while_waiting
    before = _board(app, ce.election_id)
    assert before[1] in (bd.CLOSE, bd.TALLY)  # closing appends the close entry and the tallies
    ballot, _ = make_ballot(app, ce.election_id, ce.codes[1], 0)
    with app.extensions["stembus_sessions"]() as db, pytest.raises(CastRefused) as refused:
        cast_ballot(db, ce.election_id, ballot, app.config["CLOCK"].now())
    assert (refused.value.code, refused.value.status) == ("closed", 409)
    assert _board(app, ce.election_id) == before


def test_a_tested_ballot_arriving_after_the_close_entry_is_refused(app, closed_while_waiting):
    ce = closed_while_waiting
    before = _board(app, ce.election_id)
    ballot, reveal = make_ballot(app, ce.election_id, ce.codes[1], 0)
    with app.extensions["stembus_sessions"]() as db, pytest.raises(CastRefused) as refused:
        post_challenged(db, ce.election_id, {"ballot": ballot, "reveal": reveal}, app.config["CLOCK"].now())
    assert refused.value.code == "closed"
    assert _board(app, ce.election_id) == before
