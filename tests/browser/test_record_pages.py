"""The record and succession pages in a real browser: the checks' progress is followed by the page itself.

The auditor starts the server-side checks; the page's script polls the run's status and shows the
report when it ends. The record, public and succession pages pass axe.
"""

from __future__ import annotations

import pytest

from election.models import Role
from election.procedure import Phase
from tests.browser.conftest import axe_violations
from tests.browser.test_committee_pages import _sign_in
from tests.helpers import make_member
from tests.web.record_factory import make_result_election, take_step

pytestmark = pytest.mark.browser


def test_the_auditor_follows_the_checks_and_the_record_pages_pass_axe(page, live_app):
    ce = make_result_election(live_app)
    base = live_app.config["LIVE_URL"]
    auditor = make_member(live_app, Role.AUDITOR, "auditor@example.org")
    _sign_in(page, live_app, auditor)
    page.goto(f"{base}/committee/elections/{ce.election_id}/record")
    assert page.get_by_text("The independent verifier is the authority, not this page.").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Run the checks on the server").click()
    # The script reloads the page when the run has ended; the report then replaces the progress bar.
    page.get_by_text("Every check passed.").wait_for(timeout=120_000)
    assert page.get_by_role("cell", name="The seat allocation recomputes from the counts").is_visible()
    assert axe_violations(page) == []

    take_step(live_app, ce.election_id, Phase.RESULT_ANNOUNCED)
    chair = next(a for a in ce.accounts if a.id == ce.trustees[0])
    _sign_in(page, live_app, chair)
    page.goto(f"{base}/committee/elections/{ce.election_id}/record")
    page.get_by_role("button", name="Publish the record").click()
    page.get_by_role("link", name=f"{base}/record/", exact=False).click()
    assert page.get_by_role("heading", name="Election record", exact=False).is_visible()
    assert axe_violations(page) == []

    page.goto(f"{base}/committee/elections/{ce.election_id}/succession")
    assert page.get_by_role("heading", name="Record that a member left").is_visible()
    assert axe_violations(page) == []
