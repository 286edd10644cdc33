"""Hybrid voting's pure rules: when paper voting is allowed, what a paper count must add up to, and how
the online and paper votes are added before the seats are allocated."""

from __future__ import annotations

import pytest

from crypto import record as rc
from crypto.record_schema import Field
from crypto.verify_paper import with_paper
from election.count_results import group_results
from election.paper_voting import PaperTotals, add_paper, paper_problems, total_invalid
from election.regulation import Regulation
from election.seats import allocate, parse_contest
from election.tally_store import seats_document

MANIFEST = {
    "format": "stembus-election-record",
    "version": 1,
    "election": {"id": "e1", "organisation": "Acme", "title": "OR 2026"},
    "committee": {"trustees": 3, "threshold": 2},
    "groups": [
        {
            "id": "G1",
            "name": "Noord",
            "system": "list",
            "seats": 3,
            "register_count": 40,
            "max_choices": 1,
            "rules": {
                "remainder_method": "largest_remainders",
                "remainder_threshold": "0",
                "preference_threshold": None,
                "surplus_seats": "vacant",
                "lot_seed": "00",
            },
            "lists": [
                {"id": "L1", "name": "Lijst 1", "candidates": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]},
                {"id": "L2", "name": "Lijst 2", "candidates": [{"id": "c", "name": "C"}, {"id": "d", "name": "D"}]},
            ],
            "candidates": [],
        }
    ],
}


def test_paper_voting_is_off_unless_the_regulation_chooses_hybrid_voting():
    assert Regulation().paper_beside_online is False
    assert Regulation(voting_channel="hybrid").paper_beside_online is True
    assert Regulation(voting_channel="paper", evoting_allowed=False).paper_beside_online is False


def test_a_list_system_paper_count_adds_up_to_the_ballots_found():
    good = PaperTotals(ballots=7, counts=(3, 0, 2, 0, 1), invalid=1)
    assert paper_problems(good, system="list", max_choices=1, n_options=5, marked=7) == []
    short = PaperTotals(ballots=8, counts=(3, 0, 2, 0, 1), invalid=1)
    [problem] = paper_problems(short, system="list", max_choices=1, n_options=5, marked=8)
    assert problem.code == "list_sum" and problem.details == {"ballots": 8, "found": 7}


def test_there_are_never_more_paper_ballots_than_voters_marked_as_voting_on_paper():
    totals = PaperTotals(ballots=4, counts=(4, 0, 0, 0, 0), invalid=0)
    [problem] = paper_problems(totals, system="list", max_choices=1, n_options=5, marked=3)
    assert problem.code == "more_than_marked" and problem.details == {"ballots": 4, "marked": 3}


def test_a_person_system_ballot_carries_one_to_k_votes():
    fits = PaperTotals(ballots=4, counts=(3, 2, 1, 1), invalid=1)  # 2 marked ballots, 6 votes, k = 3
    assert paper_problems(fits, system="person", max_choices=3, n_options=4, marked=4) == []
    too_many = PaperTotals(ballots=4, counts=(3, 3, 1, 1), invalid=1)
    assert [p.code for p in paper_problems(too_many, system="person", max_choices=3, n_options=4, marked=4)] == [
        "person_marks"
    ]
    blank_heavy = PaperTotals(ballots=1, counts=(0, 0, 0, 2), invalid=0)
    assert [p.code for p in paper_problems(blank_heavy, system="person", max_choices=3, n_options=4, marked=4)] == [
        "person_blank"
    ]


@pytest.mark.parametrize(
    ("totals", "code"),
    [
        (PaperTotals(ballots=1, counts=(1, 0), invalid=0), "options"),
        (PaperTotals(ballots=1, counts=(2, -1, 0, 0, 0), invalid=0), "negative"),
    ],
)
def test_a_paper_count_must_fit_the_ballot(totals, code):
    assert [p.code for p in paper_problems(totals, system="list", max_choices=1, n_options=5, marked=9)] == [code]


def test_online_and_paper_votes_are_added_option_by_option():
    paper = PaperTotals(ballots=6, counts=(1, 0, 4, 0, 1), invalid=0)
    assert add_paper([5, 2, 0, 1, 3], paper) == [6, 2, 4, 1, 4]
    assert add_paper([5, 2, 0, 1, 3], None) == [5, 2, 0, 1, 3]
    assert total_invalid(PaperTotals(2, (0, 0, 0, 0, 1), 1)) == 1 and total_invalid(None) == 0
    with pytest.raises(ValueError, match="paper counts"):
        add_paper([1, 2], paper)


def test_the_verifier_adds_the_same_way():
    grp = rc.parse_manifest(Field(rc.MANIFEST, "", MANIFEST)).groups[0]
    online = dict(zip(grp.options, [6, 0, 4, 0, 0], strict=True))
    counts, invalid = with_paper(grp, online, PaperTotals(ballots=7, counts=(0, 0, 5, 1, 0), invalid=1))
    assert counts == {"a": 6, "b": 0, "c": 9, "d": 1, "blank": 0} and invalid == 1
    assert with_paper(grp, online, None) == (online, 0)


def test_seats_are_allocated_from_the_sum_and_the_invalid_paper_ballots_go_with_it():
    online = {"G1": [6, 0, 4, 0, 0]}  # online: list 1 has 6 votes, list 2 has 4
    paper = {"G1": PaperTotals(ballots=7, counts=(0, 0, 5, 1, 0), invalid=1)}  # paper: list 2 gets 6 more
    doc = seats_document(MANIFEST, online, "00" * 32, paper)["groups"][0]
    votes = {c["id"]: c["votes"] for lst in doc["input"]["lists"] for c in lst["candidates"]}
    assert votes == {"a": 6, "b": 0, "c": 9, "d": 1} and doc["input"]["invalid"] == 1
    seats = {lst["id"]: lst["seats"] for lst in doc["output"]["lists"]}
    assert seats == {"L1": 1, "L2": 2}
    online_only = seats_document(MANIFEST, online, "00" * 32)["groups"][0]
    assert {lst["id"]: lst["seats"] for lst in online_only["output"]["lists"]} == {"L1": 2, "L2": 1}
    assert online_only["input"]["invalid"] == 0
    assert allocate(parse_contest(doc["input"])).to_dict() == doc["output"]


def test_the_results_show_online_paper_and_total_apart():
    online = {"G1": [6, 0, 4, 0, 0]}
    paper = {"G1": PaperTotals(ballots=7, counts=(0, 0, 5, 1, 0), invalid=1)}
    seats = seats_document(MANIFEST, online, "00" * 32, paper)
    [result] = group_results(MANIFEST, {"G1": 10}, online, seats, paper)
    assert result.ballots == 17 and result.paper_ballots == 7 and result.invalid == 1
    first, second = result.lists
    assert (second.online, second.paper, second.votes) == (4, 6, 10)
    assert [(c.online, c.paper, c.votes) for c in second.candidates] == [(4, 5, 9), (0, 1, 1)]
    [plain] = group_results(MANIFEST, {"G1": 10}, online, seats_document(MANIFEST, online, "00" * 32))
    assert plain.paper_ballots is None and plain.lists[0].candidates[0].online is None
    assert plain.ballots == 10 and first.votes == 6
