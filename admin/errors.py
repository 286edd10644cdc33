"""Error pages that say what went wrong without leaking internals."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException


def _page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Render HTTP errors in the layout; a lost database becomes 503, never a trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _page(400, _("This form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(OperationalError)
    def database_down(_error: OperationalError) -> tuple[str, int]:
        app.logger.error("database unavailable")
        return _page(503, _("The service is briefly unavailable. Nothing was lost; please try again in a minute."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        messages = {
            403: _("You do not have permission to open this page."),
            404: _("This page does not exist."),
            413: _("The file is too large."),
            429: _("Too many attempts. Wait a few minutes and try again."),
        }
        return _page(status, messages.get(status, _("The request could not be handled.")))
