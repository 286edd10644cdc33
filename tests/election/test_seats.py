"""Seat allocation: the worked examples of the domain notes (section 5.3) and its invariants."""

from __future__ import annotations

import hashlib
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election.regulation import RemainderMethod, SurplusSeats
from election.seats import (
    Candidate,
    CandidateList,
    Contest,
    Lottery,
    SeatInputError,
    allocate,
    parse_contest,
)


def make_list(list_id: str, votes: int, size: int = 15) -> CandidateList:
    """A list whose first candidate carries the votes, the others one vote each."""
    others = min(size - 1, votes)
    return CandidateList(
        list_id,
        tuple(
            [Candidate(f"{list_id}-1", votes - others)]
            + [Candidate(f"{list_id}-{n}", 1) for n in range(2, others + 2)]
            + [Candidate(f"{list_id}-{n}", 0) for n in range(others + 2, size + 1)]
        ),
    )


def with_votes(list_id: str, votes: list[int]) -> CandidateList:
    return CandidateList(list_id, tuple(Candidate(f"{list_id}-{n}", v) for n, v in enumerate(votes, start=1)))


EXAMPLE_A = (
    with_votes("FNV", [120, 30, 40, 30, 30, 30, 25, 25, 20, 20]),
    with_votes("CNV", [60, 30, 20, 20, 10]),
    with_votes("Vrije lijst", [40, 20, 10, 5, 5]),
    with_votes("Jansen", [20]),
    with_votes("Vrolijk", [100, 40, 30, 20]),
)


def seats_per_list(contest: Contest) -> dict[str, int]:
    return {r.id: r.seats for r in allocate(contest).lists}


@pytest.mark.parametrize("method", ["largest_remainders", "dhondt"])
def test_example_a_or_list_system_fifteen_seats(method: RemainderMethod) -> None:
    result = allocate(Contest("list", 15, method, lists=EXAMPLE_A))
    assert result.valid_votes == 800
    assert result.quota == Fraction(800, 15)
    assert {r.id: (r.full_seats, r.seats) for r in result.lists} == {
        "FNV": (6, 7),
        "CNV": (2, 3),
        "Vrije lijst": (1, 1),
        "Jansen": (0, 0),
        "Vrolijk": (3, 4),
    }
    fnv = result.lists[0]
    assert fnv.elected == tuple(f"FNV-{n}" for n in range(1, 8))
    assert fnv.reserves == ("FNV-8", "FNV-9", "FNV-10")
    assert result.lists[3].reserves == ("Jansen-1",)
    assert len(result.elected) == 15
    assert result.vacant_seats == 0
    assert result.lots == ()


def test_example_a_two_thirds_threshold_bars_jansen_without_changing_result() -> None:
    contest = Contest("list", 15, remainder_threshold=Fraction(2, 3), lists=EXAMPLE_A)
    assert seats_per_list(contest) == {"FNV": 7, "CNV": 3, "Vrije lijst": 1, "Jansen": 0, "Vrolijk": 4}


@pytest.mark.parametrize("method", ["largest_remainders", "dhondt"])
def test_example_b_twelve_seats_four_groups(method: RemainderMethod) -> None:
    lists = (make_list("I+VII", 1900), make_list("II+VI", 1550), make_list("III+V", 700), make_list("IV", 2000))
    result = allocate(Contest("list", 12, method, lists=lists))
    assert result.quota == Fraction(1025, 2)
    assert [r.full_seats for r in result.lists] == [3, 3, 1, 3]
    assert [r.seats for r in result.lists] == [4, 3, 1, 4]


def test_example_c_largest_remainders_gives_c_and_e_the_remaining_seats() -> None:
    lists = tuple(make_list(k, v) for k, v in {"A": 4200, "B": 6150, "C": 2720, "D": 1580, "E": 1850}.items())
    result = allocate(Contest("list", 33, "largest_remainders", lists=lists))
    assert result.quota == 500
    assert [r.full_seats for r in result.lists] == [8, 12, 5, 3, 3]
    assert [r.seats for r in result.lists] == [8, 12, 6, 3, 4]


def test_example_c_dhondt_gives_b_and_a_the_remaining_seats() -> None:
    lists = tuple(make_list(k, v) for k, v in {"A": 4200, "B": 6150, "C": 2720, "D": 1580, "E": 1850}.items())
    result = allocate(Contest("list", 33, "dhondt", lists=lists))
    assert [r.seats for r in result.lists] == [9, 13, 5, 3, 3]


