"""Test data for what follows the count: an election whose result (seats) exists, made quickly.

The vote runs through the real code (ballots cast, board closed by two members); the trustees'
decryption shares are made directly from the shares the test knows (never so in a real election),
which skips the sealed backups and the command line that ``tests/web/test_count.py`` exercises.
"""

from __future__ import annotations

from typing import Any

from crypto.elgamal import Ciphertext
from crypto.threshold import make_decryption_share
from election.count_board import SHARES_FILE_FORMAT
from election.models import CommitteeMember, Election
from election.procedure import Phase
from election.procedure_store import apply_step
from election.tally_store import fix_lot_seed, submit_decryption_share, tally_document
from tests.web.count_factory import CountElection, after_voting, cast, close_vote, make_count_election

# (group index, option) per voter. Noord (2 seats): Lijst 1 (options 0-2) gets 4 votes and both seats,
# Lijst 2 (options 3-4) one vote; Zuid (1 seat): one vote for the first candidate of Lijst 3.
BALLOTS = ((0, 0), (0, 1), (0, 0), (0, 2), (0, 3), (1, 0))


def share_doc(app: Any, ce: CountElection, member_id: int) -> dict[str, Any]:
    """Trustee ``member_id``'s decryption share file for the election's tally, as the tool writes it."""
    j = ce.trustees.index(member_id) + 1
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        assert election is not None
        tally = tally_document(db, election)
    election_hash = bytes.fromhex(tally["election_hash"])
    groups = {
        grp["id"]: [
            make_decryption_share(
                election_hash, j, ce.shares[member_id], Ciphertext.from_dict(ct, allow_identity=True)
            ).to_dict()
            for ct in grp["aggregate"]
        ]
        for grp in tally["groups"]
    }
    return {
        "format": SHARES_FILE_FORMAT,
        "version": 1,
        "election": ce.election_id,
        "election_hash": tally["election_hash"],
        "board_head": tally["board_head"],
        "member": j,
        "groups": groups,
    }


def make_result_election(app: Any, ballots: tuple[tuple[int, int], ...] = BALLOTS) -> CountElection:
    """A closed vote with real ballots, decrypted by two of three trustees, the lot seed fixed: seats exist."""
    ce = make_count_election(app)
    groups = sorted({c.group_name for c in ce.codes})
    used: dict[str, int] = {}
    for group_index, option in ballots:
        name = groups[group_index]
        cast(app, ce, [c for c in ce.codes if c.group_name == name][used.get(name, 0)], option)
        used[name] = used.get(name, 0) + 1
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    for member_id in ce.trustees[:2]:
        doc = share_doc(app, ce, member_id)
        with app.extensions["stembus_sessions"]() as db:
            election = db.get(Election, ce.election_id)
            member = db.get(CommitteeMember, member_id)
            assert election is not None and member is not None
            submit_decryption_share(db, election, member, doc, app.config["CLOCK"].now())
            db.commit()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        member = db.get(CommitteeMember, ce.trustees[0])
        assert election is not None and member is not None
        fix_lot_seed(db, election, member, "dice 3 1 6 5 2", app.config["CLOCK"].now())
        db.commit()
    return ce


def take_step(app: Any, election_id: int, target: Phase) -> None:
    """Move the election to ``target`` with the step's effects (announcing opens the objection window)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        apply_step(db, election, target, "chair@example.org", app.config["CLOCK"].now())
        db.commit()
