"""The browser's ballot module (static/js/stembus-crypto.js) and the Python reference agree.

Ballots made by the JavaScript module, run in Node, are accepted by ``crypto.ballot.verify_ballot``,
have the same canonical bytes and tracking code in both languages, decrypt to the chosen options and
pass Python's Benaloh check; tampered ones are refused. Python ballots, intact and tampered, get the
same verdicts, word for word, from the JavaScript verifier. The Node test suite (tests/js) runs here
too, so ``make test`` covers it.

Without ``node`` these tests are skipped locally; in CI (CI=true) they fail instead.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from crypto import ballot as b
from crypto import board
from crypto import credentials as cr
from crypto import elgamal as e
from crypto import group as g

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "js" / "interop.js"
VENDOR = ROOT / "static" / "vendor" / "noble" / "manifest.json"

SECRET, Y = e.keypair()
H_E = secrets.token_bytes(64)
H_P = secrets.token_bytes(32)
ELECTION = str(uuid.uuid4())
CODE = cr.generate_code()
X_SECRET, X = cr.derive_credential(CODE, ELECTION, H_P)

CASES: list[dict[str, Any]] = [
    {"choices": [0, 1, 0, 0], "system": b.LIST_SYSTEM, "k": 1, "group": "productie"},
    {"choices": [0, 0, 0, 1], "system": b.LIST_SYSTEM, "k": 1, "group": "productie"},
    {"choices": [1, 0, 1, 0, 0], "system": b.PERSON_SYSTEM, "k": 3, "group": "kantoor-Zuid"},
    {"choices": [0, 0, 0, 0, 1], "system": b.PERSON_SYSTEM, "k": 3, "group": "kantoor-Zuid"},
    {"choices": [1, 0], "system": b.PERSON_SYSTEM, "k": 1, "group": "één"},
]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed; the browser crypto cannot be tested")
        pytest.skip("node is not installed")
    if not VENDOR.exists():
        pytest.fail("static/vendor/noble is missing: run `make assets` (npm ci && npm run build)")
    return node


def _run(request: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [_node(), str(DRIVER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


@pytest.fixture(scope="module")
def js_ballots() -> dict[str, Any]:
    return _run(
        {
            "action": "encrypt",
            "joint_key": Y.hex(),
            "election_hash": H_E.hex(),
            "code": CODE.lower(),
            "election_uuid": ELECTION,
            "params_hash": H_P.hex(),
            "cases": CASES,
        }
    )


def _verify(case: dict[str, Any], ballot_dict: Any) -> list[str]:
    return b.verify_ballot(
        b.ballot_from_dict(ballot_dict),
        election_hash=H_E,
        group_id=case["group"],
        n_options=len(case["choices"]),
        k=case["k"],
        system=case["system"],
        joint_key=Y,
    )


def test_js_derives_the_same_credential(js_ballots: dict[str, Any]) -> None:
    assert js_ballots["credential"] == X.hex()


def test_js_ballots_are_accepted_by_the_python_verifier(js_ballots: dict[str, Any]) -> None:
    assert len(js_ballots["ballots"]) == len(CASES)
    for case, made in zip(CASES, js_ballots["ballots"], strict=True):
        ballot = b.ballot_from_dict(made["ballot"])
        assert _verify(case, made["ballot"]) == []
        raw = b.ballot_to_bytes(ballot)
        assert raw == made["canonical"].encode("utf-8")
        assert board.tracking_code(raw) == made["tracking_code"]
        assert board.full_tracking_code(raw) == made["full_tracking_code"]
        assert b.check_revealed(ballot, made["reveal"], joint_key=Y) == tuple(case["choices"])
        counts = [e.decrypt(SECRET, s.ciphertext, bound=2) for s in ballot.selections]
        assert counts == case["choices"]


def test_tampered_js_ballots_are_refused_by_python(js_ballots: dict[str, Any]) -> None:
    case, made = CASES[0], js_ballots["ballots"][0]
    swapped = copy.deepcopy(made["ballot"])
    sel = swapped["selections"]
    sel[0]["ciphertext"], sel[1]["ciphertext"] = sel[1]["ciphertext"], sel[0]["ciphertext"]
    failures = _verify(case, swapped)
    assert "selections[0].proof: not a proof that the option holds 0 or 1" in failures
    assert "signature: not a signature by the ballot's credential" in failures

    resigned = copy.deepcopy(made["ballot"])
    resigned["signature"]["v"] = g.scalar_to_hex(g.scalar_add(g.scalar_from_hex(resigned["signature"]["v"]), g.ONE))
    assert _verify(case, resigned) == ["signature: not a signature by the ballot's credential"]

    other_group = copy.deepcopy(made["ballot"])
    other_group["group"] = "kantoor-Zuid"
    assert _verify(case, other_group) == ["group: ballot is for 'kantoor-Zuid', expected 'productie'"]

    with pytest.raises(b.BallotError, match="credential: the identity"):
        b.ballot_from_dict({**made["ballot"], "credential": "00" * 32})

    wrong = copy.deepcopy(made["reveal"])
    wrong["choices"] = [1, 0, 0, 0]
    with pytest.raises(b.BallotError, match=r"selections\[0\]"):
        b.check_revealed(b.ballot_from_dict(made["ballot"]), wrong, joint_key=Y)


def _python_ballots() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for case in CASES:
        ballot, _ = b.encrypt_ballot(
            case["choices"],
            joint_key=Y,
            election_hash=H_E,
            group_id=case["group"],
            credential_secret=X_SECRET,
            system=case["system"],
            k=case["k"],
        )
        out.append((case, ballot.to_dict()))
    return out


def _tampered(ballot: dict[str, Any]) -> list[dict[str, Any]]:
    variants = []
    t = copy.deepcopy(ballot)
    t["selections"][0]["proof"]["v"][0] = g.scalar_to_hex(g.random_scalar())
    variants.append(t)
    t = copy.deepcopy(ballot)
    t["selections"][0], t["selections"][1] = t["selections"][1], t["selections"][0]
    variants.append(t)
    t = copy.deepcopy(ballot)
    sp = t["sum_proof"]
    if isinstance(sp["c"], list):
        sp["c"][0] = g.scalar_to_hex(g.random_scalar())
    else:
        sp["c"] = g.scalar_to_hex(g.random_scalar())
    variants.append(t)
    t = copy.deepcopy(ballot)
    t["credential"] = cr.derive_credential(cr.generate_code(), ELECTION, H_P)[1].hex()
    variants.append(t)
    return variants


def test_python_ballots_get_the_same_verdicts_from_the_js_verifier() -> None:
    cases = []
    expected = []
    for case, ballot in _python_ballots():
        for variant in [ballot, *_tampered(ballot)]:
            cases.append(
                {
                    "ballot": variant,
                    "system": case["system"],
                    "k": case["k"],
                    "group": case["group"],
                    "n": len(case["choices"]),
                }
            )
            expected.append(_verify(case, variant))
    answer = _run({"action": "verify", "joint_key": Y.hex(), "election_hash": H_E.hex(), "cases": cases})
    assert answer["results"] == expected
    assert expected[0] == []
    assert all(result for i, result in enumerate(expected) if i % 5)


def test_malformed_ballots_are_refused_by_the_js_parser() -> None:
    case, ballot = _python_ballots()[0]
    bad = [
        {**ballot, "extra": 1},
        {**ballot, "credential": ballot["credential"].upper()},
        {**ballot, "signature": {"c": ballot["signature"]["c"], "v": (g.L).to_bytes(32, "little").hex()}},
    ]
    cases = [{"ballot": v, "system": case["system"], "k": case["k"], "group": case["group"], "n": 4} for v in bad]
    answer = _run({"action": "verify", "joint_key": Y.hex(), "election_hash": H_E.hex(), "cases": cases})
    for result in answer["results"]:
        assert isinstance(result, dict)
        assert result["error"].startswith("BallotError: ")
    for variant in bad:
        with pytest.raises(b.BallotError):
            b.ballot_from_dict(variant)


def test_node_test_suite_passes() -> None:
    node = _node()
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.js"))
    assert files, "no JavaScript tests found"
    result = subprocess.run(
        [node, "--test", *files], capture_output=True, text=True, cwd=ROOT, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
