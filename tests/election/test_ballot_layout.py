"""The ballot of a group: one fixed option order, blank last, as the booth and the crypto ballot use it."""

from __future__ import annotations

from election.ballot_layout import BLANK, ListedCandidate, PublishedList, ballot_for_group

LISTS = [
    PublishedList(2, "Vrije lijst", (ListedCandidate(21, "Bram Visser", 1), ListedCandidate(22, "Anna Jansen", 2))),
    PublishedList(1, "FNV", (ListedCandidate(12, "Zoë de Wit", 2), ListedCandidate(11, "Cem Yilmaz", 1))),
]


def test_list_system_lists_by_number_candidates_in_list_order_blank_last():
    ballot = ballot_for_group("Noord", "list", 3, LISTS)
    assert [o.key for o in ballot.options] == ["c11", "c12", "c21", "c22", BLANK]
    assert [o.index for o in ballot.options] == [0, 1, 2, 3, 4]
    assert [lst.number for lst in ballot.lists] == [1, 2]
    assert [o.name for o in ballot.lists[0].options] == ["Cem Yilmaz", "Zoë de Wit"]
    assert ballot.max_marks == 1 and ballot.blank.kind == "blank"


def test_person_system_alphabetical_with_up_to_k_marks():
    ballot = ballot_for_group("Noord", "person", 3, LISTS)
    assert [o.name for o in ballot.candidate_options] == ["Anna Jansen", "Bram Visser", "Cem Yilmaz", "Zoë de Wit"]
    assert ballot.options[-1].key == BLANK and ballot.max_marks == 3 and ballot.lists == ()
    assert ballot_for_group("Noord", "person", 3, LISTS, votes_per_voter=2).max_marks == 2


def test_person_system_in_list_order_when_the_regulation_says_so():
    ballot = ballot_for_group("Noord", "person", 9, LISTS, person_order="lists")
    assert [o.key for o in ballot.options] == ["c11", "c12", "c21", "c22", BLANK]
    assert ballot.max_marks == 4  # never more marks than candidates


def test_the_same_input_always_gives_the_same_order():
    assert ballot_for_group("N", "person", 3, LISTS) == ballot_for_group("N", "person", 3, list(reversed(LISTS)))


def test_an_empty_group_still_has_the_blank_option():
    ballot = ballot_for_group("Zuid", "list", 2, [])
    assert [o.key for o in ballot.options] == [BLANK]
