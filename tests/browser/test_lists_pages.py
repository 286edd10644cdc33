"""An employee submits a free list with the keyboard; the submission and public list pages pass axe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from election.models import CandidateList, Election
from tests.browser.conftest import axe_violations
from tests.web.lists_factory import make_list_election, register_token, set_phase

pytestmark = pytest.mark.browser


def test_free_list_by_keyboard_and_public_lists_pass_axe(page, live_app):
    election_id = make_list_election(live_app, mode="simultaneous", phase="candidacy")
    token = register_token(live_app, election_id, "1001")
    base = live_app.config["LIVE_URL"]

    page.goto(f"{base}/lists/free#t={token}")
    page.get_by_role("heading", name="Submit a free list").wait_for()
    assert token not in page.url  # the script dropped the fragment after posting the code
    assert axe_violations(page) == []

    page.get_by_label("Name of the list").focus()
    page.keyboard.type("Samen Sterk")
    page.keyboard.press("Tab")
    page.keyboard.type("1001\n1003")
    page.keyboard.press("Tab")  # to the first declaration option
    page.keyboard.press("Space")
    page.get_by_role("button", name="Submit the list").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your list has been received").wait_for()
    assert axe_violations(page) == []

    with live_app.extensions["stembus_sessions"]() as db:
        lst = db.scalar(select(CandidateList))
        assert lst is not None and lst.name == "Samen Sterk" and len(lst.candidates) == 2
        lst.status, lst.number = "valid", 1
        lst.published_at = lst.submitted_at
        db.commit()
        assert db.get(Election, election_id) is not None
    set_phase(live_app, election_id, "lists_published")
    page.goto(f"{base}/lists/{election_id}")
    assert page.get_by_role("heading", name="List 1: Samen Sterk").is_visible()
    assert axe_violations(page) == []
