"""The result as the report reads it: quota, seats per list, lots by name, elected and reserves in order."""

from __future__ import annotations

from fractions import Fraction

from crypto.simulate import SimulationParams, build_manifest
from election.count_results import group_results
from election.list_publication import GroupOutcome, ShownCandidate, ShownList
from election.regulation import Regulation
from election.result_report import unvoted_group, voted_groups
from election.tally_store import seats_document


def _manifest(groups):
    manifest = build_manifest(SimulationParams(voters=40, candidates=2), b"result-report")
    manifest["groups"] = groups
    return manifest


def _group(gid, seats, *, lists=(), candidates=(), system="list", preference=None):
    return {
        "id": gid,
        "name": f"Groep {gid}",
        "system": system,
        "seats": seats,
        "register_count": 40,
        "max_choices": 1 if system == "list" else seats,
        "rules": {
            "remainder_method": "largest_remainders",
            "remainder_threshold": "0",
            "preference_threshold": preference,
            "surplus_seats": "vacant",
            "lot_seed": "00",
        },
        "lists": [
            {"id": f"{gid}-L{n}", "name": name, "candidates": [{"id": c, "name": c.upper()} for c in cands]}
            for n, (name, cands) in enumerate(lists, start=1)
        ],
        "candidates": [{"id": c, "name": c.upper()} for c in candidates],
    }


def _report(manifest, counts):
    seats = seats_document(manifest, counts, "5eed" * 16)
    ballots = {gid: sum(values) for gid, values in counts.items()}
    return voted_groups(manifest, seats, group_results(manifest, ballots, counts, seats))


def test_list_group_gives_quota_seats_remainders_and_a_named_lot():
    manifest = _manifest([_group("G1", 3, lists=[("Rood", ["c1", "c2"]), ("Blauw", ["c3", "c4"])])])
    # 2 + 2 valid votes for 3 seats: each list one full seat, equal remainders: the last seat by lot.
    [group] = _report(manifest, {"G1": [2, 0, 1, 1, 3]})
    assert group.quota == Fraction(4, 3) and group.valid_votes == 4 and group.blank == 3 and group.ballots == 7
    assert [(lst.name, lst.votes, lst.full_seats) for lst in group.lists] == [("Rood", 2, 1), ("Blauw", 2, 1)]
    assert [lst.remainder for lst in group.lists] == [Fraction(2, 3), Fraction(2, 3)]
    [lot] = group.lots
    assert lot.kind == "remainder" and lot.number == 1 and lot.among == ("Rood", "Blauw")
    winner = next(lst for lst in group.lists if lst.name == lot.winner)
    loser = next(lst for lst in group.lists if lst.name != lot.winner)
    assert (winner.seats, winner.remainder_seats, loser.seats) == (2, 1, 1)
    assert len(group.elected) == 3 and group.vacant_seats == 0
    assert [c.name for c in group.elected if c.list_name == "Rood"] == (
        ["C1", "C2"] if winner.name == "Rood" else ["C1"]
    )
    assert {r.list_name: r.names for r in group.reserves}[loser.name] == (("C2",) if loser.name == "Rood" else ("C4",))
    assert group.turnout == Fraction(7, 40)


def test_preference_threshold_marks_who_reached_it():
    lists = [("Rood", ["c1", "c2", "c3"]), ("Blauw", ["c4"])]
    manifest = _manifest([_group("G1", 2, lists=lists, preference="1/2")])
    [group] = _report(manifest, {"G1": [1, 0, 9, 10, 0]})
    assert group.preference_votes == Fraction(1, 2) * Fraction(20, 2)
    rood = group.lists[0]
    assert [c.preference for c in rood.candidates] == [False, False, True]
    assert [c.name for c in group.elected] == ["C3", "C4"]  # C3 passes the list order
    assert group.lists[0].candidates[0].reserve == 1


def test_person_system_tie_for_the_last_seat_is_a_seat_lot():
    cands = ["anna", "bram", "cem", "dirk"]
    manifest = _manifest([_group("P", 2, candidates=cands, system="person")])
    [group] = _report(manifest, {"P": [41, 37, 37, 12, 0]})
    [lot] = group.lots
    assert lot.kind == "seat" and lot.number == 2 and set(lot.among) == {"BRAM", "CEM"}
    assert [c.name for c in group.elected] == ["ANNA", lot.winner]
    loser = "CEM" if lot.winner == "BRAM" else "BRAM"
    assert group.reserves[0].names == (loser, "DIRK") and group.lists == ()


def test_a_group_without_vote_elects_every_candidate_and_leaves_the_rest_empty():
    outcome = GroupOutcome(
        7,
        "Zuid",
        3,
        (ShownList(1, 1, "Eén lijst", "free", None, (ShownCandidate(11, 1, "Anna", "", "", False),)),),
    )
    group = unvoted_group(outcome, 25, "list", Regulation())
    assert not group.voted and group.vacant_seats == 2 and group.quota is None and group.turnout is None
    assert [(c.name, c.list_name, c.candidacy_id) for c in group.elected] == [("Anna", "Eén lijst", 11)]
    assert group.lists[0].seats == 1 and group.reserves == ()
