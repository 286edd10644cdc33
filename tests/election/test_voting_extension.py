"""Extending an open vote: later only, while open, bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from election.procedure import Phase, StepRefused
from election.voting_extension import MAX_EXTENSION, check_extension, closing_time

ANNOUNCED = datetime(2027, 3, 10, 19, 0, tzinfo=UTC)


def _refusal(**kwargs) -> str:  # type: ignore[no-untyped-def]
    facts = {
        "phase": Phase.VOTING,
        "now": ANNOUNCED - timedelta(hours=2),
        "current_close": ANNOUNCED,
        "announced_close": ANNOUNCED,
        "new_close": ANNOUNCED + timedelta(hours=4),
    }
    facts.update(kwargs)
    try:
        check_extension(**facts)
    except StepRefused as refused:
        return refused.code
    return "allowed"


def test_an_open_vote_may_close_later():
    assert _refusal() == "allowed"
    assert _refusal(new_close=ANNOUNCED + MAX_EXTENSION) == "allowed"


def test_only_an_open_vote_before_its_closing_can_be_extended():
    assert _refusal(phase=Phase.LISTS_FINAL) == "extension_not_voting"
    assert _refusal(now=ANNOUNCED) == "extension_closed"
    assert _refusal(now=ANNOUNCED + timedelta(minutes=1)) == "extension_closed"


def test_the_new_closing_is_later_and_at_most_a_week_beyond_the_announced_one():
    assert _refusal(new_close=ANNOUNCED) == "extension_not_later"
    assert _refusal(new_close=ANNOUNCED - timedelta(hours=1)) == "extension_not_later"
    assert _refusal(new_close=ANNOUNCED + MAX_EXTENSION + timedelta(minutes=1)) == "extension_too_long"
    extended = ANNOUNCED + timedelta(days=3)
    assert _refusal(current_close=extended, new_close=extended + timedelta(days=5)) == "extension_too_long"


@pytest.mark.parametrize(
    ("extended", "closes"),
    [
        (None, ANNOUNCED),
        (ANNOUNCED + timedelta(hours=2), ANNOUNCED + timedelta(hours=2)),
        (ANNOUNCED - timedelta(hours=1), ANNOUNCED),
    ],
)
def test_closing_time_is_the_later_of_the_announced_and_the_confirmed_extension(extended, closes):
    assert closing_time(ANNOUNCED, extended) == closes
