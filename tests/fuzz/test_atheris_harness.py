"""The atheris harness for the ballot decoder still starts and survives a short run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).with_name("atheris_ballot.py")


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_the_ballot_harness_runs_a_few_thousand_inputs_without_a_crash(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(HARNESS), "-atheris_runs=3000", "-rss_limit_mb=1024"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 3000 runs" in result.stderr or "Done 3000 in" in result.stderr, result.stderr[-2000:]
    assert not list(tmp_path.glob("crash-*"))
