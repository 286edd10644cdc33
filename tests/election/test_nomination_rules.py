"""The pure rules of the nomination pre-round: when it may run, the limit, the threshold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from election.nomination_rules import (
    RoundSettings,
    candidacy_closes,
    check_settings,
    clean_motivation,
    latest_close,
    purge_due,
    refusal_to_add,
    round_status,
    shown,
)
from election.regulation import Regulation
from election.timeline import compute_timeline

V = date(2027, 6, 10)
TIMELINE = compute_timeline(V)


def _settings(**changes: object) -> RoundSettings:
    values: dict[str, object] = {
        "opens_on": date(2027, 2, 1), "closes_on": date(2027, 2, 14), "max_per_person": 3,
        "self_nomination": True, "scope": "organisation", "threshold": 3,
        "invitation_nl": "Wie?", "invitation_en": "Who?",
    }
    values.update(changes)
    return RoundSettings(**values)  # type: ignore[arg-type]


def test_round_ends_the_day_before_union_candidacy_opens():
    assert TIMELINE["union_candidacy_opens"] == V - timedelta(weeks=13)
    assert latest_close(TIMELINE) == V - timedelta(weeks=13, days=1)


def test_the_same_limit_holds_when_candidacy_is_simultaneous():
    simultaneous = compute_timeline(V, Regulation(candidacy_mode="simultaneous"))
    assert latest_close(simultaneous) == latest_close(TIMELINE)


def test_candidacy_closes_on_the_later_deadline():
    assert candidacy_closes(TIMELINE) == TIMELINE["free_lists_deadline"]
    assert not purge_due(TIMELINE, TIMELINE["free_lists_deadline"])
    assert purge_due(TIMELINE, TIMELINE["free_lists_deadline"] + timedelta(days=1))


def test_good_settings_pass():
    assert check_settings(_settings(), date(2027, 1, 20), TIMELINE) == []


def test_a_round_running_into_candidacy_is_refused_naming_the_last_day():
    [problem] = check_settings(_settings(closes_on=TIMELINE["union_candidacy_opens"]), date(2027, 1, 20), TIMELINE)
    assert (problem.field, problem.code) == ("closes_on", "after_candidacy_opens")
    assert problem.value == latest_close(TIMELINE).isoformat()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"opens_on": date(2027, 1, 1)}, "opens_on", "in_past"),
        ({"closes_on": date(2027, 1, 31)}, "closes_on", "before_opening"),
        ({"max_per_person": 0}, "max_per_person", "out_of_range"),
        ({"max_per_person": 11}, "max_per_person", "out_of_range"),
        ({"threshold": 0}, "threshold", "out_of_range"),
        ({"invitation_en": "  "}, "invitation_en", "empty"),
        ({"scope": "world"}, "scope", "unknown"),
    ],
)
def test_bad_settings_name_the_field(changes, field, code):
    problems = check_settings(_settings(**changes), date(2027, 1, 20), TIMELINE)
    assert (field, code) in [(p.field, p.code) for p in problems]


def test_round_status_follows_the_dates_and_never_passes_the_last_day():
    opens, closes, last = date(2027, 2, 1), date(2027, 2, 14), date(2027, 2, 10)
    assert round_status(opens, closes, date(2027, 1, 31), last, False) == "not_yet"
    assert round_status(opens, closes, date(2027, 2, 10), last, False) == "open"
    assert round_status(opens, closes, date(2027, 2, 11), last, False) == "closed"
    assert round_status(opens, closes, date(2027, 2, 5), last, True) == "purged"


def test_the_limit_per_person():
    assert refusal_to_add(2, 3, eligible=True, is_self=False, duplicate=False) is None
    assert refusal_to_add(3, 3, eligible=True, is_self=False, duplicate=False) == "limit"


def test_only_eligible_colleagues_and_not_oneself():
    assert refusal_to_add(0, 3, eligible=False, is_self=False, duplicate=False) == "not_eligible"
    assert refusal_to_add(0, 3, eligible=False, is_self=True, duplicate=False) == "self"
    assert refusal_to_add(1, 3, eligible=True, is_self=False, duplicate=True) == "duplicate"


def test_small_counts_are_not_shown():
    assert not shown(2, 3)
    assert shown(3, 3)


def test_a_motivation_is_one_line_and_short():
    assert clean_motivation("  Luistert   goed\nnaar iedereen ") == "Luistert goed naar iedereen"
    with pytest.raises(ValueError, match="too long"):
        clean_motivation("x" * 301)
