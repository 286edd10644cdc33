"""One list only across linked elections, and the change window of a list, as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from election import list_rules as r
from election.list_links import normalise_link_group
from election.list_repair import change_window
from election.setup_store import SetupInvalid

GROUP = 7
OC = r.LinkedCandidacy("Haven Logistiek OC Rotterdam (2027-03-01, #2)", "FNV")


def cand(i: int, **changes: object) -> r.CandidateFacts:
    return replace(r.CandidateFacts(i, 100 + i, f"Person {i}", i, True, GROUP, True), **changes)  # type: ignore[arg-type]


def facts(*candidates: r.CandidateFacts) -> r.ListFacts:
    return r.ListFacts(
        list_id=1,
        kind="union",
        electoral_group_id=GROUP,
        group_seats=5,
        received_on=date(2027, 1, 10),
        deadline=date(2027, 1, 10),
        max_list_length=None,
        candidates=candidates or (cand(1), cand(2)),
        submitter=r.SubmitterFacts("union", union_invited=True, union_declaration=frozenset(r.UNION_CONDITIONS)),
    )


def test_a_candidate_on_no_list_of_a_linked_election_passes():
    assert r.one_list_across_linked_elections(facts()) == []
    assert r.check_list(facts()) == ()


def test_a_candidate_on_a_list_of_a_linked_election_is_flagged_naming_that_election():
    [defect] = r.one_list_across_linked_elections(facts(cand(1), cand(2, linked=(OC,))))
    assert (defect.code, defect.candidacy_id, defect.subject) == ("on_list_in_linked_election", 2, "Person 2")
    assert "Haven Logistiek OC Rotterdam (2027-03-01, #2)" in defect.message and "“FNV”" in defect.message
    assert defect.detail == "Haven Logistiek OC Rotterdam (2027-03-01, #2): “FNV”"
    assert "sbi.nl" in defect.article
    assert "on_list_in_linked_election" in r.RULE_CODES
    assert [d.code for d in r.check_list(facts(cand(1, linked=(OC,))))] == ["on_list_in_linked_election"]


def test_the_linked_rule_is_separate_from_the_rule_within_one_election():
    both = facts(cand(1, other_lists=(9,), linked=(OC,)))
    assert [d.code for d in r.check_list(both)] == ["on_several_lists", "on_list_in_linked_election"]


def test_an_unrepaired_linked_candidacy_is_struck_and_those_below_move_up():
    outcome = r.conclude_repair(facts(cand(1, linked=(OC,)), cand(2), cand(3)))
    assert [(cid, d.code) for cid, d in outcome.struck] == [(1, "on_list_in_linked_election")]
    assert outcome.order == (2, 3) and outcome.valid


def test_link_codes_are_normalised_and_checked():
    assert normalise_link_group("  OR en OC   2027 ") == "or en oc 2027"
    assert normalise_link_group("") is None and normalise_link_group(None) is None
    with pytest.raises(SetupInvalid):
        normalise_link_group("or;drop")
    with pytest.raises(SetupInvalid):
        normalise_link_group("x" * 61)


# ---- the change window of a list (domain 2.4 and 8 item 12) ------------------------------------

TODAY = date(2027, 2, 1)


def _list(status: str = "defective", ids: tuple[int, ...] = (1, 2, 3)) -> SimpleNamespace:
    return SimpleNamespace(
        kind="union", status=status, candidates=[SimpleNamespace(id=i, status="active") for i in ids]
    )


def _election(phase: str = "list_review") -> SimpleNamespace:
    # The union deadline lies well before TODAY: the submission window is closed.
    voting_day = TODAY + timedelta(weeks=3)
    return SimpleNamespace(
        phase=phase, voting_day=voting_day, voting_days=1, term_end=voting_day + timedelta(weeks=8), regulation="{}"
    )


def test_during_the_repair_window_only_candidates_named_in_the_notice_can_be_taken_off():
    window = change_window(_election(), _list(), TODAY, frozenset({2}), TODAY)  # type: ignore[arg-type]
    assert (window.state, window.removable, window.deadline) == ("repair", frozenset({2}), TODAY)


@pytest.mark.parametrize(
    ("phase", "status", "deadline", "refusal"),
    [
        ("list_review", "defective", TODAY - timedelta(days=1), "repair_closed"),
        ("list_review", "submitted", None, "no_repair_window"),
        ("list_review", "valid", TODAY, "judged"),
        ("lists_published", "valid", TODAY, "published"),
    ],
)
def test_outside_the_repair_window_a_list_cannot_change(phase, status, deadline, refusal):
    window = change_window(_election(phase), _list(status), deadline, frozenset({2}), TODAY)  # type: ignore[arg-type]
    assert (window.open, window.refusal, window.removable) == (False, refusal, frozenset())
