"""The browser encryption benchmark runs in Debian's Chromium and prints its figures (not a speed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_browser_benchmark_prints_its_figures(browser):  # the fixture fails in CI without Chromium
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.browser", "--json", "--runs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["runs"] == 2
    for key in ("browser_encrypt40_ms", "browser_encrypt40_p95_ms", "browser_encrypt20_ms", "tables_ms"):
        assert figures[key] > 0, key
    assert figures["chromium"]
