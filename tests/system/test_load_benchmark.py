"""The load benchmark runs end to end: locust against gunicorn and its own PostgreSQL, zero errors, JSON out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_short_load_run_prints_json_with_no_errors(voting_stack_binaries):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            "--json",
            "--duration",
            "8",
            "--users",
            "4",
            "--voters",
            "150",
            "--candidates",
            "5",
            "--workers",
            "2",
            "--processes",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["errors"] == 0 and figures["error_messages"] == []
    assert figures["casts"] > 0 and figures["cast_per_s"] > 0
    assert 0 < figures["cast_p95_ms"] < 60_000
    assert figures["check_ok"] is True
    # Each visit is five requests (booth page, parameters, credential, cast, board lookup); the last may be cut short.
    assert figures["requests"] >= 4 * figures["casts"]
