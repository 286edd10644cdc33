"""Every page a voter, the committee or an auditor can open, in Dutch and English: axe and 200% zoom.

The walk follows the application's own URL map, so a new page is checked without being listed here.
Pages are opened as the chair (who may read every committee and auditor page) on an election whose
vote has closed, so voting, board, count and record pages all have content.
"""

from __future__ import annotations

import re

import pytest

from election.models import CandidateList, Election
from election.models.committee import Role
from election.voting_codes import identity_of
from tests.browser.test_committee_pages import _sign_in
from tests.helpers import make_member
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_DOWNLOAD = re.compile(r"\.(json|jsonl|pdf|zip|sha256|jpg)$")
_SKIP = {"/static/<path:filename>", "/language/<code>", "/auth/totp", "/healthz", "/readyz"}
# WCAG 1.4.4: text resized to 200% without loss of content; a 1280-pixel screen at 200% zoom lays
# pages out in 640 CSS pixels.
ZOOMED_WIDTH = 640


def _closed_election(app):  # type: ignore[no-untyped-def]
    ce = make_count_election(app)
    cast(app, ce, ce.codes[0], 1)
    cast(app, ce, ce.codes[1], 0)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        first_list = db.query(CandidateList).filter_by(election_id=election.id).first()
        return {
            "election_id": str(election.id),
            "election_uuid": identity_of(db, election.id).uuid,
            "group_id": str(election.groups[0].id),
            "list_id": str(first_list.id),
        }


def _pages(app, values) -> list[str]:  # type: ignore[no-untyped-def]
    """Every GET page of the URL map whose parts we can fill in, downloads left out."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule in _SKIP or _DOWNLOAD.search(rule.rule):
            continue
        needed = rule.arguments - set(rule.defaults or {})
        if not needed <= values.keys():
            continue
        path = rule.rule
        for name in needed:
            path = re.sub(rf"<(?:int:)?{name}>", values[name], path)
        found.append(path)
    return sorted(set(found))


def _serious(tab) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(tab, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_in_both_languages_has_no_serious_accessibility_violation(browser, live_app):
    values = _closed_election(live_app)
    chair = make_member(live_app, Role.CHAIR, "walk-chair@example.org")
    base = live_app.config["LIVE_URL"]
    pages = _pages(live_app, values)
    assert len(pages) > 30  # the walk really covers the application
    problems: dict[str, list[str]] = {}
    for language in ("nl", "en"):
        context = browser.new_context(locale="en-GB")
        tab = context.new_page()
        _sign_in(tab, live_app, chair)
        tab.goto(f"{base}/language/{language}?next=/")
        checked = 0
        for path in pages:
            response = tab.goto(base + path)
            if (
                response is None
                or response.status != 200
                or "text/html" not in response.headers.get("content-type", "")
            ):
                continue
            checked += 1
            found = _serious(tab)
            if found:
                problems[f"{language} {path}"] = found
        assert checked > 30
        context.close()
    assert problems == {}


def test_every_page_reflows_at_200_percent_zoom(browser, live_app):
    values = _closed_election(live_app)
    chair = make_member(live_app, Role.CHAIR, "zoom-chair@example.org")
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(locale="en-GB", viewport={"width": ZOOMED_WIDTH, "height": 800})
    tab = context.new_page()
    _sign_in(tab, live_app, chair)
    tab.goto(f"{base}/language/nl?next=/")
    overflowing = []
    for path in _pages(live_app, values):
        response = tab.goto(base + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        if not tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
            overflowing.append(path)
    context.close()
    assert overflowing == []
