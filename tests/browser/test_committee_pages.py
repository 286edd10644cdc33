"""The committee signs in and sets up an election in a real browser; every page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest

from election.models import Role
from tests.browser.conftest import axe_violations
from tests.helpers import PASSWORD, make_member

pytestmark = pytest.mark.browser


def _sign_in(page, app, account) -> None:
    base = app.config["LIVE_URL"]
    page.goto(f"{base}/auth/login")
    page.get_by_label("E-mail address").fill(account.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    app.config["CLOCK"].advance(timedelta(seconds=30))
    page.get_by_label("Code from your authenticator app").fill(account.totp.at(app.config["CLOCK"].now()))
    page.get_by_role("button", name="Sign in").click()


def test_public_and_login_pages_pass_axe(page, live_app):
    base = live_app.config["LIVE_URL"]
    for path in ("/", "/auth/login"):
        page.goto(base + path)
        assert axe_violations(page) == [], path


def test_committee_creates_an_election_with_the_keyboard_and_pages_pass_axe(page, live_app):
    chair = make_member(live_app, Role.CHAIR)
    _sign_in(page, live_app, chair)
    assert page.get_by_role("heading", name="Elections").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="New election").click()
    today = live_app.config["CLOCK"].today()
    page.get_by_label("Organisation").fill("Haven Logistiek BV")
    page.get_by_label("End of the sitting council's term").fill((today + timedelta(weeks=20)).isoformat())
    page.get_by_label("Voting day (first day of voting)").fill((today + timedelta(weeks=14)).isoformat())
    page.get_by_label("Persons who normally work in the company").fill("1300")
    page.get_by_label("Persons who normally work in the company").press("Enter")
    assert page.get_by_role("heading", name="Haven Logistiek BV").is_visible()
    assert page.get_by_text("Deadline for union lists").is_visible()
    assert axe_violations(page) == []

    for link in ("Electoral groups", "Unions", "Regulation"):
        page.get_by_role("link", name=link, exact=True).click()
        assert axe_violations(page) == [], link


def test_phone_sized_screen_has_no_horizontal_scroll(browser, live_app):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    tab = context.new_page()
    tab.goto(live_app.config["LIVE_URL"] + "/auth/login")
    assert tab.get_by_role("heading", name="Inloggen voor de verkiezingscommissie").is_visible()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
