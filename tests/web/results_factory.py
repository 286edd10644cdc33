"""Test data for the result: a counted election with its seats allocated, and the steps that announce it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crypto.elgamal import Ciphertext
from crypto.threshold import make_decryption_share
from election.count_board import SHARES_FILE_FORMAT
from election.models import CommitteeMember, Election
from election.procedure import Phase
from election.procedure_store import apply_step, propose_step
from election.tally_store import fix_lot_seed, submit_decryption_share, tally_document
from tests.web.count_factory import CountElection, after_voting, cast, close_vote, make_count_election

# Noord (2 seats): Lijst 1 has options 0-2, Lijst 2 options 3-4, blank 5.
# Zuid (1 seat): Lijst 3 has options 0-2, Lijst 4 options 3-4, blank 5.
NOORD_VOTES = (0, 0, 3, 5)
ZUID_TIE = (0, 3)  # one vote for each list: the only seat is decided by lot


def shares_file(app: Any, ce: CountElection, member_id: int) -> dict[str, Any]:
    """A trustee's decryption share file for the fixed tally, made with the share the test knows."""
    with app.extensions["stembus_sessions"]() as db:
        tally = tally_document(db, db.get(Election, ce.election_id))
    j = ce.trustees.index(member_id) + 1
    election_hash = bytes.fromhex(tally["election_hash"])
    return {
        "format": SHARES_FILE_FORMAT,
        "version": 1,
        "election": ce.election_id,
        "election_hash": tally["election_hash"],
        "board_head": tally["board_head"],
        "member": j,
        "groups": {
            grp["id"]: [
                make_decryption_share(election_hash, j, ce.shares[member_id], Ciphertext.from_dict(ct)).to_dict()
                for ct in grp["aggregate"]
            ]
            for grp in tally["groups"]
        },
    }


def counted_election(
    app: Any, noord: tuple[int, ...] = NOORD_VOTES, zuid: tuple[int, ...] = ZUID_TIE, lot: str = "dice 6 1 4"
) -> CountElection:
    """Real ballots cast, the vote closed, two trustees' shares in and the lot seed fixed: the result stands."""
    ce = make_count_election(app)
    for name, choices in (("Noord", noord), ("Zuid", zuid)):
        codes = [c for c in ce.codes if c.group_name == name]
        for issued, choice in zip(codes, choices, strict=False):
            cast(app, ce, issued, choice)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    now = app.config["CLOCK"].now()
    for member_id in ce.trustees[:2]:
        doc = shares_file(app, ce, member_id)
        with app.extensions["stembus_sessions"]() as db:
            election = db.get(Election, ce.election_id)
            submit_decryption_share(db, election, db.get(CommitteeMember, member_id), doc, now)
            db.commit()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        fix_lot_seed(db, election, db.get(CommitteeMember, ce.trustees[0]), lot, now)
        db.commit()
    return ce


def take_step(app: Any, election_id: int, target: Phase, member_id: int) -> None:
    """Take a (non-consequential) procedure step as a committee member, preconditions and effects included."""
    clock = app.config["CLOCK"]
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        member = db.get(CommitteeMember, member_id)
        outcome = propose_step(db, election, member, target, clock.now(), clock.today())
        assert outcome.applied
        db.commit()


def announce(app: Any, election_id: int, member_id: int, *, days_later: int = 1) -> None:
    """Move the clock ``days_later`` days on and announce the result."""
    app.config["CLOCK"].advance(timedelta(days=days_later))
    take_step(app, election_id, Phase.RESULT_ANNOUNCED, member_id)


def force_step(app: Any, election_id: int, target: Phase) -> None:
    """Apply a step without its timetable checks (arranging a test), effects included."""
    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        apply_step(db, election, target, "test", app.config["CLOCK"].now())
        db.commit()
