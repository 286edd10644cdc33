"""The linters configured in pyproject.toml pass on the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing():
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_the_domain_and_crypto_packages():
    result = subprocess.run([str(BIN / "mypy"), "crypto", "election"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_domain_module_imports_on_its_own():
    """No import cycle: each module of election/ loads in a fresh interpreter as the first import."""
    names = sorted(f"election.{path.stem}" for path in (ROOT / "election").glob("*.py") if path.stem != "__init__")
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    failures = []
    for name in names:
        result = subprocess.run([sys.executable, "-c", script, name], cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            failures.append(f"{name}: {result.stderr.strip().splitlines()[-1]}")
    assert failures == []
