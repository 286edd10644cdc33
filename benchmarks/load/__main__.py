"""Benchmark: casting under load, locust against gunicorn and a private PostgreSQL, all on loopback.

``python -m benchmarks.load --json`` starts a PostgreSQL cluster of its own (``stack``), migrates
Stembus into it, opens an election with one ballot of ``--candidates`` candidates plus blank and
``--voters`` codes (``seed``), encrypts one ballot per code, starts gunicorn with the production
settings file, and runs locust headless for ``--duration`` seconds with ``--users`` simultaneous
voters and no pause between their visits (``locustfile``; ``--cast-only`` leaves out all but the
booth page and the cast). It prints the cast rate, the 95th-percentile cast time, the errors,
per-request figures, the CPU time gunicorn and PostgreSQL spent per visit (comparable on a busy
machine), and whether ``stembus check`` passed on the database afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.load.seed import make_voters, seed_open_election
from benchmarks.load.stack import ROOT, Stack, cpu_seconds, running_stack, stembus_check

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


def _locust(stack: Stack, voters_file: Path, args: argparse.Namespace) -> Path:
    """Run locust headless against the stack; returns the CSV prefix of its statistics."""
    prefix = stack.cluster.directory / "locust"
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.users),
        "--run-time",
        f"{args.duration}s",
        "--host",
        stack.server.base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    environment = {
        **os.environ,
        "STEMBUS_LOAD_VOTERS": str(voters_file),
        "STEMBUS_LOAD_THINK": str(args.think),
        "STEMBUS_LOAD_CAST_ONLY": "1" if args.cast_only else "0",
        "PYTHONPATH": str(ROOT),
    }
    with (stack.cluster.directory / "locust.log").open("wb") as log:
        subprocess.run(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, timeout=args.duration + 120
        )
    return prefix


def _statistics(prefix: Path) -> dict[str, dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as failures:
        return [f"{row['Name']}: {row['Error']} ({row['Occurrences']}x)" for row in csv.DictReader(failures)]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up the stack, run the load, and return the measured figures."""
    with running_stack(workers=args.workers, threads=args.threads) as stack:
        election = seed_open_election(
            stack.database_url, stack.secret_key, voters=args.voters, candidates=args.candidates
        )
        started = time.perf_counter()
        voters = make_voters(election, processes=args.processes)
        prepare_s = time.perf_counter() - started
        voters_file = stack.cluster.directory / "voters.json"
        voters_file.write_text(json.dumps({"uuid": election.uuid, "voters": [v.to_dict() for v in voters]}))
        stack.server.start()
        assert stack.server.process is not None
        servers = (stack.server.process.pid, stack.cluster.postmaster_pid())
        cpu_before = sum(cpu_seconds(pid) for pid in servers)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        prefix = _locust(stack, voters_file, args)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = sum(cpu_seconds(pid) for pid in servers) - cpu_before
        locust_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        stats = _statistics(prefix)
        check = stembus_check(stack.server)
        cast = stats.get("cast", {})
        total = stats.get("Aggregated", {})
        casts = int(cast.get("Request Count", 0))
        return {
            "cast_per_s": round(float(cast.get("Requests/s", 0)), 1),
            "cast_p95_ms": float(cast.get("95%", 0) or 0),
            "cast_p50_ms": float(cast.get("50%", 0) or 0),
            "casts": casts,
            "requests": int(total.get("Request Count", 0)),
            "requests_per_s": round(float(total.get("Requests/s", 0)), 1),
            "request_p95_ms": float(total.get("95%", 0) or 0),
            "errors": int(total.get("Failure Count", 0)),
            "error_messages": _failures(prefix),
            "voters_exhausted": casts >= args.voters,
            # CPU the visits cost, whatever else runs on the machine: gunicorn and PostgreSQL per
            # visit (five requests, or two with --cast-only), and the load generator per visit.
            "server_cpu_ms_per_visit": round(1000 * server_cpu / casts, 1) if casts else None,
            "locust_cpu_ms_per_visit": round(1000 * locust_cpu / casts, 1) if casts else None,
            "endpoints": {
                name: {
                    "count": int(row["Request Count"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                }
                for name, row in stats.items()
                if name != "Aggregated"
            },
            "check_ok": check.returncode == 0,
            "flow": "cast only" if args.cast_only else "full visit",
            "users": args.users,
            "duration_s": args.duration,
            "candidates": args.candidates,
            "workers": args.workers,
            "threads": args.threads,
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "ballot_prepare_s": round(prepare_s, 1),
        }


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=20, help="simultaneous voters (default 20)")
    parser.add_argument("--voters", type=int, help="codes and ballots to prepare (default: 60 per second)")
    parser.add_argument("--candidates", type=int, default=20, help="candidates on the ballot (default 20)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (default 2, as deployed)")
    parser.add_argument("--cast-only", action="store_true", help="visits of booth page and cast only")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between one user's voters (default 0)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="processes encrypting ballots")
    args = parser.parse_args(argv)
    if args.voters is None:
        args.voters = max(200, 60 * args.duration)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    if result["errors"] or not result["check_ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
