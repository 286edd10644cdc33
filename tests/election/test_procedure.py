"""The procedure as a state machine: order, earliest dates, four eyes, postponement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from election.procedure import (
    TRANSITIONS,
    Phase,
    StepRefused,
    allowed_next,
    check_confirmation,
    check_transition,
    needs_confirmation,
    postpone,
    precedes,
)
from election.regulation import Regulation
from election.timeline import compute_timeline

V = date(2027, 3, 15)
TL = compute_timeline(V, term_end=date(2027, 4, 1))

HAPPY_PATH = [
    (Phase.DRAFT, Phase.ANNOUNCED, date(2026, 12, 1)),
    (Phase.ANNOUNCED, Phase.REGISTER_OPEN_FOR_OBJECTION, date(2026, 12, 22)),
    (Phase.REGISTER_OPEN_FOR_OBJECTION, Phase.REGISTER_FINAL, date(2027, 1, 19)),
    (Phase.REGISTER_FINAL, Phase.UNION_CANDIDACY, date(2027, 1, 19)),
    (Phase.UNION_CANDIDACY, Phase.FREE_CANDIDACY, date(2027, 2, 2)),
    (Phase.FREE_CANDIDACY, Phase.LIST_REVIEW, date(2027, 2, 16)),
    (Phase.LIST_REVIEW, Phase.LISTS_PUBLISHED, date(2027, 2, 22)),
    (Phase.LISTS_PUBLISHED, Phase.LISTS_FINAL, date(2027, 3, 2)),
    (Phase.LISTS_FINAL, Phase.VOTING, date(2027, 3, 15)),
    (Phase.VOTING, Phase.COUNTED, date(2027, 3, 15)),
    (Phase.COUNTED, Phase.RESULT_ANNOUNCED, date(2027, 3, 16)),
    (Phase.RESULT_ANNOUNCED, Phase.RESULT_FINAL, date(2027, 3, 30)),
    (Phase.RESULT_FINAL, Phase.INSTALLED, date(2027, 4, 1)),
    (Phase.INSTALLED, Phase.ARCHIVED, date(2027, 6, 15)),
]


@pytest.mark.parametrize(("current", "target", "today"), HAPPY_PATH)
def test_each_step_of_the_procedure_is_allowed_on_its_date(
    current: Phase,
    target: Phase,
    today: date,
) -> None:
    check_transition(current, target, today, TL)


@pytest.mark.parametrize(
    ("current", "target", "today"),
    [row for row in HAPPY_PATH if row[1] not in (Phase.ANNOUNCED, Phase.UNION_CANDIDACY, Phase.RESULT_ANNOUNCED)],
)
def test_each_dated_step_is_refused_the_day_before(
    current: Phase,
    target: Phase,
    today: date,
) -> None:
    with pytest.raises(StepRefused) as err:
        check_transition(current, target, today - timedelta(days=1), TL)
    assert err.value.earliest == today
    assert err.value.basis


def test_every_phase_can_reach_archived() -> None:
    reachable = {Phase.ARCHIVED}
    for _ in Phase:
        reachable |= {p for p, nxt in TRANSITIONS.items() if nxt & reachable}
    assert reachable == set(Phase)


def test_skipping_a_step_is_refused_with_the_next_possible_steps() -> None:
    with pytest.raises(StepRefused, match="next may be: register_open_for_objection") as err:
        check_transition(Phase.ANNOUNCED, Phase.VOTING, V, TL)
    assert err.value.earliest is None
    assert err.value.current is Phase.ANNOUNCED and err.value.target is Phase.VOTING


def test_going_back_is_refused() -> None:
    with pytest.raises(StepRefused):
        check_transition(Phase.VOTING, Phase.LISTS_FINAL, V, TL)


def test_announcing_after_the_announcement_date_is_refused() -> None:
    with pytest.raises(StepRefused, match="postpone"):
        check_transition(Phase.DRAFT, Phase.ANNOUNCED, date(2026, 12, 15), TL)


def test_no_vote_needed_when_candidates_do_not_exceed_seats() -> None:
    check_transition(Phase.LISTS_FINAL, Phase.NO_VOTE_NEEDED, date(2027, 3, 2), TL)
    check_transition(Phase.NO_VOTE_NEEDED, Phase.RESULT_ANNOUNCED, date(2027, 3, 2), TL)


def test_simultaneous_mode_has_one_candidacy_phase() -> None:
    tl = compute_timeline(V, Regulation(candidacy_mode="simultaneous"))
    assert allowed_next(Phase.REGISTER_FINAL, tl) == {Phase.CANDIDACY}
    check_transition(Phase.REGISTER_FINAL, Phase.CANDIDACY, date(2027, 1, 19), tl)
    with pytest.raises(StepRefused):
        check_transition(Phase.REGISTER_FINAL, Phase.UNION_CANDIDACY, date(2027, 1, 19), tl)
    with pytest.raises(StepRefused):
        check_transition(Phase.REGISTER_FINAL, Phase.CANDIDACY, date(2027, 1, 19), TL)


def test_installation_waits_for_the_term_end() -> None:
    with pytest.raises(StepRefused) as err:
        check_transition(Phase.RESULT_FINAL, Phase.INSTALLED, date(2027, 3, 31), TL)
    assert err.value.earliest == date(2027, 4, 1)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Phase.DRAFT, Phase.ANNOUNCED),
        (Phase.REGISTER_OPEN_FOR_OBJECTION, Phase.REGISTER_FINAL),
        (Phase.LIST_REVIEW, Phase.LISTS_PUBLISHED),
        (Phase.LISTS_FINAL, Phase.VOTING),
        (Phase.VOTING, Phase.COUNTED),
    ],
)
def test_consequential_steps_need_a_second_committee_member(current: Phase, target: Phase) -> None:
    assert needs_confirmation(current, target)
    with pytest.raises(StepRefused, match="second committee member"):
        check_confirmation(current, target, "anna", None)
    with pytest.raises(StepRefused):
        check_confirmation(current, target, "anna", "anna")
    check_confirmation(current, target, "anna", "bram")


def test_ordinary_steps_need_no_confirmation() -> None:
    assert not needs_confirmation(Phase.COUNTED, Phase.RESULT_ANNOUNCED)
    check_confirmation(Phase.COUNTED, Phase.RESULT_ANNOUNCED, "anna", None)


def test_postponement_recomputes_every_deadline_and_lists_the_changes() -> None:
    result = postpone(Phase.LIST_REVIEW, TL, V + timedelta(weeks=2), "defect in a list", today=date(2027, 2, 16))
    assert result.timeline["lists_published"] == date(2027, 3, 8)
    assert result.reason == "defect in a list"
    changed = {key for key, _, _ in result.changed}
    assert "voting_opens" in changed and "term_end" not in changed
    assert result.timeline.term_end == TL.term_end


def test_postponement_needs_a_reason() -> None:
    with pytest.raises(StepRefused, match="reason"):
        postpone(Phase.ANNOUNCED, TL, V + timedelta(weeks=1), "  ", today=date(2027, 1, 1))


def test_postponement_moves_the_voting_day_later_only() -> None:
    with pytest.raises(StepRefused) as err:
        postpone(Phase.ANNOUNCED, TL, V, "no", today=date(2027, 1, 1))
    assert err.value.earliest == V + timedelta(days=1)


def test_no_postponement_once_voting_has_started() -> None:
    with pytest.raises(StepRefused, match="voting"):
        postpone(Phase.VOTING, TL, V + timedelta(weeks=1), "outage", today=V)


def test_regulation_can_forbid_postponement() -> None:
    tl = compute_timeline(V, Regulation(postponement_allowed=False))
    with pytest.raises(StepRefused, match="does not allow"):
        postpone(Phase.ANNOUNCED, tl, V + timedelta(weeks=1), "reason", today=date(2027, 1, 1))


def test_phases_are_ordered_as_the_procedure_runs() -> None:
    assert precedes(Phase.DRAFT, Phase.ANNOUNCED)
    assert precedes(Phase.LISTS_FINAL, Phase.VOTING)
    assert not precedes(Phase.RESULT_FINAL, Phase.COUNTED)
    for current, targets in TRANSITIONS.items():
        assert all(precedes(current, t) for t in targets)
