"""A voter whose election asks for a one-time code by e-mail votes in a real browser."""

from __future__ import annotations

import pytest

from election.voting_codes import identity_of
from tests.browser.conftest import axe_violations
from tests.web.test_voter_second_factor import _mailed_code, _require_second_factor
from tests.web.voting_factory import make_voting_election

pytestmark = pytest.mark.browser


def test_the_booth_asks_for_the_mailed_code_before_the_ballot(page, live_app):
    ve = make_voting_election(live_app)
    _require_second_factor(live_app, ve.election_id)
    with live_app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ve.election_id).uuid
    page.goto(f"{live_app.config['LIVE_URL']}/vote/{uuid}")
    page.get_by_label("Voting code").fill(ve.code_in("Noord").code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="One-time code").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("textbox", name="One-time code").fill(_mailed_code(live_app))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot").wait_for()
    page.locator("#ballot-options input").first.check()
    page.get_by_role("button", name="Review my choice").click()
    page.get_by_label("I agree to vote digitally.").check()
    page.get_by_role("button", name="Cast my vote").click()
    page.get_by_role("heading", name="Your vote has been cast").wait_for()
