"""Security headers on every response, with a per-request nonce for our own scripts."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

NO_STORE_PREFIXES = (
    "/stem",
    "/vote",
    "/committee",
    "/auth",
    "/register/self",
    "/lists/union",
    "/lists/free",
    "/lists/consent",
    "/lists/support",
    "/nominate",
)


def _nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def _apply(response: Response) -> Response:
    nonce = _nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Add the headers after every request and expose the nonce to templates."""
    app.after_request(_apply)
    app.jinja_env.globals["csp_nonce"] = _nonce
