"""Test data for hybrid voting: a count election whose regulation allows paper voting, marks, and the count."""

from __future__ import annotations

import json
from typing import Any

from crypto.elgamal import Ciphertext
from crypto.threshold import make_decryption_share
from election.count_board import SHARES_FILE_FORMAT
from election.models import CommitteeMember, Election
from election.paper_count import confirm_paper_count, digest_of, enter_paper_count, paper_counts
from election.paper_marks import mark_voted_on_paper
from election.tally_store import fix_lot_seed, submit_decryption_share, tally_document
from election.voting_codes import IssuedCode
from tests.web.count_factory import CountElection, make_count_election


def make_hybrid(app: Any, ce: CountElection) -> None:
    """Let the election's regulation allow paper voting beside online voting (``voting_channel = hybrid``)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        assert election is not None
        profile = json.loads(election.regulation or "{}")
        profile["voting_channel"] = "hybrid"
        election.regulation = json.dumps(profile)
        db.commit()


def make_hybrid_count_election(app: Any, *, people: int = 12) -> CountElection:
    """A count election (voting open at noon) whose regulation allows paper voting."""
    ce = make_count_election(app, people=people)
    make_hybrid(app, ce)
    return ce


def codes_in(ce: CountElection, group_name: str) -> list[IssuedCode]:
    """The codes issued in one electoral group, in issuing order."""
    return [c for c in ce.codes if c.group_name == group_name]


def group_names(ce: CountElection) -> list[str]:
    """The electoral groups' names, sorted."""
    return sorted({c.group_name for c in ce.codes})


def mark_paper(app: Any, ce: CountElection, issued: IssuedCode) -> int:
    """Mark the holder of ``issued`` as having voted on paper (as the election's chair); the board seq."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        assert election is not None
        mark = mark_voted_on_paper(db, election, issued.person_id, "chair@example.org", app.config["CLOCK"].now())
        db.commit()
        return mark.board_seq


def enter_paper(
    app: Any, ce: CountElection, member_id: int, group_id: str, ballots: int, counts: list[int], invalid: int
) -> None:
    """Enter one group's paper count as ``member_id`` (a committee member id)."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        member = db.get(CommitteeMember, member_id)
        assert election is not None and member is not None
        enter_paper_count(db, election, member, group_id, ballots, counts, invalid, app.config["CLOCK"].now())
        db.commit()


def confirm_paper(app: Any, ce: CountElection, member_id: int, group_id: str) -> None:
    """Confirm one group's paper count as ``member_id``, with the digest of the figures as stored."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        member = db.get(CommitteeMember, member_id)
        assert election is not None and member is not None
        digest = digest_of(paper_counts(db, ce.election_id)[group_id])
        confirm_paper_count(db, election, member, group_id, digest, app.config["CLOCK"].now())
        db.commit()


def trustee_shares(app: Any, ce: CountElection, member_id: int) -> dict[str, Any]:
    """A trustee's decryption share file for the fixed tally, made with the share the test knows."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        tally = tally_document(db, election)
    j = ce.trustees.index(member_id) + 1
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


def decrypt_and_fix_lot(app: Any, ce: CountElection, text: str = "dice 2 5 3") -> None:
    """Two trustees submit their shares and the chair fixes the lot seed."""
    for member_id in ce.trustees[:2]:
        doc = trustee_shares(app, ce, member_id)
        with app.extensions["stembus_sessions"]() as db:
            election = db.get(Election, ce.election_id)
            submit_decryption_share(db, election, db.get(CommitteeMember, member_id), doc, app.config["CLOCK"].now())
            db.commit()
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        fix_lot_seed(db, election, db.get(CommitteeMember, ce.trustees[0]), text, app.config["CLOCK"].now())
        db.commit()
