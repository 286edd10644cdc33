"""One database session per request, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    """The request's database session (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["stembus_sessions"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def init_app(app: Flask) -> None:
    """Close (and roll back anything uncommitted in) the session at the end of each request."""
    app.teardown_appcontext(_close_session)
