"""Benchmark: simulate an election record, then verify it end to end with 1 and with 2 processes.

    python -m benchmarks.verify_record --json [--ballots 2000] [--candidates 20] [--jobs 1 2]
        [--record DIR]

Prints one JSON object: ballots, candidates, verify_s_jobsN and ms_per_ballot_jobsN for each ``--jobs``
value, ballots_per_s_jobs2, peak_mb (the largest resident set of this process or any worker, in MiB),
simulate_s, and whether libdecaf was used. ``--record DIR`` keeps the simulated record in DIR, and
reuses it when it is already there (simulate_s is then null), so a large record is simulated once.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from crypto import fastgroup as fg
from crypto.simulate import SimulationParams, plain_allocation, simulate
from crypto.verifier import verify_record


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def run(
    ballots: int, candidates: int, zipped: bool, jobs: list[int], record: Path | None = None
) -> dict[str, float | int | bool | None]:
    """Simulate (unless ``record`` holds one already) and verify; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = record or Path(tmp) / ("record.zip" if zipped else "record")
        sim_s: float | None = None
        if not out.exists():
            t0 = time.perf_counter()
            simulate(
                SimulationParams(voters=ballots, candidates=candidates, seed="bench", challenged=2, jobs=2),
                out,
                seat_allocator=plain_allocation,
            )
            sim_s = round(time.perf_counter() - t0, 2)
        times = {}
        counted = 0
        for n in jobs:
            t0 = time.perf_counter()
            report = verify_record(out, seat_allocator=plain_allocation, jobs=n)
            times[n] = time.perf_counter() - t0
            if not report.valid:
                raise SystemExit(f"benchmark record did not verify: {report.failed()}")
            counted = sum(report.summary["ballots"].values())
    figures: dict[str, float | int | bool | None] = {
        "ballots": counted,
        "candidates": candidates,
        "libdecaf": fg.AVAILABLE,
        "simulate_s": sim_s,
    }
    for n, seconds in times.items():
        figures[f"verify_s_jobs{n}"] = round(seconds, 2)
        figures[f"ms_per_ballot_jobs{n}"] = round(seconds / counted * 1000, 2)
    if 2 in times:
        figures["ballots_per_s_jobs2"] = round(counted / times[2], 1)
    figures["peak_mb"] = _peak_mb()
    return figures


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="process counts to time")
    parser.add_argument("--record", type=Path, help="keep (or reuse) the simulated record here")
    parser.add_argument("--zip", action="store_true", help="write and verify a .zip record")
    parser.add_argument("--json", action="store_true", help="print JSON (the default output)")
    args = parser.parse_args(argv)
    figures = run(args.ballots, args.candidates, args.zip, args.jobs, args.record)
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
