"""Earmarked seats (geoormerkte zetels): reserved seats are filled first by the unit's best-placed candidates."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from election.cli import main
from election.seats import (
    Candidate,
    CandidateList,
    Contest,
    Earmark,
    Lottery,
    SeatInputError,
    allocate,
    parse_contest,
)

SEED = bytes.fromhex("00ff10ee")


def people(**votes: int) -> tuple[Candidate, ...]:
    return tuple(Candidate(cid, v) for cid, v in votes.items())


def listed(list_id: str, votes: list[int]) -> CandidateList:
    return CandidateList(list_id, tuple(Candidate(f"{list_id}-{n}", v) for n, v in enumerate(votes, start=1)))


def person_contest(seats: int, *earmarks: Earmark, **votes: int) -> Contest:
    return Contest("person", seats, lot_seed=SEED, candidates=people(**votes), earmarks=earmarks)


# ---- person system -------------------------------------------------------------------------------


def test_person_system_unit_candidate_takes_the_reserved_seat_before_the_normal_rule() -> None:
    without = allocate(person_contest(3, A=50, B=40, C=30, D=20, E=5))
    assert without.elected == ("A", "B", "C")
    result = allocate(person_contest(3, Earmark("location:Oost", 1, ("D", "E")), A=50, B=40, C=30, D=20, E=5))
    assert result.elected == ("D", "A", "B")
    assert result.reserves == ("C", "E")
    assert result.vacant_seats == 0
    assert result.to_dict()["earmarks"] == [{"id": "location:Oost", "seats": 1, "elected": ["D"], "unfilled": 0}]


def test_person_system_tie_inside_the_unit_is_decided_by_a_recorded_lot() -> None:
    contest = person_contest(2, Earmark("department:Zorg", 1, ("D", "E")), A=50, B=40, D=20, E=20)
    result = allocate(contest)
    lot = result.lots[0]
    assert lot.label == "earmark department:Zorg seat 1" and lot.among == ("D", "E")
    assert lot.winner == Lottery(SEED).draw(lot.label, ["E", "D"])
    loser = "E" if lot.winner == "D" else "D"
    assert result.elected == (lot.winner, "A")
    assert result.reserves == ("B", loser)
    assert result.earmarks[0].elected == (lot.winner,)


def test_person_system_lot_winner_depends_on_the_seed() -> None:
    winners = set()
    for n in range(16):
        contest = Contest(
            "person", 1, lot_seed=bytes([n]), candidates=people(D=7, E=7), earmarks=(Earmark("u", 1, ("D", "E")),)
        )
        winners.add(allocate(contest).elected[0])
    assert winners == {"D", "E"}


def test_person_system_unit_with_too_few_candidates_leaves_reserved_seats_to_the_normal_rule() -> None:
    result = allocate(person_contest(3, Earmark("location:Oost", 2, ("E",)), A=50, B=40, C=30, E=5))
    assert result.elected == ("E", "A", "B")
    assert result.reserves == ("C",)
    assert result.vacant_seats == 0
    assert result.earmarks[0].unfilled == 1
    assert result.to_dict()["earmarks"][0] == {"id": "location:Oost", "seats": 2, "elected": ["E"], "unfilled": 1}


def test_person_system_earmark_already_met_by_the_normal_rule_changes_nobody() -> None:
    plain = allocate(person_contest(3, A=50, B=40, C=30, D=20))
    marked = allocate(person_contest(3, Earmark("u", 1, ("B", "D")), A=50, B=40, C=30, D=20))
    assert set(marked.elected) == set(plain.elected) == {"A", "B", "C"}
    assert marked.reserves == plain.reserves == ("D",)
    assert marked.earmarks[0].elected == ("B",)


# ---- list system ---------------------------------------------------------------------------------

LISTS = (listed("L1", [100, 50, 40, 0]), listed("L2", [60, 20, 5]))


def list_contest(*earmarks: Earmark, lists: tuple[CandidateList, ...] = LISTS, **rules: Any) -> Contest:
    return Contest("list", 4, lot_seed=SEED, lists=lists, earmarks=earmarks, **rules)


def test_list_system_reserved_seat_takes_one_of_the_candidates_own_list_seats() -> None:
    plain = allocate(list_contest())
    assert plain.elected == ("L1-1", "L1-2", "L1-3", "L2-1")
    result = allocate(list_contest(Earmark("location:Oost", 1, ("L1-4", "L2-3"))))
    # L2-3 (5 personal votes) beats L1-4 (none); the seats per list stay 3 and 1.
    assert [(r.id, r.seats) for r in result.lists] == [("L1", 3), ("L2", 1)]
    l2 = result.lists[1]
    assert l2.elected == ("L2-3",) and l2.reserves == ("L2-1", "L2-2")
    assert result.elected == ("L2-3", "L1-1", "L1-2", "L1-3")
    assert result.to_dict()["earmarks"] == [{"id": "location:Oost", "seats": 1, "elected": ["L2-3"], "unfilled": 0}]


def test_list_system_skips_unit_candidates_whose_list_has_no_seat_left() -> None:
    result = allocate(list_contest(Earmark("u", 2, ("L2-2", "L2-3", "L1-4"))))
    # Seat 1: L2-2 (20 votes) takes L2's only seat; L2-3 then has no seat left on L2, so L1-4 takes one of L1's.
    assert result.earmarks[0].elected == ("L2-2", "L1-4")
    assert result.lists[0].elected == ("L1-4", "L1-1", "L1-2")
    assert result.lists[0].reserves == ("L1-3",)
    assert result.lists[1].elected == ("L2-2",)
    assert result.lists[1].reserves == ("L2-1", "L2-3")


def test_list_system_equal_votes_go_to_the_better_list_position_then_by_lot() -> None:
    lists = (listed("L1", [10, 3, 3]), listed("L2", [10, 3]))
    by_place = allocate(Contest("list", 2, lists=lists, earmarks=(Earmark("u", 1, ("L1-3", "L1-2")),)))
    assert by_place.earmarks[0].elected == ("L1-2",) and by_place.lots == ()
    by_lot = allocate(Contest("list", 2, lot_seed=SEED, lists=lists, earmarks=(Earmark("u", 1, ("L1-2", "L2-2")),)))
    lot = by_lot.lots[0]
    assert lot.label == "earmark u seat 1" and lot.among == ("L1-2", "L2-2")
    assert by_lot.earmarks[0].elected == (lot.winner,)
    assert lot.winner in by_lot.elected


def test_list_system_unfillable_earmark_keeps_the_normal_result() -> None:
    lists = (*LISTS, listed("L3", [1, 0]))
    plain = allocate(list_contest(lists=lists))
    result = allocate(list_contest(Earmark("u", 1, ("L3-1", "L3-2")), lists=lists))
    assert result.lists == plain.lists and result.elected == plain.elected
    assert result.earmarks[0].elected == () and result.earmarks[0].unfilled == 1


def test_list_system_earmark_met_by_the_list_order_changes_nobody() -> None:
    plain = allocate(list_contest())
    result = allocate(list_contest(Earmark("u", 1, ("L1-2",))))
    assert {r.id: set(r.elected) for r in result.lists} == {r.id: set(r.elected) for r in plain.lists}
    assert [r.reserves for r in result.lists] == [r.reserves for r in plain.lists]


def test_list_system_preference_votes_still_apply_to_the_other_seats() -> None:
    lists = (listed("L1", [10, 10, 60, 0]), listed("L2", [20]))
    # Quota 25, preference at half of it: L1-3 (60) goes first, then the list order.
    earmarks = (Earmark("u", 1, ("L1-4",)),)
    result = allocate(Contest("list", 4, lists=lists, preference_threshold=Fraction(1, 2), earmarks=earmarks))
    assert result.lists[0].elected == ("L1-4", "L1-3", "L1-1")


def test_list_system_without_valid_votes_reports_every_reserved_seat_unfilled() -> None:
    lists = (listed("L1", [0, 0]),)
    result = allocate(Contest("list", 2, lists=lists, earmarks=(Earmark("u", 1, ("L1-2",)),)))
    assert result.elected == () and result.to_dict()["earmarks"][0]["unfilled"] == 1


@settings(max_examples=150, deadline=None)
@given(
    votes=st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=5), min_size=1, max_size=4),
    seats=st.integers(1, 9),
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=6),
    reserved=st.integers(0, 3),
    seed=st.binary(max_size=4),
)
def test_list_system_earmarks_keep_proportionality(
    votes: list[list[int]], seats: int, picks: list[tuple[int, int]], reserved: int, seed: bytes
) -> None:
    lists = tuple(listed(f"L{i}", v) for i, v in enumerate(votes))
    unit = tuple(dict.fromkeys(f"L{i}-{j + 1}" for i, j in picks if i < len(votes) and j < len(votes[i])))
    earmark = Earmark("u", min(reserved, seats), unit)
    plain = allocate(Contest("list", seats, lot_seed=seed, lists=lists))
    marked = allocate(Contest("list", seats, lot_seed=seed, lists=lists, earmarks=(earmark,)))
    shape = [(r.id, r.votes, r.full_seats, r.remainder_seats, r.seats) for r in plain.lists]
    assert [(r.id, r.votes, r.full_seats, r.remainder_seats, r.seats) for r in marked.lists] == shape
    assert marked.vacant_seats == plain.vacant_seats
    for before, after in zip(plain.lists, marked.lists, strict=True):
        assert len(after.elected) == len(before.elected) == after.seats
        assert set(after.elected) | set(after.reserves) == set(before.elected) | set(before.reserves)
    result = marked.earmarks[0]
    assert set(result.elected) <= set(unit)
    assert len(result.elected) + result.unfilled == earmark.seats
    assert set(result.elected) <= set(marked.elected) and len(set(marked.elected)) == len(marked.elected)


# ---- input document ------------------------------------------------------------------------------


def doc(**extra: Any) -> dict[str, Any]:
    base = {"system": "person", "seats": 2, "candidates": [{"id": "A", "votes": 3}, {"id": "B", "votes": 1}]}
    return base | extra


def test_without_earmarks_the_output_has_no_earmarks_field() -> None:
    assert "earmarks" not in allocate(parse_contest(doc())).to_dict()
    assert "earmarks" not in allocate(parse_contest(doc(earmarks=[]))).to_dict()
    assert allocate(parse_contest(doc(earmarks=[]))).to_dict() == allocate(parse_contest(doc())).to_dict()


@pytest.mark.parametrize(
    ("earmarks", "message"),
    [
        ({"id": "u"}, "earmarks: must be an array"),
        ([{"id": "u", "seats": 1, "candidates": ["X"]}], "earmarks[0].candidates[0]: 'X' is not a candidate"),
        (
            [{"id": "u", "seats": 1, "candidates": ["A"]}, {"id": "v", "seats": 1, "candidates": ["A"]}],
            "earmarks[1].candidates[0]: 'A' is already in earmark 'u'",
        ),
        ([{"id": "u", "seats": 3, "candidates": ["A"]}], "earmarks: 3 reserved seats, more than the 2 seats"),
        (
            [{"id": "u", "seats": 1, "candidates": []}, {"id": "v", "seats": 2, "candidates": []}],
            "earmarks: 3 reserved seats",
        ),
        ([{"id": "u", "seats": -1, "candidates": ["A"]}], "earmarks[0].seats: must be a whole number of at least 0"),
        ([{"id": "", "seats": 1, "candidates": ["A"]}], "earmarks[0].id: must be a non-empty string"),
        (
            [{"id": "u", "seats": 1, "candidates": []}, {"id": "u", "seats": 1, "candidates": []}],
            "earmarks[1].id: 'u' is used twice",
        ),
        ([{"id": "u", "seats": 1, "candidates": "A"}], "earmarks[0].candidates: must be an array"),
    ],
)
def test_invalid_earmarks_are_named(earmarks: object, message: str) -> None:
    with pytest.raises(SeatInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_contest(doc(earmarks=earmarks))


def test_cli_reads_earmarks_and_reports_them() -> None:
    text = json.dumps(doc(seats=1, lot_seed="ab", earmarks=[{"id": "location:Oost", "seats": 1, "candidates": ["B"]}]))
    runner = CliRunner()
    as_json = runner.invoke(main, ["seats", "-", "--json"], input=text)
    assert as_json.exit_code == 0, as_json.output
    out = json.loads(as_json.stdout)
    assert out["elected"] == ["B"] and out["reserves"] == ["A"]
    assert out["earmarks"] == [{"id": "location:Oost", "seats": 1, "elected": ["B"], "unfilled": 0}]
    human = runner.invoke(main, ["seats", "-"], input=text)
    assert "earmark location:Oost: 1 reserved, elected: B" in human.stdout