def test_example_d_preference_votes_beat_list_order() -> None:
    # Q = 272,000; a quarter of it is the 68,000 threshold of the example.
    x = with_votes("X", [50_000, 0, 0, 0, 100_000])
    y = make_list("Y", 394_000)
    contest = Contest("list", 2, preference_threshold=Fraction(1, 4), lists=(x, y))
    result = allocate(contest)
    assert result.quota == 272_000
    assert result.lists[0].seats == 1
    assert result.lists[0].elected == ("X-5",)
    assert result.lists[0].reserves == ("X-1", "X-2", "X-3", "X-4")


def test_without_preference_threshold_list_order_decides() -> None:
    x = with_votes("X", [50_000, 0, 0, 0, 100_000])
    result = allocate(Contest("list", 2, lists=(x, make_list("Y", 394_000))))
    assert result.lists[0].elected == ("X-1",)


def test_example_e_person_system_tie_that_fits_needs_no_lot() -> None:
    cands = (Candidate("Anna", 41), Candidate("Bram", 37), Candidate("Cem", 37), Candidate("Dirk", 12))
    result = allocate(Contest("person", 3, candidates=cands))
    assert set(result.elected) == {"Anna", "Bram", "Cem"}
    assert result.reserves == ("Dirk",)
    assert result.lots == ()


def test_example_e_person_system_two_seats_decides_tie_by_recorded_lot() -> None:
    cands = (Candidate("Anna", 41), Candidate("Bram", 37), Candidate("Cem", 37), Candidate("Dirk", 12))
    result = allocate(Contest("person", 2, lot_seed=bytes.fromhex("00ff"), candidates=cands))
    assert len(result.lots) == 1
    lot = result.lots[0]
    assert lot.among == ("Bram", "Cem") and lot.label == "seat 2"
    loser = "Cem" if lot.winner == "Bram" else "Bram"
    assert result.elected == ("Anna", lot.winner)
    assert result.reserves == (loser, "Dirk")


def test_lot_can_be_replayed_from_the_documented_derivation() -> None:
    seed = bytes.fromhex("c0ffee")

    def enc(b: bytes) -> bytes:
        return len(b).to_bytes(4, "big") + b

    among = ["Cem", "Bram"]
    everyone = enc(b"Bram") + enc(b"Cem")
    scores = {
        p: hashlib.sha256(
            enc(b"stembus-lot-v1") + enc(seed) + enc(b"seat 2") + enc(everyone) + enc(p.encode())
        ).digest()
        for p in among
    }
    expected = min(scores, key=lambda p: scores[p])
    assert Lottery(seed).draw("seat 2", among) == expected


def test_different_seeds_can_give_different_lot_winners() -> None:
    winners = {Lottery(bytes([n])).draw("seat 1", ["A", "B"]) for n in range(32)}
    assert winners == {"A", "B"}


def test_equal_remainders_for_the_last_seat_are_decided_by_lot() -> None:
    lists = (make_list("A", 10), make_list("B", 10), make_list("C", 10))
    result = allocate(Contest("list", 2, lot_seed=b"\x01", lists=lists))
    assert [lot.label for lot in result.lots] == ["remainder seat 1", "remainder seat 2"]
    assert sum(r.seats for r in result.lists) == 2
    assert result.lots[0].among == ("A", "B", "C")
    assert len(result.lots[1].among) == 2


def test_surplus_seats_stay_vacant_when_the_list_runs_out_of_candidates() -> None:
    lists = (with_votes("Jansen", [600]), make_list("Groot", 400))
    result = allocate(Contest("list", 5, lists=lists))
    jansen = result.lists[0]
    assert (jansen.full_seats, jansen.surplus_seats, jansen.seats) == (3, 2, 1)
    assert result.vacant_seats == 2
    assert result.lists[1].seats == 2


def test_surplus_seats_are_redistributed_when_the_regulation_says_so() -> None:
    lists = (with_votes("Jansen", [600]), make_list("Groot", 400), make_list("Klein", 100))
    result = allocate(Contest("list", 5, surplus_seats="redistribute", lists=lists))
    assert result.vacant_seats == 0
    assert result.lists[0].seats == 1
    assert sum(r.redistributed_seats for r in result.lists) == result.lists[0].surplus_seats
    assert sum(r.seats for r in result.lists) == 5


def test_no_valid_votes_leaves_every_seat_vacant() -> None:
    result = allocate(Contest("list", 3, lists=(make_list("A", 0),), blank=4))
    assert result.quota is None and result.vacant_seats == 3 and result.elected == ()


def test_remainder_threshold_can_bar_every_list() -> None:
    lists = tuple(make_list(k, 20) for k in "ABCDE")
    result = allocate(Contest("list", 3, remainder_threshold=Fraction(1), lists=lists))
    assert result.vacant_seats == 3


def test_blank_and_invalid_do_not_count_towards_the_quota() -> None:
    result = allocate(Contest("list", 15, lists=EXAMPLE_A, blank=30, invalid=5))
    assert result.quota == Fraction(800, 15)
    assert result.to_dict()["blank"] == 30


