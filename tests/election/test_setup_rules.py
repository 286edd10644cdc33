"""The set-up checks that must pass before an election is announced (pure, no database)."""

from __future__ import annotations

from datetime import date

from election.setup_rules import GroupPlan, check_setup

TODAY = date(2027, 1, 4)


def _codes(**changes) -> list[str]:
    setup = {
        "headcount": 420,
        "seats": 11,
        "employer_consent": False,
        "voting_day": date(2027, 4, 6),
        "today": TODAY,
        "groups": [GroupPlan("Zorg", 7), GroupPlan("Ondersteuning", 4)],
        "electoral_system": "list",
        "votes_per_voter": None,
    }
    setup.update(changes)
    return [problem.code for problem in check_setup(**setup)]


def test_a_sound_set_up_has_no_problem():
    assert _codes() == []


def test_the_seat_number_follows_the_headcount_unless_the_employer_consents():
    # WOR art. 6 lid 1: 400-599 people give 11 seats.
    assert _codes(seats=13, groups=[GroupPlan("Zorg", 9), GroupPlan("Ondersteuning", 4)]) == ["seats"]
    assert _codes(seats=13, employer_consent=True, groups=[GroupPlan("Zorg", 9), GroupPlan("Ondersteuning", 4)]) == []


def test_the_groups_seats_add_up_to_the_councils():
    # WOR art. 9 lid 3.
    assert _codes(groups=[GroupPlan("Zorg", 6), GroupPlan("Ondersteuning", 4)]) == ["group_seats_sum"]


def test_earmarked_seats_lie_within_the_groups_and_name_their_unit():
    within = [GroupPlan("Zorg", 7, 2, "Zwolle"), GroupPlan("Ondersteuning", 4)]
    assert _codes(groups=within) == []
    too_many = [GroupPlan("Zorg", 7, 8, "Zwolle"), GroupPlan("Ondersteuning", 4)]
    assert _codes(groups=too_many) == ["earmarked"]
    # Domain 4.3: reserved for the candidates of a unit; without the unit nobody could take them.
    nameless = [GroupPlan("Zorg", 7, 1), GroupPlan("Ondersteuning", 4)]
    assert _codes(groups=nameless) == ["earmark_without_unit"]
    assert _codes(groups=[GroupPlan("Zorg", 7, 0), GroupPlan("Ondersteuning", 4)]) == []


def test_the_voting_day_lies_ahead_and_a_group_is_needed():
    assert _codes(voting_day=TODAY) == ["voting_day_past"]
    assert "no_groups" in _codes(groups=[])


def test_votes_per_voter_in_the_person_system_fit_the_smallest_group():
    assert _codes(electoral_system="person", votes_per_voter=4) == []
    assert _codes(electoral_system="person", votes_per_voter=5) == ["votes_per_voter"]
