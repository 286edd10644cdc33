"""The application as the web scanners see it: gunicorn loads ``create_scan_app()`` from here.

It is the production factory with three changes a scan needs, all set from the environment the
test gives the gunicorn process:

* the clock runs from the seeded election's voting-day noon (``STEMBUS_SCAN_NOW``, shown when the
  server started at ``STEMBUS_SCAN_STARTED``), at real speed, the same in every worker (gunicorn
  replaces workers after a few thousand requests), so the booth is open and TOTP codes line up;
* the failure budgets (per-address rate limits, the database throttles on codes, sign-in and
  searches) are lifted: a scanner sends thousands of wrong values from one address, and behind the
  429 wall it would test nothing. The throttles themselves have their own tests;
* nothing else: CSRF, sessions, headers and every check stay as in production.
"""

from __future__ import annotations

import importlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from admin.app import create_app
from election.clock import Clock
from election.throttle import Limit

# Modules whose module-level ``Limit`` budgets a scan lifts.
THROTTLED_MODULES = ("admin.voting", "admin.auth", "admin.nomination")
UNLIMITED = 10**9


class ShiftedClock(Clock):
    """The real clock, moved so that it showed ``start`` at the real instant ``started``."""

    def __init__(self, start: datetime, started: datetime) -> None:
        self.offset = start - started

    def now(self) -> datetime:
        """The shifted current instant."""
        return datetime.now(UTC) + self.offset

    def database_now(self, session: Any) -> datetime:
        """The database's clock, shifted the same way, so the scan's voting window stays open."""
        return super().database_now(session) + self.offset


def lift_throttles() -> None:
    """Give every module-level failure budget of the web layer an unreachable size."""
    for name in THROTTLED_MODULES:
        module = importlib.import_module(name)
        for attribute, value in list(vars(module).items()):
            if isinstance(value, Limit):
                setattr(module, attribute, Limit(value.name, UNLIMITED, value.window))


def create_scan_app() -> Flask:
    """The application for a scan, configured from ``STEMBUS_*`` variables as in production."""
    start = datetime.fromisoformat(os.environ["STEMBUS_SCAN_NOW"])
    started = datetime.fromisoformat(os.environ["STEMBUS_SCAN_STARTED"])
    overrides: dict[str, Any] = {
        "CLOCK": ShiftedClock(start, started),
        "RATELIMIT_ENABLED": False,
        "LOGIN_MAX_FAILURES": UNLIMITED,
        "SESSION_IDLE_TIMEOUT": timedelta(hours=2),
    }
    app = create_app(overrides)
    lift_throttles()
    return app
