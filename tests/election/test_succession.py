"""Succession from the stored result: same list (list system), next by votes (person system).

The results come from the real seat allocation of the domain's worked example A (list system,
15 seats: FNV 7 of 10 candidates, Vrolijk 4 of 4) and of a person-system contest with a tie
among the reserves, so the reserve orders are the ones the count stores.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from election.seats import allocate, parse_contest
from election.succession import (
    Offer,
    SuccessionError,
    VacancyFacts,
    check_answer,
    check_vacancy,
    propose,
    results_from_record,
    seated,
)

DATA = Path(__file__).parent / "data"
TERM_END = date(2029, 6, 1)
LEFT = date(2027, 3, 1)  # more than six months before the term ends


def _stored(doc: dict[str, Any], group: str = "G1"):
    """The group's result as stored: a manifest group and seats.json from the real allocation."""
    output = allocate(parse_contest(doc)).to_dict()
    grp: dict[str, Any] = {"id": group, "name": "Noord", "system": doc["system"], "lists": [], "candidates": []}
    if doc["system"] == "list":
        grp["lists"] = [
            {
                "id": lst["id"],
                "name": lst["id"],
                "candidates": [{"id": c["id"], "name": c["id"]} for c in lst["candidates"]],
            }
            for lst in doc["lists"]
        ]
    else:
        grp["candidates"] = [{"id": c["id"], "name": c["id"]} for c in doc["candidates"]]
    manifest = {"groups": [grp]}
    seats = {"groups": [{"id": group, "input": doc, "output": output}]}
    return results_from_record(manifest, seats)[group]


@pytest.fixture
def example_a():
    return _stored(json.loads((DATA / "seats-example-a.json").read_text()))


@pytest.fixture
def person():
    doc = {
        "system": "person",
        "seats": 2,
        "lot_seed": "00ff",
        "candidates": [
            {"id": "Anna", "votes": 41},
            {"id": "Bram", "votes": 12},
            {"id": "Cem", "votes": 37},
            {"id": "Dirk", "votes": 20},
            {"id": "Eva", "votes": 20},
            {"id": "Fay", "votes": 3},
        ],
    }
    return _stored(doc)


def _propose(result, history, vacancy, **kw):
    return propose(result, history, vacancy, term_ends_on=kw.get("term_end", TERM_END), open_months=6)


def test_the_stored_result_reads_as_the_allocation_made_it(example_a):
    assert example_a.system == "list"
    assert len(example_a.elected) == 15
    assert example_a.reserves["FNV"] == ("FNV-8", "FNV-9", "FNV-10")
    assert example_a.reserves["Vrolijk"] == ()
    assert example_a.reserves["Jansen"] == ("Jansen-1",)


def test_list_system_takes_the_next_reserve_of_the_same_list(example_a):
    vacancy = VacancyFacts("FNV-3", LEFT)
    proposal = _propose(example_a, [vacancy], vacancy)
    # Jansen-1 (20 votes, another list) is never asked for an FNV seat.
    assert proposal.successor == "FNV-8" and proposal.passed_over == ()
    assert proposal.serves_until == TERM_END
    cnv = VacancyFacts("CNV-1", LEFT)
    assert _propose(example_a, [cnv], cnv).successor == "CNV-4"


def test_a_declined_successor_passes_the_seat_to_the_next_one(example_a):
    vacancy = VacancyFacts("FNV-3", LEFT, (Offer("FNV-8", "declined"),))
    proposal = _propose(example_a, [vacancy], vacancy)
    assert proposal.successor == "FNV-9"
    assert proposal.passed_over == (("FNV-8", "declined"),)


def test_a_candidate_who_declined_once_is_asked_again_for_a_later_vacancy(example_a):
    first = VacancyFacts("FNV-3", LEFT, (Offer("FNV-8", "declined"), Offer("FNV-9", "accepted")))
    second = VacancyFacts("FNV-1", date(2027, 9, 1))
    proposal = _propose(example_a, [first, second], second)
    assert proposal.successor == "FNV-8" and proposal.passed_over == ()
    # Should FNV-8 decline this time too, FNV-9 is skipped as seated and FNV-10 is next.
    second = VacancyFacts("FNV-1", date(2027, 9, 1), (Offer("FNV-8", "declined"),))
    proposal = _propose(example_a, [first, second], second)
    assert proposal.successor == "FNV-10"
    assert proposal.passed_over == (("FNV-8", "declined"), ("FNV-9", "seated"))


