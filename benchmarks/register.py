"""Benchmark: import and check a 100,000-row HR export.

``python -m benchmarks.register --json`` writes a synthetic register with the shared generator
(``shared/tools/make_register.py`` beside the repository, or ``STEMBUS_MAKE_REGISTER``), reads it
with :func:`election.register_import.import_register`, and prints the wall time of the import and
the peak resident memory of this process (the generator runs in a child process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from election.register_import import import_register

REFERENCE_DATE = "2027-03-15"


def generator_path() -> Path:
    """Locate the shared register generator."""
    configured = os.environ.get("STEMBUS_MAKE_REGISTER")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve().parent.parent
    for candidate in (
        here.parent / "shared" / "tools" / "make_register.py",
        here / "shared" / "tools" / "make_register.py",
    ):
        if candidate.exists():
            return candidate
    raise SystemExit("make_register.py not found; set STEMBUS_MAKE_REGISTER to its path")


def run(rows: int) -> dict[str, float | int]:
    """Generate ``rows`` people, import them, and return the measured figures."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "register.csv"
        with target.open("wb") as out:
            subprocess.run(
                [sys.executable, str(generator_path()), str(rows), "--reference-date", REFERENCE_DATE],
                stdout=out,
                check=True,
            )
        start = time.perf_counter()
        result = import_register(target, date.fromisoformat(REFERENCE_DATE), max_bytes=200 * 1024 * 1024)
        result.summary()
        elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {
        "import_100k_s": round(elapsed, 3),
        "peak_mb": round(peak_kb / 1024, 1),
        "rows": result.rows,
        "people": len(result.people),
        "errors": len(result.errors),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = run(args.rows)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
