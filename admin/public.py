"""Public pages: the start page, the language switch and health checks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from sqlalchemy import text

from admin.database import db
from admin.i18n import LANGUAGE_COOKIE

bp = Blueprint("public", __name__)


@bp.route("/")
def home() -> Any:
    """What Stembus is, and where employees and the committee go next."""
    return render_template("public/home.html")


def _local_path(target: str) -> bool:
    """Whether ``target`` is a path on this site and nothing a browser could read as another host.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so ``/\\evil``
    and ``/<tab>/evil`` would leave the site; control characters would also break the header.
    """
    if not target.startswith("/") or target.startswith("//"):
        return False
    return "\\" not in target and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)


@bp.route("/language/<code>")
def choose_language(code: str) -> Any:
    """Remember the visitor's language choice in a cookie and return to where they were."""
    if code not in current_app.config["LANGUAGES"]:
        code = "nl"
    target = request.args.get("next", "")
    if not _local_path(target):
        target = url_for("public.home")
    response = make_response(redirect(target))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


@bp.route("/healthz")
def healthz() -> Any:
    """Liveness: the process answers. No database access."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz() -> Any:
    """Readiness: the database answers. 503 with a short reason otherwise."""
    try:
        db().execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="unavailable", reason="database"), 503
    return jsonify(status="ok")
