"""``stembus verify-challenge`` on real tested ballots: the booth's document and the board's entry."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from crypto import group as g
from election.board_store import board_lines
from election.cli import main
from election.voting_codes import identity_of
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')
RECORDS = Path(__file__).parent.parent / "records"


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["verify-challenge", *args])


def _tested_ballot(app, client, tmp_path, choice):  # type: ignore[no-untyped-def]
    """Post a real tested ballot through the booth; save what a voter can take home, by file name."""
    ve = make_voting_election(app)
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}
    ballot, reveal = make_ballot(app, ve.election_id, ve.code_in("Noord"), choice)
    answer = client.post(f"/vote/{uuid}/challenge", json={"ballot": ballot, "reveal": reveal}, headers=headers)
    assert answer.status_code == 201
    params = client.get(f"/vote/{uuid}/parameters.json").get_json()
    group = params["groups"][ballot["group"]]
    # What the booth shows after "test this ballot" (static/js/booth.js).
    options = [{"id": o["id"], "name": o["name"] or "Blank"} for o in group["options"]]
    document = {"joint_key": params["joint_key"], "options": options, "ballot": ballot, "reveal": reveal}
    with app.extensions["stembus_sessions"]() as db:
        entry = next(json.loads(line) for line in board_lines(db, ve.election_id) if '"challenged"' in line)
    files = {"params": params, "document": document, "entry": entry}
    for name, content in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(content))
    return {name: str(tmp_path / f"{name}.json") for name in files}, group, answer.get_json()["tracking_code"]


def test_the_booth_document_and_the_board_entry_name_the_tested_choice(app, client, tmp_path):
    files, group, tracking = _tested_ballot(app, client, tmp_path, 1)
    chosen = group["options"][1]
    assert chosen["name"]

    alone = _run(files["document"])
    assert alone.exit_code == 0, alone.output
    assert f"The ballot encrypts: {chosen['name']}\n" in alone.output
    assert f"Tracking code: {tracking}" in alone.output

    with_params = _run(files["entry"], "--parameters", files["params"])
    assert with_params.exit_code == 0, with_params.output
    lines = with_params.output.splitlines()
    assert f"Group: {group['id']} ({group['name']})" in lines
    marked = [line for line in lines if line.lstrip().startswith("[x]")]
    assert marked == [f"  [x] {chosen['name']}  ({chosen['list']})"]
    # Every option is listed in the voter's ballot order, blank last.
    listed = [line.split("] ", 1)[1].split("  (")[0] for line in lines if line.lstrip().startswith("[")]
    assert listed == [o["name"] or "blank" for o in group["options"]]

    as_json = _run(files["document"], "--parameters", files["params"], "--json")
    assert as_json.exit_code == 0
    outcome = json.loads(as_json.output)
    assert outcome["opens"] is True and outcome["tracking_code"] == tracking
    assert outcome["chosen"] == [chosen["name"]]
    assert [o["chosen"] for o in outcome["options"]] == [o["index"] == 1 for o in group["options"]]


def test_a_blank_tested_ballot_says_blank(app, client, tmp_path):
    files, _, _ = _tested_ballot(app, client, tmp_path, -1)
    result = _run(files["entry"], "--parameters", files["params"], "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["chosen"] == ["blank"]


def test_randomness_that_does_not_open_the_ballot_is_refused(app, client, tmp_path):
    files, _, _ = _tested_ballot(app, client, tmp_path, 1)
    entry = json.loads(Path(files["entry"]).read_text())
    reveal = entry["payload"]["reveal"]
    # A booth that encrypted option 0 but claims option 1 would have to show randomness like this.
    reveal["randomness"][0] = g.random_scalar().hex()
    Path(files["entry"]).write_text(json.dumps(entry))
    result = _run(files["entry"], "--parameters", files["params"])
    assert result.exit_code == 1
    assert "does not open this ballot: selections[0]" in result.output
    assert "take this file to the election committee" in result.output
    assert "The ballot encrypts" not in result.output

    as_json = _run(files["entry"], "--parameters", files["params"], "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.output.split("\nerror:")[0])["opens"] is False


def test_swapped_choices_do_not_open_the_ballot(app, client, tmp_path):
    files, _, _ = _tested_ballot(app, client, tmp_path, 1)
    document = json.loads(Path(files["document"]).read_text())
    choices = document["reveal"]["choices"]
    choices[0], choices[1] = choices[1], choices[0]
    Path(files["document"]).write_text(json.dumps(document))
    result = _run(files["document"])
    assert result.exit_code == 1
    assert "selections[0]: the revealed choice and randomness do not match" in result.output


def test_a_document_with_another_key_than_the_election_is_refused(app, client, tmp_path):
    files, _, _ = _tested_ballot(app, client, tmp_path, 1)
    document = json.loads(Path(files["document"]).read_text())
    document["joint_key"] = g.base_mul(g.random_scalar()).hex()
    Path(files["document"]).write_text(json.dumps(document))
    result = _run(files["document"], "--parameters", files["params"])
    assert result.exit_code == 2
    assert "another public key" in result.output


def test_the_published_record_supplies_key_and_names(tmp_path):
    board = (RECORDS / "valid" / "board.jsonl").read_text().splitlines()
    entry = next(json.loads(line) for line in board if json.loads(line)["type"] == "challenged")
    (tmp_path / "entry.json").write_text(json.dumps(entry))
    expected = [f"Kandidaat {i + 1}" for i, m in enumerate(entry["payload"]["reveal"]["choices"][:-1]) if m]
    result = _run(str(tmp_path / "entry.json"), "--record", str(RECORDS / "valid"), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["group"] == entry["payload"]["ballot"]["group"] and outcome["group_name"].startswith("Kiesgroep")
    assert outcome["chosen"] == (expected or ["blank"])

    missing = _run(str(tmp_path / "entry.json"))
    assert missing.exit_code == 2 and "public key is missing" in missing.output


def test_unreadable_input_is_a_one_line_error(tmp_path):
    (tmp_path / "junk.json").write_text("{not json")
    result = _run(str(tmp_path / "junk.json"))
    assert result.exit_code == 2
    assert result.output.startswith("error: challenge ") and "Traceback" not in result.output
