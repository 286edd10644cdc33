"""The booth in a real browser: voting with the keyboard alone, a used code, and a timed-out session."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from election.voting_codes import identity_of
from tests.browser.conftest import axe_violations
from tests.web.voting_factory import make_ballot, make_voting_election

pytestmark = pytest.mark.browser

ALREADY_VOTED = "A vote has already been cast with this code. Each code can vote once."
EXPIRED = "Your session has expired; your vote has not been stored. Reload the page and enter your code again."
NO_CONNECTION = "No connection to the server"
_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _booth_url(app: Any, election_id: int) -> str:
    with app.extensions["stembus_sessions"]() as db:
        return f"{app.config['LIVE_URL']}/vote/{identity_of(db, election_id).uuid}"


def _focused(page: Any) -> str:
    """The id of the element that has the keyboard focus."""
    return str(page.evaluate("document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 30) -> None:
    """Press Tab until ``element_id`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    assert _focused(page) == element_id, f"Tab never reached #{element_id}"


def _cast_elsewhere(app: Any, election_id: int, issued: Any) -> None:
    """Cast a ballot with ``issued`` from another device, through the booth's own endpoints."""
    ballot, _ = make_ballot(app, election_id, issued, 0)
    client = app.test_client()
    path = _booth_url(app, election_id).removeprefix(app.config["LIVE_URL"])
    token = _CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)
    assert client.post(f"{path}/cast", json=ballot, headers={"X-CSRFToken": token}).status_code == 201


def test_a_voter_votes_with_the_keyboard_alone_and_the_focus_follows_each_step(page, live_app):
    ve = make_voting_election(live_app)
    page.goto(_booth_url(live_app, ve.election_id))

    _tab_to(page, "voting-code")
    page.keyboard.type(ve.code_in("Noord").code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot").wait_for()
    assert _focused(page) == "ballot-title"

    page.keyboard.press("Tab")
    first = _focused(page)
    assert first.startswith("option-")
    page.keyboard.press("ArrowDown")  # moves to, and marks, the next choice
    page.keyboard.press("ArrowUp")  # back to the first one, which is now marked
    assert _focused(page) == first
    chosen = page.locator(f"label[for='{first}']").inner_text()
    assert page.locator(f"#{first}").is_checked()
    page.keyboard.press("Tab")  # the choices are one stop: on to the button
    assert page.evaluate("document.activeElement.textContent").strip() == "Review my choice"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your choice").wait_for()
    assert _focused(page) == "review-title"
    assert page.locator("#review-choice").inner_text().startswith(chosen)

    _tab_to(page, "consent")
    page.keyboard.press("Space")
    assert page.locator("#consent").is_checked()
    page.keyboard.press("Tab")
    assert _focused(page) == "cast-button"
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "consent"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your vote has been cast").wait_for()
    assert _focused(page) == "receipt-title"
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4})+", page.locator("#receipt-tracking").inner_text())


def test_a_code_that_has_voted_opens_no_ballot_and_says_so(page, live_app):
    ve = make_voting_election(live_app)
    used = ve.code_in("Noord")
    _cast_elsewhere(live_app, ve.election_id, used)
    page.goto(_booth_url(live_app, ve.election_id))

    page.get_by_label("Voting code").fill(used.code)
    page.keyboard.press("Enter")

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == ALREADY_VOTED
    assert page.locator("#step-ballot").is_hidden()
    assert page.get_by_role("heading", name="Vote").is_visible()  # still the code step
    assert axe_violations(page) == []


def test_an_expired_session_asks_for_a_reload_and_the_reloaded_booth_works(page, live_app):
    ve = make_voting_election(live_app)
    page.goto(_booth_url(live_app, ve.election_id))
    page.get_by_label("Voting code").fill(ve.code_in("Noord").code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot").wait_for()
    page.locator("#ballot-options input").first.check()
    page.get_by_role("button", name="Review my choice").click()
    page.get_by_label("I agree to vote digitally.").check()
    # The voter walks away; the server-side session times out meanwhile.
    live_app.config["CLOCK"].advance(live_app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))

    page.get_by_role("button", name="Cast my vote").click()

    reload = page.get_by_role("link", name="Reload the page")
    reload.wait_for()
    alert = page.get_by_role("alert")
    assert EXPIRED in alert.inner_text()
    assert NO_CONNECTION not in alert.inner_text()
    assert _focused(page) == "booth-reload"
    assert page.locator("#step-receipt").is_hidden()
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.keyboard.press("Enter")  # follows the focused link: a fresh page with a fresh session
    page.get_by_label("Voting code").fill(ve.code_in("Noord").code)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot").wait_for()
