"""The verifier over the kept fixtures: the valid record passes, each tampered one fails exactly where it should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crypto.verifier import verify_record
from crypto.verify_report import CHECK_NAMES
from election.cli_verify import allocate_seats

RECORDS = Path(__file__).parent.parent / "records"
EXPECTED = json.loads((RECORDS / "invalid" / "EXPECTED.json").read_text())


def test_the_valid_fixture_passes_every_check() -> None:
    report = verify_record(RECORDS / "valid", seat_allocator=allocate_seats, jobs=1)
    assert report.valid, report.render()
    doc = report.to_dict()
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    assert all(c["ok"] for c in doc["checks"])
    assert set(doc["counts"]) == {"G1", "G2"}
    assert sum(doc["counts"]["G1"].values()) + sum(doc["counts"]["G2"].values()) == 8
    assert set(doc["seats"]) == {"G1", "G2"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_tampered_fixture_fails_exactly_where_expected(name: str) -> None:
    report = verify_record(RECORDS / "invalid" / name, seat_allocator=allocate_seats, jobs=1)
    assert not report.valid
    assert sorted(report.failed()) == EXPECTED[name]["fails"]
    first = next(c for c in report.checks.values() if c.failure_count)
    assert EXPECTED[name]["names"] in first.failures[0]
    assert report.to_dict()["valid"] is False


def test_every_fixture_kind_the_issue_names_is_kept() -> None:
    required = {
        "two-in-one-slot",
        "two-ballots-one-credential",
        "unlisted-credential",
        "dropped-entry",
        "inserted-entry",
        "reordered-entries",
        "forged-decryption-share",
        "wrong-count",
        "wrong-seat-allocation",
        "credentials-beyond-register",
    }
    assert required <= set(EXPECTED)


def test_two_processes_give_the_same_report() -> None:
    one = verify_record(RECORDS / "invalid" / "two-in-one-slot", seat_allocator=allocate_seats, jobs=1)
    two = verify_record(RECORDS / "invalid" / "two-in-one-slot", seat_allocator=allocate_seats, jobs=2, chunk_size=2)
    strip = lambda r: [(c["name"], c["ok"], c.get("failures")) for c in r.to_dict()["checks"]]  # noqa: E731
    assert strip(one) == strip(two)


def test_without_an_allocator_seats_are_not_recomputed_but_inputs_are(tmp_path: Path) -> None:
    report = verify_record(RECORDS / "valid", jobs=1)
    assert report["seats"].ok
    assert "not recomputed" in report["seats"].detail()


def test_a_wrong_version_skips_the_rest() -> None:
    report = verify_record(RECORDS / "invalid" / "wrong-version", jobs=1)
    doc = report.to_dict()
    assert doc["checks"][0]["ok"] is False
    assert all(c.get("skipped") for c in doc["checks"][1:])


def test_progress_goes_to_stderr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import crypto.verify_parallel as vp

    monkeypatch.setattr(vp.time, "monotonic", iter(range(0, 10_000, 5)).__next__)
    verify_record(RECORDS / "valid", seat_allocator=allocate_seats, jobs=1, progress=True)
    assert "verifying board entries" in capsys.readouterr().err
