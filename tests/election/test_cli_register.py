"""``stembus register check``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from election.cli import main

DATA = Path(__file__).parent / "data"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["register", "check", *args])


def test_check_prints_people_errors_and_summary_as_json() -> None:
    result = run(str(DATA / "register-small.csv"), "--voting-day", "2027-03-15", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) >= {"people", "errors", "summary"}
    first = doc["people"][0]
    assert first == {
        "employee_number": "200000",
        "row": 2,
        "active": False,
        "passive": False,
        "electoral_group": None,
        "reasons": ["bestuurder"],
    }
    assert doc["summary"]["people"] == 8


def test_check_human_output_counts_per_group() -> None:
    result = run(
        str(DATA / "register-semicolon-bom.csv"),
        "--voting-day",
        "2027-05-15",
        "--regulation",
        str(DATA / "regulation.toml"),
    )
    assert result.exit_code == 0, result.output
    assert "Noord: 2 people" in result.stdout


def test_row_errors_give_exit_status_one_and_name_row_and_column() -> None:
    result = run(str(DATA / "register-errors.csv"), "--voting-day", "2027-05-15", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert {
        "row": 3,
        "column": "datum_in_dienst",
        "code": "bad_date",
        "message": "'2020-31-01' is not a date (use YYYY-MM-DD or DD-MM-YYYY)",
    } in doc["errors"]
    assert "problem(s)" in result.stderr


def test_map_option_names_unrecognised_columns() -> None:
    result = run(
        str(DATA / "register-english.csv"),
        "--voting-day",
        "2027-05-15",
        "--map",
        "employee_number=Staff ID",
        "--map",
        "start_date=Hired on",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert [p["employee_number"] for p in json.loads(result.stdout)["people"]] == ["A-1", "A-2"]


def test_missing_column_without_map_explains_the_map_option() -> None:
    result = run(str(DATA / "register-english.csv"), "--voting-day", "2027-05-15")
    assert result.exit_code == 1
    assert "--map employee_number=COLUMN" in result.stdout


def test_malformed_map_option_is_refused() -> None:
    for bad in ("employee_number", "vakbond=Lid"):
        result = run(str(DATA / "register-small.csv"), "--voting-day", "2027-05-15", "--map", bad)
        assert result.exit_code == 1 and "--map" in result.stderr


def test_missing_file_is_reported_without_traceback() -> None:
    result = run("does-not-exist.csv", "--voting-day", "2027-05-15")
    assert result.exit_code == 1
    assert "does-not-exist.csv" in result.stderr and "cannot read" in result.stderr
    assert "Traceback" not in result.output


def test_file_that_is_not_a_register_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    result = run(str(pdf), "--voting-day", "2027-05-15", "--json")
    assert result.exit_code == 1 and "PDF" in result.stderr
    assert result.stdout == ""


def test_size_limit_option() -> None:
    result = run(str(DATA / "register-small.csv"), "--voting-day", "2027-05-15", "--max-mb", "0.0001")
    assert result.exit_code == 1 and "larger than the limit" in result.stderr


def test_bad_voting_day_is_refused() -> None:
    result = run(str(DATA / "register-small.csv"), "--voting-day", "2027-02-30")
    assert result.exit_code == 2 and "--voting-day" in result.stderr
