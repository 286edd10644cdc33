"""Every list check passing and failing; the repair outcome with move-up; submission windows; no-vote."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from election import list_rules as r
from election.procedure import Phase
from election.regulation import Regulation
from election.timeline import compute_timeline

GROUP = 7


def cand(i: int, **changes: object) -> r.CandidateFacts:
    base = r.CandidateFacts(i, 100 + i, f"Person {i}", i, True, GROUP, True)
    return replace(base, **changes)  # type: ignore[arg-type]


def facts(n: int = 3, **changes: object) -> r.ListFacts:
    base = r.ListFacts(
        list_id=1,
        kind="union",
        electoral_group_id=GROUP,
        group_seats=5,
        received_on=date(2027, 1, 10),
        deadline=date(2027, 1, 10),
        max_list_length=None,
        candidates=tuple(cand(i) for i in range(1, n + 1)),
        submitter=r.SubmitterFacts("union", union_invited=True, union_declaration=frozenset(r.UNION_CONDITIONS)),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(f: r.ListFacts) -> list[str]:
    return [d.code for d in r.check_list(f)]


def test_a_good_list_has_no_defects():
    assert r.check_list(facts()) == ()


def test_passive_right_on_the_voting_day():
    f = facts(candidates=(cand(1), cand(2, passive=False)))
    assert r.passive_right(facts()) == []
    [defect] = r.passive_right(f)
    assert (defect.code, defect.candidacy_id, defect.article) == ("no_passive_right", 2, "WOR art. 6 lid 3")


def test_candidate_in_the_lists_electoral_group():
    assert r.candidate_in_group(facts()) == []
    [defect] = r.candidate_in_group(facts(candidates=(cand(1, electoral_group_id=8),)))
    assert defect.code == "wrong_electoral_group" and "9 lid 3" in defect.article


def test_one_list_only_across_groups():
    assert r.one_list_only(facts()) == []
    [defect] = r.one_list_only(facts(candidates=(cand(1), cand(2, other_lists=(44,)))))
    assert (defect.code, defect.candidacy_id) == ("on_several_lists", 2)


def test_consent_present():
    assert r.consent_present(facts()) == []
    [defect] = r.consent_present(facts(candidates=(cand(1, consent=False),)))
    assert defect.code == "no_consent"


def test_list_length_defaults_to_the_seats_of_the_group():
    assert r.list_length(facts(5)) == []
    too_long = r.list_length(facts(7))
    assert [d.candidacy_id for d in too_long] == [6, 7] and {d.code for d in too_long} == {"list_too_long"}
    assert r.list_length(facts(7, max_list_length=10)) == []
    assert len(r.list_length(facts(3, max_list_length=2))) == 1


def test_submitted_before_the_deadline():
    assert r.submitted_in_time(facts()) == []
    [defect] = r.submitted_in_time(facts(received_on=date(2027, 1, 11)))
    assert defect.code == "late" and defect.concerns_list


def test_submitter_eligible_union():
    assert r.submitter_eligible(facts()) == []
    uninvited = facts(submitter=r.SubmitterFacts("union"))
    assert [d.code for d in r.submitter_eligible(uninvited)] == ["union_not_invited"]
    partial = facts(submitter=r.SubmitterFacts("union", True, frozenset({"members_in_company"})))
    [defect] = r.submitter_eligible(partial)
    assert defect.code == "union_declaration_incomplete" and "members_consulted" in defect.message


def test_submitter_eligible_free_list():
    good = r.SubmitterFacts("free", person_active=True, person_group_id=GROUP, non_member_supporters=1)
    assert r.submitter_eligible(facts(kind="free", submitter=good)) == []
    for bad, code in (
        (replace(good, person_active=False), "submitter_not_eligible"),
        (replace(good, person_group_id=8), "submitter_not_eligible"),
        (replace(good, non_member_supporters=0), "no_non_member_supporter"),
    ):
        assert [d.code for d in r.submitter_eligible(facts(kind="free", submitter=bad))] == [code]


def test_empty_list():
    assert codes(facts(0)) == ["empty_list"]


def test_every_defect_names_a_code_of_the_catalogue_and_an_article():
    f = facts(
        7,
        received_on=date(2027, 2, 1),
        candidates=(
            cand(1, passive=False, electoral_group_id=8, consent=False, other_lists=(3,)),
            *(cand(i) for i in range(2, 8)),
        ),
    )
    found = r.check_list(f)
    assert {d.code for d in found} <= set(r.RULE_CODES)
    assert all(d.article for d in found)
    assert [d.code for d in found][:1] == ["late"]


def test_repair_strikes_unrepaired_candidates_and_those_below_move_up():
    f = facts(5, candidates=(cand(1), cand(2, consent=False), cand(3), cand(4, passive=False), cand(5)))
    outcome = r.conclude_repair(f)
    assert outcome.valid
    assert outcome.order == (1, 3, 5)
    assert {cid: d.code for cid, d in outcome.struck} == {2: "no_consent", 4: "no_passive_right"}


def test_repair_strikes_beyond_the_maximum_only_after_other_strikes():
    f = facts(4, max_list_length=3, candidates=(cand(1, consent=False), cand(2), cand(3), cand(4)))
    outcome = r.conclude_repair(f)
    assert outcome.order == (2, 3, 4)  # number 4 moved up into the allowed length
    f = facts(5, max_list_length=3)
    assert r.conclude_repair(f).order == (1, 2, 3)


def test_a_list_with_nobody_left_is_invalid():
    outcome = r.conclude_repair(facts(2, candidates=(cand(1, consent=False), cand(2, passive=False))))
    assert not outcome.valid and outcome.invalid is not None and outcome.invalid.code == "empty_list"
    assert outcome.order == ()


def test_a_late_list_is_invalid_not_repaired():
    outcome = r.conclude_repair(facts(received_on=date(2027, 2, 1)))
    assert outcome.invalid is not None and outcome.invalid.code == "late"


V = date(2027, 3, 15)


@pytest.mark.parametrize("mode", ["sequential", "simultaneous"])
def test_union_lists_in_their_phase_until_the_deadline(mode):
    t = compute_timeline(V, Regulation(candidacy_mode=mode))  # type: ignore[arg-type]
    phase = Phase.UNION_CANDIDACY if mode == "sequential" else Phase.CANDIDACY
    deadline = t["union_lists_deadline"]
    assert r.submission_window("union", phase, t, deadline).open
    assert r.submission_window("union", phase, t, deadline + timedelta(days=1)).reason == "closed"
    assert r.submission_window("union", Phase.REGISTER_FINAL, t, deadline).reason == "not_yet"
    assert r.submission_window("union", Phase.LIST_REVIEW, t, deadline).reason == "closed"


def test_sequential_free_lists_wait_for_the_union_period():
    t = compute_timeline(V, Regulation(candidacy_mode="sequential"))
    during_unions = t["union_lists_deadline"]
    assert r.submission_window("free", Phase.UNION_CANDIDACY, t, during_unions).reason == "not_yet"
    opens = t["free_candidacy_opens"]
    assert opens == during_unions + timedelta(days=1)
    assert r.submission_window("free", Phase.FREE_CANDIDACY, t, opens).open
    assert r.submission_window("union", Phase.FREE_CANDIDACY, t, opens).reason == "closed"
    assert not r.submission_window("free", Phase.FREE_CANDIDACY, t, t["free_lists_deadline"] + timedelta(days=1)).open


def test_simultaneous_free_and_union_lists_together():
    t = compute_timeline(V, Regulation(candidacy_mode="simultaneous", free_list_deadline_weeks=6))
    day = t["union_lists_deadline"] - timedelta(days=10)
    assert r.submission_window("free", Phase.CANDIDACY, t, day).open
    assert r.submission_window("union", Phase.CANDIDACY, t, day).open
    assert not any(n.code == "union_period_longer" for n in t.warnings)


def test_longer_union_period_is_warned_about():
    t = compute_timeline(V, Regulation(candidacy_mode="sequential"))
    assert any(n.code == "union_period_longer" for n in t.warnings)


def test_no_vote_when_candidates_do_not_exceed_the_seats():
    assert not r.needs_vote(5, 5)
    assert not r.needs_vote(5, 3)
    assert r.needs_vote(5, 6)
