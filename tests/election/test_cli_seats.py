"""``stembus seats``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from election.cli import main

DATA = Path(__file__).parent / "data"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["seats", *args], input=stdin)


def test_example_a_as_json() -> None:
    result = run(str(DATA / "seats-example-a.json"), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["valid_votes"] == 800 and doc["quota"] == "160/3"
    fnv = doc["lists"][0]
    assert {k: fnv[k] for k in ("id", "votes", "full_seats", "remainder_seats", "seats")} == {
        "id": "FNV",
        "votes": 370,
        "full_seats": 6,
        "remainder_seats": 1,
        "seats": 7,
    }
    assert fnv["elected"][0] == "FNV-1" and fnv["reserves"] == ["FNV-8", "FNV-9", "FNV-10"]
    assert [x["seats"] for x in doc["lists"]] == [7, 3, 1, 0, 4]
    assert len(doc["elected"]) == 15 and doc["vacant_seats"] == 0 and doc["lots"] == []


def test_example_a_human_output() -> None:
    result = run(str(DATA / "seats-example-a.json"))
    assert result.exit_code == 0
    assert "FNV: 370 votes, 6 full + 1 remainder = 7 seats" in result.stdout


def test_person_system_tie_reports_the_lot() -> None:
    result = run(str(DATA / "seats-person-tie.json"), "--json")
    doc = json.loads(result.stdout)
    assert doc["quota"] is None and doc["lists"] == []
    assert doc["lots"][0]["among"] == ["Bram", "Cem"] and doc["lots"][0]["for"] == "seat 2"
    assert doc["elected"] == ["Anna", doc["lots"][0]["winner"]]
    human = run(str(DATA / "seats-person-tie.json"))
    assert "lot for seat 2 among Bram, Cem" in human.stdout


def test_reads_stdin() -> None:
    text = (DATA / "seats-example-a.json").read_text()
    result = run("-", "--json", stdin=text)
    assert json.loads(result.stdout)["valid_votes"] == 800


def test_malformed_json_is_reported_with_its_position() -> None:
    result = run(str(DATA / "malformed.json"), "--json")
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr and "line" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_invalid_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    doc = json.loads((DATA / "seats-example-a.json").read_text())
    doc["lists"][1]["candidates"][0]["votes"] = "sixty"
    path.write_text(json.dumps(doc))
    result = run(str(path))
    assert result.exit_code == 1
    assert "lists[1].candidates[0].votes" in result.stderr


def test_missing_input_file_is_reported() -> None:
    result = run("nope.json")
    assert result.exit_code == 1 and "nope.json" in result.stderr
