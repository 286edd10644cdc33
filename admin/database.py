"""One database session per request, closed when the request ends."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

# Defaults for PostgreSQL; ``DATABASE_CONNECT_TIMEOUT`` and ``DATABASE_STATEMENT_TIMEOUT`` override them.
CONNECT_TIMEOUT_S = 3
STATEMENT_TIMEOUT_S = 30


def db() -> Session:
    """The request's database session (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["stembus_sessions"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
            session.close()
        except SQLAlchemyError:  # the connection is gone; the request already has its answer
            current_app.logger.warning("could not roll back the request's database session")


def _limit_statements(engine: Any, statement_timeout: int) -> None:
    """Let PostgreSQL end any statement (lock waits included) that runs longer than the timeout."""

    @event.listens_for(engine, "do_connect")
    def _timeout(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        options = cparams.get("options", "")
        if "statement_timeout" not in options:
            cparams["options"] = f"{options} -c statement_timeout={statement_timeout * 1000}".strip()


def init_app(app: Flask) -> None:
    """Close (and roll back anything uncommitted in) the session at the end of each request.

    On PostgreSQL a lost or paused database is noticed within seconds (connect and statement
    timeouts, the stall guard) and answered with 503 by ``admin.errors``, never left hanging.
    """
    app.teardown_appcontext(_close_session)
    engine = app.extensions["stembus_engine"]
    if engine.dialect.name == "postgresql":
        from admin.database_stall import StallGuard

        _limit_statements(engine, int(app.config.get("DATABASE_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT_S)))
        # Registered after the statement timeout: the guard's connect hook makes the connection.
        connect_timeout = int(app.config.get("DATABASE_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S))
        app.wsgi_app = StallGuard(app.wsgi_app, engine, connect_timeout=connect_timeout)  # type: ignore[method-assign]
