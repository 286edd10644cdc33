"""What gunicorn loads in the fault tests: Stembus, plus a pause around the commit of a cast on request.

Only the fault tests point gunicorn here (``tests.system.fault_app:create_app()``); the module is
not part of the installed package and no setting of the service reaches it. A cast request with
the header ``X-Fault-Pause: before-commit`` or ``after-commit`` makes the worker write its process
id to ``$STEMBUS_FAULT_DIR/<phase>`` at that moment and sleep (``X-Fault-Pause-Seconds``, default
30), so a test can kill the worker just before or just after the ballot is committed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from admin.app import create_app as create_stembus_app
from election.models.voting import BoardEntry

HEADER = "X-Fault-Pause"


def _note_ballot(session: Session, _context: Any) -> None:
    if any(isinstance(obj, BoardEntry) and obj.type == "ballot" for obj in session.new):
        session.info["ballot"] = True


def _pause_at(phase: str) -> Any:
    def pause(session: Session) -> None:
        if not session.info.get("ballot") or not has_request_context() or request.headers.get(HEADER) != phase:
            return
        if session.in_nested_transaction():  # a savepoint; the hooks wait for the real commit
            return
        if phase == "after-commit":
            session.info.pop("ballot")
        marker = Path(os.environ["STEMBUS_FAULT_DIR"]) / phase
        marker.write_text(str(os.getpid()))
        time.sleep(float(request.headers.get(f"{HEADER}-Seconds", "30")))

    return pause


def create_app() -> Flask:
    """The production application with the pause hooks on its sessions."""
    app = create_stembus_app()
    sessions = app.extensions["stembus_sessions"]
    event.listen(sessions, "after_flush", _note_ballot)
    event.listen(sessions, "before_commit", _pause_at("before-commit"))
    event.listen(sessions, "after_commit", _pause_at("after-commit"))
    return app
