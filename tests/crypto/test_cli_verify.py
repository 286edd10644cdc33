"""``stembus verify`` and ``stembus simulate`` through click: exit codes, JSON, clean errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from election.cli import main

RECORDS = Path(__file__).parent.parent / "records"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_simulate_then_verify_json(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "rec.zip"
    result = runner.invoke(
        main,
        [
            "simulate",
            "--voters",
            "6",
            "--candidates",
            "3",
            "--groups",
            "2",
            "--trustees",
            "3",
            "--threshold",
            "2",
            "--seed",
            "cli",
            "--jobs",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["verify", str(out), "--json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["valid"] is True
    assert {"valid", "checks", "counts", "seats"} <= set(doc)
    assert all({"name", "ok", "detail"} <= set(c) for c in doc["checks"])
    assert set(doc["seats"]) == {"G1", "G2"}


def test_valid_fixture_readable_report(runner: CliRunner) -> None:
    result = runner.invoke(main, ["verify", str(RECORDS / "valid"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "RESULT: the record is VALID" in result.stdout
    assert "[ok  ] combined shares and discrete logs reproduce the published counts" in result.stdout


def test_invalid_fixture_exits_1_and_names_the_failure(runner: CliRunner) -> None:
    result = runner.invoke(main, ["verify", str(RECORDS / "invalid" / "two-ballots-one-credential"), "--jobs", "1"])
    assert result.exit_code == 1
    assert "failed: one_ballot_per_credential: ballot seq 3" in result.stderr
    assert "NOT valid" in result.stdout


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("missing", "missing file(s): tally.json"),
        ("truncated", "tally.json: invalid JSON"),
        ("garbage", "not a record directory or a readable .zip"),
        ("nothing", "no such record"),
        ("board", "board.jsonl line 2: truncated"),
        ("field", "keys.json: joint_key: expected a hex string"),
    ],
)
def test_malformed_records_give_a_clean_error(runner: CliRunner, tmp_path: Path, breakage: str, message: str) -> None:
    rec = tmp_path / "rec"
    shutil.copytree(RECORDS / "valid", rec)
    target = str(rec)
    if breakage == "missing":
        (rec / "tally.json").unlink()
    elif breakage == "truncated":
        text = (rec / "tally.json").read_text()
        (rec / "tally.json").write_text(text[: len(text) // 2])
    elif breakage == "garbage":
        junk = tmp_path / "junk.zip"
        junk.write_bytes(bytes(range(256)) * 4)
        target = str(junk)
    elif breakage == "nothing":
        target = str(tmp_path / "absent")
    elif breakage == "board":
        lines = (rec / "board.jsonl").read_bytes().splitlines(keepends=True)
        (rec / "board.jsonl").write_bytes(lines[0] + lines[1][:40])
    elif breakage == "field":
        keys = json.loads((rec / "keys.json").read_text())
        keys["joint_key"] = 7
        (rec / "keys.json").write_text(json.dumps(keys))
    result = runner.invoke(main, ["verify", target, "--jobs", "1"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_wrong_version_is_a_failed_check(runner: CliRunner) -> None:
    result = runner.invoke(main, ["verify", str(RECORDS / "invalid" / "wrong-version"), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["checks"][0] == {
        "name": "version",
        "ok": False,
        "detail": "manifest.json: record version 3 is not supported (known: 1, 2)",
        "failures": ["manifest.json: record version 3 is not supported (known: 1, 2)"],
    }


def test_simulate_refuses_a_threshold_above_the_committee(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        [
            "simulate",
            "--voters",
            "3",
            "--candidates",
            "2",
            "--trustees",
            "2",
            "--threshold",
            "3",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code != 0
    assert "threshold" in result.stderr
