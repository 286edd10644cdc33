"""Turnout is broken down per electoral group only where no small group can be traced."""

from __future__ import annotations

from election.turnout import MIN_GROUP_SIZE, GroupTurnout, break_down


def _groups(*sizes: tuple[str, int, int]) -> list[GroupTurnout]:
    return [GroupTurnout(name, eligible, voted) for name, eligible, voted in sizes]


def test_groups_large_enough_are_all_shown_with_the_total():
    numbers = break_down("All", _groups(("Noord", 40, 10), ("Zuid", 20, 15)), "Small")
    assert [g.name for g in numbers.groups] == ["Noord", "Zuid"]
    assert numbers.total == GroupTurnout("All", 60, 25)
    assert numbers.combined is None and numbers.hidden == ()
    assert round(numbers.groups[1].percent, 1) == 75.0


def test_small_groups_are_shown_only_together():
    numbers = break_down("All", _groups(("Noord", 40, 10), ("Kantoor", 3, 2), ("Lab", 4, 1), ("Zuid", 20, 5)), "Small")
    assert [g.name for g in numbers.groups] == ["Noord", "Zuid"]
    assert numbers.combined == GroupTurnout("Small", 7, 3)
    assert numbers.hidden == ("Kantoor", "Lab")


def test_one_small_group_takes_the_smallest_large_group_with_it_so_it_cannot_be_subtracted():
    numbers = break_down("All", _groups(("Noord", 40, 10), ("Kantoor", 2, 1), ("Zuid", 6, 5)), "Small")
    assert [g.name for g in numbers.groups] == ["Noord"]
    assert numbers.combined == GroupTurnout("Small", 8, 6)
    assert numbers.hidden == ("Kantoor", "Zuid")
    assert numbers.total.voted - sum(g.voted for g in numbers.groups) == numbers.combined.voted


def test_when_nothing_can_be_shown_only_the_total_remains():
    numbers = break_down("All", _groups(("Noord", 4, 1), ("Zuid", 8, 2)), "Small")
    assert numbers.groups == () and numbers.combined is None
    assert numbers.total == GroupTurnout("All", 12, 3)
    assert numbers.hidden == ("Noord", "Zuid")


def test_the_threshold_is_a_minimum_size_and_an_empty_group_has_no_turnout():
    exactly = break_down("All", _groups(("Noord", MIN_GROUP_SIZE, 0), ("Zuid", MIN_GROUP_SIZE, 5)), "Small")
    assert len(exactly.groups) == 2
    assert GroupTurnout("Leeg", 0, 0).percent == 0.0


def test_paper_voters_count_in_the_turnout_and_stay_apart_from_the_online_voters():
    groups = [GroupTurnout("Noord", 40, 10, 4), GroupTurnout("Kantoor", 3, 1, 1), GroupTurnout("Lab", 4, 0, 2)]
    numbers = break_down("All", groups, "Small")
    assert numbers.groups[0].voted == 14 and round(numbers.groups[0].percent, 1) == 35.0
    assert numbers.combined == GroupTurnout("Small", 7, 1, 3)
    assert numbers.total == GroupTurnout("All", 47, 11, 7) and numbers.total.voted == 18
