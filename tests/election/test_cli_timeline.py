"""``stembus timeline``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from election.cli import main

DATA = Path(__file__).parent / "data"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_timeline_json_has_the_fixed_shape() -> None:
    result = run("timeline", "--voting-day", "2027-03-15", "--today", "2026-11-01", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["voting_day"] == "2027-03-15"
    steps = {s["key"]: s for s in doc["steps"]}
    assert steps["announce"] == {
        "key": "announce",
        "date": "2026-12-14",
        "basis": "SER model timetable: V-13w; WOR art. 10",
    }
    assert steps["free_lists_deadline"]["date"] == "2027-02-15"
    assert [w["code"] for w in doc["warnings"]] == ["union_period_longer"]


def test_timeline_human_output_lists_steps_and_warnings() -> None:
    result = run("timeline", "--voting-day", "2027-03-15", "--term-end", "2027-03-20")
    assert result.exit_code == 0
    out = result.stdout
    assert "2026-12-14" in out and "union_lists_deadline" in out and "term_end" in out
    assert "warning:" in out


def test_timeline_with_regulation_file() -> None:
    result = run("timeline", "--voting-day", "2027-03-15", "--regulation", str(DATA / "regulation.toml"), "--json")
    doc = json.loads(result.stdout)
    assert doc["candidacy_mode"] == "simultaneous" and doc["regulation_version"] == 2


def test_term_end_too_close_is_an_error_when_the_regulation_says_so(tmp_path: Path) -> None:
    reg = tmp_path / "strict.json"
    reg.write_text(json.dumps({"term_end_severity": "error"}))
    result = run(
        "timeline", "--voting-day", "2027-03-15", "--term-end", "2027-03-16", "--regulation", str(reg), "--json"
    )
    assert result.exit_code == 1
    assert "term ends" in result.stderr
    assert json.loads(result.stdout)["errors"][0]["code"] == "voting_too_close_to_term_end"


def test_bad_date_is_refused_naming_the_option() -> None:
    result = run("timeline", "--voting-day", "15-03-2027")
    assert result.exit_code == 2
    assert "--voting-day" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_missing_voting_day_is_refused() -> None:
    result = run("timeline", "--json")
    assert result.exit_code == 2 and "--voting-day" in result.stderr


def test_bad_regulation_file_names_the_field(tmp_path: Path) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(json.dumps({"active_months": -1, "signature_quota": 30}))
    result = run("timeline", "--voting-day", "2027-03-15", "--regulation", str(reg))
    assert result.exit_code == 1
    assert "signature_quota" in result.stderr
    assert "Traceback" not in result.output


def test_missing_regulation_file_is_reported() -> None:
    result = run("timeline", "--voting-day", "2027-03-15", "--regulation", "nope.toml")
    assert result.exit_code == 1 and "cannot read" in result.stderr
