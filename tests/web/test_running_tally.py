"""The tally kept while voting: every cast adds to its group's sums, closing takes them, the board re-derives them."""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from crypto import elgamal
from election.count_board import parse_manifest
from election.invariants import CheckContext
from election.models.count import ElectionCount, RunningTally
from election.running_tally import board_aggregates, running_aggregates, running_tally_matches_board
from election.voting_codes import identity_of, manifest_of
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election


def _voted(app):
    ce = make_count_election(app)
    groups = sorted({c.group_name for c in ce.codes})
    first = [c for c in ce.codes if c.group_name == groups[0]]
    cast(app, ce, first[0], 0)
    cast(app, ce, first[1], 1)
    cast(app, ce, first[2], 1)
    return ce


def _manifest(db, election_id):
    identity = identity_of(db, election_id)
    assert identity is not None
    return parse_manifest(manifest_of(identity))


def _breaches(app):
    with app.extensions["stembus_sessions"]() as db:
        return list(running_tally_matches_board(db, CheckContext(now=app.config["CLOCK"].now())))


def test_every_cast_adds_to_its_groups_running_sums(app):
    ce = _voted(app)
    with app.extensions["stembus_sessions"]() as db:
        manifest = _manifest(db, ce.election_id)
        kept = running_aggregates(db, ce.election_id, manifest)
        derived = board_aggregates(db, ce.election_id, manifest)
    assert kept is not None
    assert [g.to_dict() for g in kept] == [g.to_dict() for g in derived]
    assert [g.ballots for g in kept] == [3, 0]  # a group nobody voted in has the trivial sums
    assert all(ct == elgamal.ZERO_CIPHERTEXT for ct in kept[1].aggregate)
    assert _breaches(app) == []


def test_closing_takes_the_running_sums(app):
    ce = _voted(app)
    with app.extensions["stembus_sessions"]() as db:
        manifest = _manifest(db, ce.election_id)
        kept = running_aggregates(db, ce.election_id, manifest)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    with app.extensions["stembus_sessions"]() as db:
        count = db.scalars(select(ElectionCount).where(ElectionCount.election_id == ce.election_id)).one()
        assert kept is not None
        assert json.loads(count.aggregates) == [g.to_dict() for g in kept]


def test_altered_running_sums_are_named_by_the_check(app):
    ce = _voted(app)
    with app.extensions["stembus_sessions"]() as db:
        row = db.scalars(select(RunningTally).where(RunningTally.election_id == ce.election_id)).one()
        sums = json.loads(row.aggregate)
        sums[0], sums[1] = sums[1], sums[0]  # move a vote from one candidate to another
        row.aggregate = json.dumps(sums)
        group = row.group_key
        db.commit()
    assert _breaches(app) == [f"election {ce.election_id}: group {group}: the running sums differ from the board's"]


def test_running_sums_that_miss_ballots_give_way_to_the_board(app):
    ce = _voted(app)
    with app.extensions["stembus_sessions"]() as db:
        row = db.scalars(select(RunningTally).where(RunningTally.election_id == ce.election_id)).one()
        row.ballots, group = 2, row.group_key
        db.commit()
    assert _breaches(app) == [
        f"election {ce.election_id}: group {group}: the running tally counts 2 ballots, the board 3"
    ]
    with app.extensions["stembus_sessions"]() as db:
        assert running_aggregates(db, ce.election_id, _manifest(db, ce.election_id)) is None
        db.execute(delete(RunningTally).where(RunningTally.election_id == ce.election_id))
        db.commit()
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    with app.extensions["stembus_sessions"]() as db:
        count = db.scalars(select(ElectionCount).where(ElectionCount.election_id == ce.election_id)).one()
        derived = board_aggregates(db, ce.election_id, _manifest(db, ce.election_id))
        assert json.loads(count.aggregates) == [g.to_dict() for g in derived]
