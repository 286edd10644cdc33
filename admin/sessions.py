"""Server-side sessions stored in the database.

The cookie carries 256 random bits; the database keeps only their SHA-256, the data, and the
session's age. A session dies after the idle timeout, after the absolute timeout, at logout, and
is replaced by a fresh id at login (no session fixation). Works unchanged across gunicorn workers
and hosts because the state lives in the shared database.

A request that leaves the session as it found it writes nothing, unless the session was last seen
more than ``TOUCH_AFTER`` ago: then only its last-seen time moves on. An idle session therefore ends
at most ``TOUCH_AFTER`` sooner than the idle timeout after its last request, never later. The
session is read through the request's own database session, so a request opens one connection.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete
from werkzeug.datastructures import CallbackDict

from admin.database import db as request_db
from election.clock import as_utc
from election.models.web_session import WebSession

# How stale the stored last-seen time may get before an unchanged session is written anyway.
TOUCH_AFTER = timedelta(minutes=1)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus what the interface needs to expire, rotate and revoke it."""

    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        sid: str | None = None,
        created_at: datetime | None = None,
        *,
        stored: str | None = None,
        last_seen_at: datetime | None = None,
    ) -> None:
        def on_update(_self: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.created_at = created_at
        self.stored = stored  # the data as loaded, to see whether this request changed it
        self.last_seen_at = last_seen_at
        self.modified = False
        self.rotate_requested = False
        self.end_requested = False

    def rotate(self) -> None:
        """Give this session a new id at the end of the request; the old id stops working."""
        self.rotate_requested = True
        self.modified = True

    def end(self) -> None:
        """Destroy the session at the end of the request (logout)."""
        self.clear()
        self.end_requested = True


class DatabaseSessionInterface(SessionInterface):
    """Flask session interface over the ``web_session`` table."""

    def _factory(self, app: Flask) -> Any:
        return app.extensions["stembus_sessions"]

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Load the session named by the cookie unless it is unknown or has timed out."""
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return ServerSession()
        now = app.config["CLOCK"].now()
        row = request_db().get(WebSession, _hash(sid))
        if row is None:
            return ServerSession()
        idle = now - as_utc(row.last_seen_at) > app.config["SESSION_IDLE_TIMEOUT"]
        old = now - as_utc(row.created_at) > app.config["SESSION_ABSOLUTE_TIMEOUT"]
        if idle or old:
            with self._factory(app)() as db:
                db.execute(delete(WebSession).where(WebSession.id_hash == row.id_hash))
                db.commit()
            return ServerSession()
        return ServerSession(
            json.loads(row.data),
            sid=sid,
            created_at=as_utc(row.created_at),
            stored=row.data,
            last_seen_at=as_utc(row.last_seen_at),
        )

    @staticmethod
    def _unchanged(session: ServerSession, data: str, now: datetime) -> bool:
        """Whether saving would only move a recent last-seen time (then nothing is written)."""
        if session.sid is None or session.rotate_requested or session.last_seen_at is None:
            return False
        return data == session.stored and now - session.last_seen_at < TOUCH_AFTER

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Persist, rotate or delete the session and set or clear the cookie."""
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        now = app.config["CLOCK"].now()
        data = json.dumps(dict(session), default=str)
        if session and not session.end_requested and self._unchanged(session, data, now):
            self._set_cookie(app, session, response)
            return
        with self._factory(app)() as db:
            if session.sid and (session.end_requested or session.rotate_requested or not session):
                db.execute(delete(WebSession).where(WebSession.id_hash == _hash(session.sid)))
                db.commit()
            if session.end_requested or not session:
                if session.sid:
                    response.delete_cookie(name, path=self.get_cookie_path(app), domain=self.get_cookie_domain(app))
                return
            rotated = session.sid is None or session.rotate_requested
            if rotated:
                session.sid = secrets.token_urlsafe(32)
                session.created_at = now
            id_hash = _hash(session.sid or "")
            # A freshly drawn id cannot be stored yet, so only a kept one is looked up.
            row = None if rotated else db.get(WebSession, id_hash)
            if row is None:
                row = WebSession(id_hash=id_hash, created_at=session.created_at or now)
                db.add(row)
            row.data = data
            row.member_id = session.get("member_id")
            row.last_seen_at = now
            db.commit()
        self._set_cookie(app, session, response)

    def _set_cookie(self, app: Flask, session: ServerSession, response: Response) -> None:
        assert session.sid is not None
        name = self.get_cookie_name(app)
        response.set_cookie(
            name,
            session.sid,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
        )
        response.vary.add("Cookie")


def end_all_sessions_of(app: Flask, member_id: int) -> None:
    """Revoke every session of one account (after a password change or a lock)."""
    with app.extensions["stembus_sessions"]() as db:
        db.execute(delete(WebSession).where(WebSession.member_id == member_id))
        db.commit()


def init_app(app: Flask) -> None:
    """Install the database-backed session interface."""
    app.session_interface = DatabaseSessionInterface()
