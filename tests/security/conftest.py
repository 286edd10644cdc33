"""The running instance the scanners share, and how a missing scanner is reported."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.security.instance import ScanTarget, running_instance


def require_tool(name: str) -> str:
    """The scanner's path; missing, it fails in CI and skips elsewhere."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is required in CI (STEMBUS_NEED_DEPLOY_TOOLS=1 deploy/install-system-packages.sh)")
        pytest.skip(f"{name} is not installed (make test installs it)")
    return path


@pytest.fixture(scope="session")
def scan_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanTarget]:
    """One seeded instance behind gunicorn for every scan of this run."""
    with running_instance(tmp_path_factory.mktemp("scan")) as target:
        yield target
