"""Error pages that say what went wrong without leaking internals."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

# How long a client should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 10
# The booth's address prefixes and the language each one speaks.
BOOTH_LANGUAGES = {"/stem/": "nl", "/vote/": "en"}


def _page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def _database_lost(error: BaseException | None) -> bool:
    """Whether ``error`` means the database cannot be reached (rather than a bug)."""
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _wants_json() -> bool:
    """Whether the client reads JSON answers (the booth's script calls do), not pages."""
    return request.is_json or request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def _booth_session_expired() -> Any | None:
    """The booth's JSON answer to a refused CSRF token, or None outside the booth's script calls.

    The token lives in the session, so in the booth a refused token means the session has timed
    out; only a fresh page (and the code typed again) helps, which the booth then tells the voter.
    """
    lang = next((lang for prefix, lang in BOOTH_LANGUAGES.items() if request.path.startswith(prefix)), None)
    if lang is None or not _wants_json():
        return None
    with force_locale(lang):
        message = _(
            "Your session has expired; your vote has not been stored. Reload the page and enter your code again."
        )
    return jsonify({"error": "session_expired", "message": message}), 400


def _unavailable() -> Any:
    """503 with Retry-After: JSON for the booth's calls, otherwise the error page.

    The page is rendered without flashed messages: when the database was lost while the request
    opened its session, there is no session to read them from.
    """
    message = _("The service is briefly unavailable. Nothing was lost; please try again in a minute.")
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json():
        return jsonify({"error": "unavailable", "message": message}), 503, retry
    page = render_template("error.html", status=503, message=message, get_flashed_messages=lambda **_kw: [])
    return page, 503, retry


def init_app(app: Flask) -> None:
    """Render HTTP errors in the layout; a lost database becomes 503, never a trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Any:
        booth = _booth_session_expired()
        if booth is not None:
            return booth
        return _page(400, _("This form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeout)
    def database_down(_error: Exception) -> Any:
        app.logger.error("database unavailable")
        return _unavailable()

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_refused(_error: Exception) -> Any:
        # A value from the request the database cannot hold (a NUL byte in text, an id beyond the
        # integer range; SQLite's driver raises OverflowError for those) is bad input, not our fault.
        message = _("The request could not be handled.")
        if request.is_json or request.path.endswith(".json"):
            return jsonify({"error": "invalid_value", "message": message}), 400
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        # A database error outside the view (opening or saving the session) arrives as a 500.
        if isinstance(error, InternalServerError) and _database_lost(error.original_exception):
            return database_down(error)
        status = error.code or 500
        messages = {
            403: _("You do not have permission to open this page."),
            404: _("This page does not exist."),
            413: _("The file is too large."),
            429: _("Too many attempts. Wait a few minutes and try again."),
        }
        return _page(status, messages.get(status, _("The request could not be handled.")))
