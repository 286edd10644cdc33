"""Benchmark: simulate an election record, then verify it end to end with 1 and with 2 processes.

    python -m benchmarks.verify_record --json [--ballots 2000] [--candidates 20] [--jobs 1 2]
        [--record DIR]

Prints one JSON object: ballots, candidates, verify_s_jobsN and ms_per_ballot_jobsN for each ``--jobs``
value, ballots_per_s_jobs2, peak_mb (the largest resident set of this process or any worker, in MiB),
simulate_s, and whether libdecaf was used. ``--record DIR`` keeps the simulated record in DIR, and
reuses it when it is already there (simulate_s is then null), so a large record is simulated once.

Wall-clock figures depend on what else runs on the machine, so each run also gives the processor time
it used: ``cpu_ms_per_ballot_jobsN`` is the user plus system time of this process and of every worker
process, per ballot, and ``cpu_ballots_per_s_per_core_jobsN`` its inverse, the rate one fully available
core would reach. ``load_before`` and ``load_after`` are the 1-minute load averages around the run.
``projected_100k_s_jobs2`` extrapolates the 2-process wall-clock rate to 100,000 ballots, and
``projected_100k_s_idle_2cores`` does the same from processor time with both cores to itself; both are
projections, not measurements.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _cpu_s() -> float:
    """User plus system time of this process and of its waited-for children (the verifier's workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


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
                # A few lost codes replaced while voting is open, so the credential entries are timed too.
                SimulationParams(
                    voters=ballots, candidates=candidates, seed="bench", challenged=2, jobs=2, replacements=5
                ),
                out,
                seat_allocator=plain_allocation,
            )
            sim_s = round(time.perf_counter() - t0, 2)
        times = {}
        cpu = {}
        counted = 0
        load_before = round(os.getloadavg()[0], 2)
        for n in jobs:
            c0 = _cpu_s()
            t0 = time.perf_counter()
            report = verify_record(out, seat_allocator=plain_allocation, jobs=n)
            times[n] = time.perf_counter() - t0
            # The pool has joined its workers by now, so their time is in RUSAGE_CHILDREN.
            cpu[n] = _cpu_s() - c0
            if not report.valid:
                raise SystemExit(f"benchmark record did not verify: {report.failed()}")
            counted = sum(report.summary["ballots"].values())
    figures: dict[str, float | int | bool | None] = {
        "ballots": counted,
        "candidates": candidates,
        "libdecaf": fg.AVAILABLE,
        "simulate_s": sim_s,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
    }
    for n, seconds in times.items():
        figures[f"verify_s_jobs{n}"] = round(seconds, 2)
        figures[f"ms_per_ballot_jobs{n}"] = round(seconds / counted * 1000, 2)
        figures[f"cpu_ms_per_ballot_jobs{n}"] = round(cpu[n] / counted * 1000, 3)
        figures[f"cpu_ballots_per_s_per_core_jobs{n}"] = round(counted / cpu[n], 1)
    if 2 in times:
        figures["ballots_per_s_jobs2"] = round(counted / times[2], 1)
        # Projections for a 100,000-ballot record, not measurements: at this run's wall-clock rate, and
        # from processor time alone for two fully available cores (what an idle 2-core machine gives).
        figures["projected_100k_s_jobs2"] = round(100_000 / (counted / times[2]), 0)
        figures["projected_100k_s_idle_2cores"] = round(100_000 * cpu[2] / counted / 2, 0)
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
