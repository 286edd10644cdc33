"""The tally benchmark runs end to end on a small board and prints its figures as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_tally_benchmark_runs_small_and_prints_both_figures():
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.tally", "--json", "--ballots", "200", "--pool", "40"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["ballots"] == 200 and figures["candidates"] == 20 and figures["pool"] == 40
    assert isinstance(figures["tally_100k_s"], float) and figures["tally_100k_s"] > 0
    assert isinstance(figures["report_pdf_s"], float) and figures["report_pdf_s"] > 0
    assert figures["report_seats"] == 25 and figures["report_candidates"] == 200 and figures["report_lots"] >= 1
    parts = ("aggregate_s", "decrypt_s", "check_s", "combine_s", "seats_s")
    assert abs(sum(figures[k] for k in parts) - figures["tally_100k_s"]) < 0.02
