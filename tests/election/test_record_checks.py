"""The server-side record checks are the checks of ``stembus verify``: same report, with progress.

Records come from ``crypto.simulate`` (the real cryptography, no database): an honest one, one whose
published counts were changed, and one whose manifest no longer matches its keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crypto.simulate import SimulationParams, Tamper, simulate
from crypto.verifier import verify_record
from election.cli_verify import allocate_seats
from election.record_checks import verify_with_progress


class _CountsChanged(Tamper):
    def counts(self, group: str, counts: list[int]) -> list[int]:
        return [counts[0] + 1, *counts[1:]]


def _record(tmp_path: Path, tamper: Tamper | None = None) -> Path:
    out = tmp_path / "record"
    params = SimulationParams(voters=40, candidates=4, groups=2, challenged=1, seed="checks", jobs=1)
    simulate(params, out, seat_allocator=allocate_seats, tamper=tamper)
    return out


def _both(path: Path) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []
    mine = verify_with_progress(path, lambda stage, done: seen.append((stage, done)))
    theirs = verify_record(path, seat_allocator=allocate_seats, jobs=1)
    return mine.to_dict(), theirs.to_dict(), seen


def test_an_honest_record_gives_the_verifiers_report_and_reports_progress(tmp_path):
    path = _record(tmp_path)
    mine, theirs, seen = _both(path)
    assert mine == theirs and mine["valid"] is True
    stages = [stage for stage, _ in seen]
    assert stages[0] == "setup" and stages[-1] == "tally" and "board" in stages
    lines = [done for stage, done in seen if stage == "board"]
    assert lines == sorted(lines) and lines[-1] == mine["summary"]["board_entries"]


def test_a_record_with_changed_counts_fails_the_same_way(tmp_path):
    mine, theirs, _ = _both(_record(tmp_path, _CountsChanged()))
    assert mine == theirs and mine["valid"] is False
    failed = {c["name"] for c in mine["checks"] if not c["ok"] and not c.get("skipped")}
    assert "counts" in failed


def test_a_record_whose_set_up_is_broken_is_refused_the_same_way(tmp_path):
    path = _record(tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["committee"]["threshold"] = 1  # keys.json still says 2 of 3
    (path / "manifest.json").write_text(json.dumps(manifest))
    mine, theirs, seen = _both(path)
    assert mine == theirs and mine["valid"] is False
    assert [stage for stage, _ in seen] == ["setup"]
    assert any(c.get("skipped") for c in mine["checks"])


@pytest.mark.parametrize("name", ["board.jsonl", "tally.json"])
def test_an_unreadable_record_raises_as_the_verifier_does(tmp_path, name):
    from crypto.record_schema import RecordError

    path = _record(tmp_path)
    (path / name).unlink()
    with pytest.raises(RecordError):
        verify_with_progress(path, lambda *_: None)
