"""Hybrid voting in a real browser: the paper desk marks a voter and the paper count form; pages pass axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_committee_pages import _sign_in
from tests.web.count_factory import after_voting, close_vote
from tests.web.paper_factory import codes_in, make_hybrid_count_election

pytestmark = pytest.mark.browser


def test_a_voter_is_marked_with_the_keyboard_and_the_paper_pages_pass_axe(page, live_app):
    ce = make_hybrid_count_election(live_app)
    voter = codes_in(ce, "Zuid")[0]
    _sign_in(page, live_app, ce.accounts[0])
    page.goto(f"{live_app.config['LIVE_URL']}/committee/elections/{ce.election_id}/paper")
    assert axe_violations(page) == []
    page.get_by_label("Employee number or part of the name").fill(voter.name)
    page.get_by_label("Employee number or part of the name").press("Enter")
    assert page.get_by_text("Not voted yet").first.is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name=f"Mark {voter.name} as having voted on paper").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").get_by_text("their voting code is disabled").is_visible()
    assert axe_violations(page) == []

    after_voting(live_app, ce.election_id)
    close_vote(live_app, ce.election_id, ce.trustees[0], ce.trustees[1])
    _sign_in(page, live_app, ce.accounts[0])  # the clock moved past the end of voting: a new session
    page.goto(f"{live_app.config['LIVE_URL']}/committee/elections/{ce.election_id}/paper")
    page.get_by_role("link", name="Paper count per electoral group").click()
    assert page.get_by_role("heading", name="Paper count · ", exact=False).is_visible()
    assert axe_violations(page) == []
