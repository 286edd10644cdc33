"""The simulator: a whole election through the real crypto, verified by the verifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crypto.record import RecordReader
from crypto.simulate import SimulationError, SimulationParams, plain_allocation, simulate
from crypto.verifier import verify_record


@pytest.mark.parametrize("system", ["list", "person"])
def test_simulated_records_verify(tmp_path: Path, system: str) -> None:
    params = SimulationParams(
        voters=9, candidates=4, groups=2, trustees=3, threshold=2, system=system, seed="t", jobs=1
    )
    summary = simulate(params, tmp_path / "rec.zip", seat_allocator=plain_allocation)
    assert summary["ballots"] == 9 and summary["challenged"] == 2
    report = verify_record(tmp_path / "rec.zip", seat_allocator=plain_allocation, jobs=1)
    assert report.valid, report.render()
    assert {g: list(c.values()) for g, c in report.counts.items()} == summary["counts"]


def test_seeded_runs_agree_on_votes_and_codes(tmp_path: Path) -> None:
    params = SimulationParams(voters=6, candidates=3, seed="same", jobs=1)
    a = simulate(params, tmp_path / "a", seat_allocator=plain_allocation)
    b = simulate(params, tmp_path / "b", seat_allocator=plain_allocation)
    assert a["counts"] == b["counts"]
    manifest = lambda p: json.loads((p / "manifest.json").read_text())  # noqa: E731
    assert manifest(tmp_path / "a") == manifest(tmp_path / "b")


def test_turnout_leaves_registered_voters_without_ballots(tmp_path: Path) -> None:
    params = SimulationParams(voters=10, candidates=2, turnout=0.5, challenged=0, seed="x", jobs=1)
    summary = simulate(params, tmp_path / "r", seat_allocator=plain_allocation)
    assert summary["ballots"] == 5
    with RecordReader(tmp_path / "r") as rec:
        assert len(rec.credentials()[0].credentials) == 10


@pytest.mark.parametrize(
    "params",
    [
        SimulationParams(voters=5, candidates=2, trustees=2, threshold=3),
        SimulationParams(voters=1, candidates=2, groups=2),
        SimulationParams(voters=3, candidates=2, system="stv"),
    ],
)
def test_inconsistent_parameters_are_refused(tmp_path: Path, params: SimulationParams) -> None:
    with pytest.raises(SimulationError):
        simulate(params, tmp_path / "r")
