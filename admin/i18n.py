"""Language choice: the user's explicit choice, then the browser's preference, then Dutch."""

from __future__ import annotations

from flask import current_app, g, request

LANGUAGE_COOKIE = "stembus_lang"


def select_locale() -> str:
    """Pick nl or en for this request."""
    supported = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in supported:
        return str(chosen)
    member = g.get("member")
    if member is not None and member.locale in supported:
        return str(member.locale)
    return request.accept_languages.best_match(supported) or "nl"


def select_timezone() -> str:
    """Every date is shown in Dutch time, whatever the browser says."""
    return "Europe/Amsterdam"
