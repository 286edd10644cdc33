"""Benchmark: simulate an election record, then verify it end to end with 1 and with 2 processes.

    python -m benchmarks.verify_record --json [--ballots 2000] [--candidates 20]

Prints one JSON object: ballots, candidates, verify_s_jobs1, verify_s_jobs2, ballots_per_s_jobs2, peak_mb
(the largest resident set of this process or any worker, in MiB), plus simulate_s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from crypto.simulate import SimulationParams, plain_allocation, simulate
from crypto.verifier import verify_record


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def run(ballots: int, candidates: int, zipped: bool) -> dict[str, float | int]:
    """Simulate and verify; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("record.zip" if zipped else "record")
        t0 = time.perf_counter()
        simulate(
            SimulationParams(voters=ballots, candidates=candidates, seed="bench", challenged=2, jobs=2),
            out,
            seat_allocator=plain_allocation,
        )
        sim_s = time.perf_counter() - t0
        times = {}
        for jobs in (1, 2):
            t0 = time.perf_counter()
            report = verify_record(out, seat_allocator=plain_allocation, jobs=jobs)
            times[jobs] = time.perf_counter() - t0
            if not report.valid:
                raise SystemExit(f"benchmark record did not verify: {report.failed()}")
    return {
        "ballots": ballots,
        "candidates": candidates,
        "simulate_s": round(sim_s, 2),
        "verify_s_jobs1": round(times[1], 2),
        "verify_s_jobs2": round(times[2], 2),
        "ballots_per_s_jobs2": round(ballots / times[2], 1),
        "peak_mb": _peak_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--zip", action="store_true", help="write and verify a .zip record")
    parser.add_argument("--json", action="store_true", help="print JSON (the default output)")
    args = parser.parse_args(argv)
    figures = run(args.ballots, args.candidates, args.zip)
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