def test_input_document_round_trip_and_named_errors() -> None:
    doc = {
        "system": "list",
        "seats": 2,
        "remainder_threshold": "2/3",
        "lot_seed": "00ff",
        "lists": [{"id": "A", "candidates": [{"id": "A-1", "votes": 3}]}],
    }
    contest = parse_contest(doc)
    assert contest.remainder_threshold == Fraction(2, 3) and contest.lot_seed == b"\x00\xff"
    bad = [
        ({**doc, "seats": 0}, "seats"),
        ({**doc, "lot_seed": "xyz"}, "lot_seed"),
        ({**doc, "remainder_threshold": "3/2"}, "remainder_threshold"),
        ({**doc, "remainder_threshold": 0.5}, "remainder_threshold"),
        ({**doc, "remainder_method": "sainte-lague"}, "remainder_method"),
        ({**doc, "lists": [{"id": "A", "candidates": [{"id": "A-1", "votes": -1}]}]}, "lists[0].candidates[0].votes"),
        ({**doc, "lists": [{"id": "A", "candidates": [{"id": "A", "votes": 1}]}]}, "lists[0].candidates[0].id"),
        ({**doc, "lists": []}, "lists"),
        ([], "input"),
    ]
    for document, field in bad:
        with pytest.raises(SeatInputError, match=field.replace("[", r"\[").replace("]", r"\]")):
            parse_contest(document)


lists_strategy = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 8)), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    lists_strategy,
    st.integers(1, 25),
    st.sampled_from(["largest_remainders", "dhondt"]),
    st.sampled_from(["vacant", "redistribute"]),
    st.sampled_from([Fraction(0), Fraction(2, 3), Fraction(1)]),
    st.sampled_from([None, Fraction(1, 4)]),
    st.binary(max_size=4),
)
def test_every_seat_is_filled_or_vacant(
    spec: list[tuple[int, int]],
    seats: int,
    method: RemainderMethod,
    surplus: SurplusSeats,
    threshold: Fraction,
    preference: Fraction | None,
    seed: bytes,
) -> None:
    lists = tuple(make_list(f"L{n}", votes, size) for n, (votes, size) in enumerate(spec) if size or votes == 0)
    if not lists:
        return
    contest = Contest("list", seats, method, threshold, preference, surplus, seed, lists)
    result = allocate(contest)
    assert sum(r.seats for r in result.lists) + result.vacant_seats == seats
    assert len(result.elected) == len(set(result.elected)) == sum(r.seats for r in result.lists)
    for lst, r in zip(lists, result.lists, strict=True):
        assert r.seats <= len(lst.candidates)
        assert set(r.elected) | set(r.reserves) == {c.id for c in lst.candidates}
        if surplus == "vacant":
            assert r.redistributed_seats == 0
    assert allocate(contest) == result


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(1, 300), min_size=2, max_size=6),
    st.integers(1, 20),
    st.sampled_from(["largest_remainders", "dhondt"]),
    st.randoms(use_true_random=False),
)
def test_list_order_in_the_input_does_not_change_seat_counts(
    votes: list[int],
    seats: int,
    method: RemainderMethod,
    rnd: random.Random,
) -> None:
    lists = [make_list(f"L{n}", v, 30) for n, v in enumerate(votes)]
    shuffled = list(lists)
    rnd.shuffle(shuffled)
    a = seats_per_list(Contest("list", seats, method, lists=tuple(lists)))
    b = seats_per_list(Contest("list", seats, method, lists=tuple(shuffled)))
    assert a == b


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 300), min_size=1, max_size=6), st.integers(1, 20))
def test_largest_remainders_gives_each_list_its_quota_rounded_down_or_up(
    votes: list[int],
    seats: int,
) -> None:
    lists = tuple(make_list(f"L{n}", v, 30) for n, v in enumerate(votes))
    result = allocate(Contest("list", seats, lists=lists))
    quota = Fraction(sum(votes), seats)
    for v, r in zip(votes, result.lists, strict=True):
        assert v // quota <= r.seats <= v // quota + 1


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=0, max_size=10), st.integers(1, 6))
def test_person_system_elects_the_most_voted(votes: list[int], seats: int) -> None:
    cands = tuple(Candidate(f"c{n}", v) for n, v in enumerate(votes))
    result = allocate(Contest("person", seats, candidates=cands))
    assert len(result.elected) + result.vacant_seats == seats
    assert len(result.elected) + len(result.reserves) == len(cands)
    by_id = {c.id: c.votes for c in cands}
    if result.elected and result.reserves:
        assert min(by_id[c] for c in result.elected) >= max(by_id[c] for c in result.reserves)
    ranking = [by_id[c] for c in result.elected + result.reserves]
    assert ranking == sorted(ranking, reverse=True)
