"""A colleague nominates three colleagues with the keyboard only; every page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from election.models import Role
from tests.browser.conftest import axe_violations
from tests.browser.test_committee_pages import _sign_in
from tests.helpers import make_member
from tests.web.nomination_factory import nomination_election, open_round

pytestmark = pytest.mark.browser


def _tab_to(page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies the JavaScript expression ``test`` on ``el``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()"):
            return
    raise AssertionError(f"no focusable element matches {test}")


def _nominate(page, query: str, name: str) -> None:
    _tab_to(page, "el.id === 'q'")
    page.keyboard.type(query)
    page.get_by_role("button", name=f"Nominate {name}").wait_for()
    _tab_to(page, f"el.textContent === 'Nominate {name}'")
    page.keyboard.press("Enter")
    page.get_by_text("Your nomination has been saved.").wait_for()


def test_a_colleague_nominates_three_colleagues_with_the_keyboard(page, live_app):
    election_id = nomination_election(live_app)
    token = open_round(live_app, election_id)["Anna Jansen"]
    page.goto(f"{live_app.config['LIVE_URL']}/nominate/#t={token}")
    page.get_by_role("heading", name="Nominate colleagues for the works council").wait_for()
    assert "#t=" not in page.url
    assert axe_violations(page) == []

    _nominate(page, "Bra", "Bram Visser")
    _nominate(page, "Gij", "Gijs de Boer")
    _nominate(page, "Fati", "Fatima El Amrani")
    assert page.get_by_text("You nominated 3 colleagues.").is_visible()
    assert axe_violations(page) == []

    _tab_to(page, "el.labels && el.labels.length && el.labels[0].textContent.includes('Bram Visser')")
    page.keyboard.type("Hij luistert naar iedereen.")
    page.keyboard.press("Enter")
    page.get_by_text("Your choices have been saved.").wait_for()
    assert page.get_by_label("Why do you nominate Bram Visser? (optional, one sentence)").input_value() == (
        "Hij luistert naar iedereen.")

    _nominate_fourth = page.get_by_label("Name of a colleague")
    _tab_to(page, "el.id === 'q'")
    page.keyboard.type("Annel")
    page.get_by_role("button", name="Nominate Annelies de Wit").wait_for()
    _tab_to(page, "el.textContent === 'Nominate Annelies de Wit'")
    page.keyboard.press("Enter")
    page.get_by_text("You can nominate at most 3 colleagues.").wait_for()
    assert _nominate_fourth.is_visible()
    assert axe_violations(page) == []


def test_the_committee_pages_of_the_round_pass_axe(page, live_app):
    election_id = nomination_election(live_app)
    open_round(live_app, election_id)
    live_app.config["CLOCK"].advance(timedelta(days=15))
    chair = make_member(live_app, Role.CHAIR)
    _sign_in(page, live_app, chair)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/committee/elections/{election_id}/nomination")
    assert page.get_by_text("The round has closed.").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Results", exact=True).click()
    assert page.get_by_role("heading", name="Most nominated colleagues").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{base}/nominate/decline")
    assert axe_violations(page) == []
