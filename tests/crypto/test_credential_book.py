"""Lost codes replaced while voting is open: the credential entries on the board and how the verifier replays them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from crypto import board as bd
from crypto import group as g
from crypto import record as rc
from crypto import verify_ballots as vb
from crypto.credential_book import (
    CredentialBook,
    CredentialChangeError,
    addition_payload,
    parse_change,
    revocation_payload,
)
from crypto.simulate import SimulationError, SimulationParams, simulate
from crypto.verifier import check_credential_entry, verify_record
from crypto.verify_report import Report
from election.cli import main
from election.cli_verify import allocate_seats

RECORDS = Path(__file__).parent.parent / "records"


def _point(n: int) -> bytes:
    return bytes(g.base_mul(g.scalar_from_int(n)))


A, B, C, D = (_point(n) for n in (11, 12, 13, 14))


def _book() -> CredentialBook:
    return CredentialBook.from_lists({"G1": [A, B], "G2": [C]})


def test_a_replacement_moves_the_right_to_vote_from_the_old_credential_to_the_new_one() -> None:
    book = _book()
    assert book.step(bd.CREDENTIAL_REVOKED, 5, revocation_payload("G1", A, "lost")) is None
    assert book.step(bd.CREDENTIAL_ADDED, 6, addition_payload("G1", D, A)) is None
    assert book.ballot("G1", D, 7) is None
    assert (
        book.ballot("G1", A, 8)
        == f"credential {A.hex()[:16]}… was retired by credential_revoked seq 5, before this ballot"
    )
    assert book.live["G1"] == {B, D}
    assert book.changes == 2


def test_a_ballot_cast_before_the_revocation_stays_and_blocks_the_revocation() -> None:
    book = _book()
    assert book.ballot("G1", A, 3) is None
    problem = book.step(bd.CREDENTIAL_REVOKED, 4, revocation_payload("G1", A, "lost"))
    assert problem is not None and "already cast ballot seq 3 and cannot be retired" in problem


def test_an_addition_must_directly_follow_the_revocation_it_names() -> None:
    book = _book()
    problem = book.step(bd.CREDENTIAL_ADDED, 2, addition_payload("G1", D, A))
    assert problem is not None and "does not directly follow the credential_revoked entry" in problem
    assert book.ballot("G1", D, 3) == f"credential {D.hex()[:16]}… is not listed for group G1"

    book = _book()
    book.step(bd.CREDENTIAL_REVOKED, 2, revocation_payload("G1", A, "lost"))
    book.other()  # a challenged ballot in between
    assert "does not directly follow" in (book.step(bd.CREDENTIAL_ADDED, 4, addition_payload("G1", D, A)) or "")

    book = _book()
    book.step(bd.CREDENTIAL_REVOKED, 2, revocation_payload("G1", A, "lost"))
    assert "does not directly follow" in (book.step(bd.CREDENTIAL_ADDED, 3, addition_payload("G1", D, B)) or "")


def test_an_addition_cannot_reuse_a_credential_or_cross_groups() -> None:
    book = _book()
    book.step(bd.CREDENTIAL_REVOKED, 2, revocation_payload("G1", A, "lost"))
    assert "was listed or added before" in (book.step(bd.CREDENTIAL_ADDED, 3, addition_payload("G1", C, A)) or "")
    book = _book()
    book.step(bd.CREDENTIAL_REVOKED, 2, revocation_payload("G1", A, "lost"))
    assert "not of group G2" in (book.step(bd.CREDENTIAL_ADDED, 3, addition_payload("G2", D, A)) or "")


def test_retiring_twice_or_an_unlisted_credential_is_refused() -> None:
    book = _book()
    assert book.step(bd.CREDENTIAL_REVOKED, 2, revocation_payload("G1", A, "lost")) is None
    again = book.step(bd.CREDENTIAL_REVOKED, 3, revocation_payload("G1", A, "compromised"))
    assert again is not None and "already retired by credential_revoked seq 2" in again
    other_group = book.step(bd.CREDENTIAL_REVOKED, 4, revocation_payload("G2", B, "lost"))
    assert other_group is not None and "is not listed for group G2" in other_group


@pytest.mark.parametrize(
    ("entry_type", "payload", "message"),
    [
        (bd.CREDENTIAL_REVOKED, {"group": "G1", "credential": A.hex()}, "exactly credential, group, reason"),
        (bd.CREDENTIAL_REVOKED, {"group": "G1", "credential": A.hex(), "reason": "bored"}, "reason must be one of"),
        (bd.CREDENTIAL_REVOKED, {"group": "G1", "credential": A.hex().upper(), "reason": "lost"}, "lower-case hex"),
        (bd.CREDENTIAL_ADDED, {"group": "G1", "credential": "00" * 32, "replaces": A.hex()}, "not a valid point"),
        (bd.CREDENTIAL_ADDED, {"group": "G1", "credential": "ff" * 32, "replaces": A.hex()}, "not a valid point"),
        (bd.CREDENTIAL_ADDED, [], "must be an object"),
    ],
)
def test_malformed_credential_payloads_are_named(entry_type: str, payload: object, message: str) -> None:
    with pytest.raises(CredentialChangeError, match=message):
        parse_change(entry_type, payload)
    problem = _book().step(entry_type, 9, payload)
    assert problem is not None and problem.startswith(f"{entry_type} seq 9: ")


def test_the_valid_fixture_replaces_a_code_and_says_so() -> None:
    types = [json.loads(line)["type"] for line in (RECORDS / "valid" / "board.jsonl").read_text().splitlines()]
    revoked = types.index(bd.CREDENTIAL_REVOKED)
    assert types[revoked + 1] == bd.CREDENTIAL_ADDED
    report = verify_record(RECORDS / "valid", seat_allocator=allocate_seats, jobs=1)
    assert report.valid, report.render()
    assert "2 credential change(s) applied in board order" in report["eligibility"].detail()


def test_a_ballot_under_a_revoked_credential_after_its_revocation_fails_eligibility() -> None:
    report = verify_record(RECORDS / "invalid" / "ballot-after-revocation", seat_allocator=allocate_seats, jobs=1)
    assert report.failed() == ["eligibility"]
    [message] = report["eligibility"].failures
    assert message.startswith("ballot seq ") and "was retired by credential_revoked seq" in message


def test_a_changed_revocation_payload_fails_its_hash() -> None:
    report = verify_record(RECORDS / "invalid" / "tampered-revocation", seat_allocator=allocate_seats, jobs=1)
    assert report.failed() == ["board_payloads"]
    assert "payload does not match its hash" in report["board_payloads"].failures[0]


def test_a_version_1_record_still_verifies_and_may_not_hold_credential_entries(tmp_path: Path) -> None:
    params = SimulationParams(voters=4, candidates=2, groups=1, challenged=0, seed="v1", jobs=1, record_version=1)
    simulate(params, tmp_path / "v1", seat_allocator=allocate_seats)
    manifest = json.loads((tmp_path / "v1" / rc.MANIFEST).read_text())
    assert manifest["version"] == 1 and "credential_mode" not in manifest
    assert verify_record(tmp_path / "v1", seat_allocator=allocate_seats, jobs=1).valid
    with pytest.raises(SimulationError, match="needs record version 2"):
        simulate(SimulationParams(voters=4, candidates=2, record_version=1, replacements=1), tmp_path / "x")

    entry = bd.Entry(4, b"\0" * 32, bd.CREDENTIAL_REVOKED, b"\0" * 32, "2026-03-02T09:00:00Z")
    payload = revocation_payload("G1", A, "lost")
    info = vb.LineInfo(5, entry, payload=payload)
    report = Report()
    check_credential_entry(_book(), SimpleNamespace(manifest=SimpleNamespace(version=1)), entry, info, report)
    assert report["eligibility"].failures == [
        "board.jsonl line 5: a version 1 record has no credential_revoked entries (seq 4)"
    ]
    assert "payload does not match its hash" in report["board_payloads"].failures[0]


def test_the_manifest_names_the_credential_mode_from_version_2_on(tmp_path: Path) -> None:
    target = tmp_path / "rec"
    shutil.copytree(RECORDS / "valid", target)
    manifest = json.loads((target / rc.MANIFEST).read_text())
    assert manifest["credential_mode"] == "server"
    manifest["credential_mode"] = "by-post"
    (target / rc.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(rc.RecordError, match="credential_mode: expected one of server, offline"):
        verify_record(target, jobs=1)


def test_stembus_simulate_can_replace_codes(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    args = ["simulate", "--voters", "6", "--candidates", "2", "--replacements", "2", "--challenged", "0"]
    result = CliRunner().invoke(main, [*args, "--seed", "r", "--jobs", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["replacements"] == 2
    board = (out / rc.BOARD).read_text()
    assert board.count('"type":"credential_revoked"') == 2 and board.count('"type":"credential_added"') == 2
    verify = CliRunner().invoke(main, ["verify", str(out), "--jobs", "1"])
    assert verify.exit_code == 0, verify.output