def test_a_candidate_no_longer_eligible_is_passed_over_for_the_rest_of_the_term(example_a):
    first = VacancyFacts("FNV-3", LEFT, (Offer("FNV-8", "not_eligible"), Offer("FNV-9", "accepted")))
    second = VacancyFacts("FNV-1", date(2027, 9, 1))
    proposal = _propose(example_a, [first, second], second)
    assert proposal.successor == "FNV-10"
    assert proposal.passed_over == (("FNV-8", "not_eligible"), ("FNV-9", "seated"))


def test_an_exhausted_list_gives_no_successor_and_a_by_election(example_a):
    # Vrolijk won 4 seats with 4 candidates: nobody is left on that list.
    vacancy = VacancyFacts("Vrolijk-2", LEFT)
    proposal = _propose(example_a, [vacancy], vacancy)
    assert proposal.successor is None
    assert (proposal.outcome, proposal.reason) == ("by_election", "list_exhausted")


def test_an_exhausted_list_close_to_the_term_end_leaves_the_seat_open(example_a):
    vacancy = VacancyFacts("Vrolijk-2", date(2029, 1, 15))  # four and a half months before the term ends
    proposal = _propose(example_a, [vacancy], vacancy)
    assert (proposal.successor, proposal.outcome) == (None, "leave_open")


def test_a_list_runs_out_after_every_reserve_declined(example_a):
    offers = tuple(Offer(c, "declined") for c in ("FNV-8", "FNV-9", "FNV-10"))
    vacancy = VacancyFacts("FNV-2", LEFT, offers)
    proposal = _propose(example_a, [vacancy], vacancy)
    assert proposal.successor is None and proposal.reason == "list_exhausted"
    assert [why for _, why in proposal.passed_over] == ["declined"] * 3


def test_person_system_takes_the_next_by_votes(person):
    assert person.elected == ("Anna", "Cem")
    # Dirk and Eva tie at 20 votes: the count's lot fixed their order, succession follows it.
    assert set(person.reserves[None][:2]) == {"Dirk", "Eva"} and person.reserves[None][2:] == ("Bram", "Fay")
    vacancy = VacancyFacts("Cem", LEFT)
    assert _propose(person, [vacancy], vacancy).successor == person.reserves[None][0]


def test_person_system_without_reserves_left_has_no_successor(person):
    vacancy = VacancyFacts("Anna", LEFT, tuple(Offer(c, "declined") for c in person.reserves[None]))
    proposal = _propose(person, [vacancy], vacancy)
    assert (proposal.successor, proposal.reason, proposal.outcome) == (None, "no_reserves", "by_election")


def test_a_successor_who_leaves_is_succeeded_from_the_same_list(example_a):
    first = VacancyFacts("FNV-3", LEFT, (Offer("FNV-8", "accepted"),))
    assert "FNV-8" in seated(example_a, [first]) and "FNV-3" not in seated(example_a, [first])
    second = VacancyFacts("FNV-8", date(2027, 10, 1))
    check_vacancy(example_a, [first], "FNV-8")
    proposal = _propose(example_a, [first, second], second)
    assert proposal.successor == "FNV-9"


def test_only_a_seated_member_can_leave(example_a):
    with pytest.raises(SuccessionError) as refused:
        check_vacancy(example_a, [], "FNV-9")  # a reserve holds no seat
    assert refused.value.code == "not_seated"
    with pytest.raises(SuccessionError) as refused:
        check_vacancy(example_a, [], "nobody")
    assert refused.value.code == "unknown_member"
    left = VacancyFacts("FNV-3", LEFT, (Offer("FNV-8", "accepted"),))
    with pytest.raises(SuccessionError) as refused:
        check_vacancy(example_a, [left], "FNV-3")  # left already; FNV-8 holds the seat now
    assert refused.value.code == "not_seated"
    check_vacancy(example_a, [left], "FNV-8")


def test_an_answer_is_taken_only_for_the_proposed_candidate(example_a):
    vacancy = VacancyFacts("FNV-3", LEFT)
    proposal = _propose(example_a, [vacancy], vacancy)
    assert check_answer(proposal, "FNV-8", "declined") == "declined"
    with pytest.raises(SuccessionError) as refused:
        check_answer(proposal, "FNV-9", "accepted")
    assert refused.value.code == "out_of_order"
    with pytest.raises(SuccessionError) as refused:
        check_answer(proposal, "FNV-8", "maybe")
    assert refused.value.code == "bad_answer"
    exhausted = VacancyFacts("Vrolijk-1", LEFT)
    with pytest.raises(SuccessionError) as refused:
        check_answer(_propose(example_a, [exhausted], exhausted), "Jansen-1", "accepted")
    assert refused.value.code == "no_successor"
