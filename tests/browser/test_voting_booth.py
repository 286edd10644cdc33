"""A voter types their code, votes and sees the receipt in a real browser; every booth page passes axe."""

from __future__ import annotations

import pytest

from election.voting_codes import identity_of
from tests.browser.conftest import axe_violations
from tests.web.voting_factory import make_voting_election

pytestmark = pytest.mark.browser


def test_a_voter_votes_with_the_keyboard_and_sees_the_receipt(page, live_app):
    ve = make_voting_election(live_app)
    with live_app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ve.election_id).uuid
    code = ve.code_in("Noord")
    page.goto(f"{live_app.config['LIVE_URL']}/vote/{uuid}")
    assert axe_violations(page) == []
    page.get_by_label("Voting code").fill(code.code.lower())
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot").wait_for()
    assert axe_violations(page) == []
    page.locator("#ballot-options input").first.check()
    page.get_by_role("button", name="Review my choice").click()
    page.get_by_role("heading", name="Check your choice").wait_for()
    assert axe_violations(page) == []
    shown = page.locator("#review-tracking").inner_text()
    page.get_by_label("I agree to vote digitally.").check()
    page.get_by_role("button", name="Cast my vote").click()
    page.get_by_role("heading", name="Your vote has been cast").wait_for()
    assert axe_violations(page) == []
    assert page.locator("#receipt-tracking").inner_text() == shown
    page.get_by_role("link", name="Find your ballot on the public board").click()
    assert page.get_by_text("will be counted").is_visible()
    assert axe_violations(page) == []
