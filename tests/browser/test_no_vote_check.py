"""After closing, a voter checks in a real browser that no vote was cast with their code."""

from __future__ import annotations

import pytest

from election.voting_codes import identity_of
from tests.browser.conftest import axe_violations
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election

pytestmark = pytest.mark.browser


def test_the_check_answers_yes_for_a_used_code_and_no_for_an_unused_one(page, live_app):
    ce = make_count_election(live_app)
    voted, did_not = ce.codes[0], ce.codes[1]
    cast(live_app, ce, voted, 0)
    after_voting(live_app, ce.election_id)
    close_vote(live_app, ce.election_id, ce.trustees[0], ce.trustees[1])
    with live_app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ce.election_id).uuid
    page.goto(f"{live_app.config['LIVE_URL']}/vote/{uuid}/check")
    assert axe_violations(page) == []
    page.get_by_label("Voting code").fill(did_not.code)
    page.keyboard.press("Enter")
    page.get_by_text("No: no vote was cast with this code.").wait_for()
    page.get_by_label("Voting code").fill(voted.code.lower())
    page.get_by_role("button", name="Check").click()
    page.get_by_text("Yes: a vote was cast with this code.").wait_for()
    assert page.get_by_label("Voting code").input_value() == ""  # the code does not linger on screen
    assert axe_violations(page) == []
