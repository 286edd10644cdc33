"""The independent challenge checker and the booth's crypto module in a real Chromium, under the
application's Content-Security-Policy: a challenged Python ballot is recognised, a forged disclosure
is exposed, the page passes axe, and the module encrypts a 40-candidate ballot in the browser."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from crypto import ballot as b
from crypto import credentials as cr
from crypto import elgamal as e
from crypto.board import tracking_code
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

SECRET, Y = e.keypair()
H_E = bytes(range(64))
X_SECRET, _X = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))
OPTIONS = [{"id": "c1", "name": "Anna de Vries"}, {"id": "c2", "name": "Bram Jansen"}, {"id": "blank", "name": "Blank"}]


def _challenge(choices: list[int]) -> tuple[dict[str, Any], str]:
    ballot, secrets = b.encrypt_ballot(
        choices, joint_key=Y, election_hash=H_E, group_id="G1", credential_secret=X_SECRET, system=b.LIST_SYSTEM
    )
    doc = {
        "format": "stembus-challenge",
        "version": 1,
        "joint_key": Y.hex(),
        "options": OPTIONS,
        "ballot": ballot.to_dict(),
        "reveal": secrets.reveal(),
    }
    return doc, tracking_code(b.ballot_to_bytes(ballot))


def _fragment(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


def _watch_console(page) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_checker_shows_the_encrypted_choice_and_passes_axe(page, live_app):
    problems = _watch_console(page)
    doc, code = _challenge([0, 1, 0])
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/static/checker/index.html?lang=en#c={_fragment(doc)}")
    status = page.locator("#status")
    status.wait_for(state="visible")
    assert "Correct" in status.inner_text()
    assert page.locator("#tracking-code").inner_text() == code
    chosen = page.locator("tr.chosen")
    assert chosen.count() == 1
    assert "Bram Jansen" in chosen.inner_text()
    # The choice does not stay in the address bar.
    assert "#c=" not in page.url
    assert axe_violations(page) == []
    assert problems == []


def test_checker_exposes_a_disclosure_that_does_not_match(page, live_app):
    problems = _watch_console(page)
    doc, _ = _challenge([1, 0, 0])
    doc["reveal"]["choices"] = [0, 1, 0]
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/static/checker/index.html?lang=en")
    page.get_by_label("Data of the tested ballot (JSON)").fill(json.dumps(doc))
    page.get_by_role("button", name="Check").click()
    status = page.locator("#status")
    status.wait_for(state="visible")
    assert status.inner_text().startswith("ERROR: option 1")
    assert page.locator("#result").is_hidden()
    assert problems == []


def test_booth_module_encrypts_a_40_candidate_ballot_in_the_browser(page, live_app):
    problems = _watch_console(page)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/static/checker/index.html")
    result = page.evaluate(
        """async ([key, hE]) => {
            const S = await import("/static/js/stembus-crypto.js");
            const cred = S.deriveCredential(S.generateCode(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", "00".repeat(32));
            const choices = new Array(41).fill(0);
            choices[17] = 1;
            const args = {choices, jointKey: key, electionHash: hE, group: "G1",
                          credentialSecret: cred.secret, system: "list"};
            S.prepare(key);
            const {ballot, secrets} = S.encryptBallot(args);
            return {ballot, reveal: S.reveal(secrets)};
        }""",
        [Y.hex(), H_E.hex()],
    )
    ballot = b.ballot_from_dict(result["ballot"])
    failures = b.verify_ballot(
        ballot, election_hash=H_E, group_id="G1", n_options=41, k=1, system=b.LIST_SYSTEM, joint_key=Y
    )
    assert failures == []
    assert b.check_revealed(ballot, result["reveal"], joint_key=Y)[17] == 1
    assert problems == []
