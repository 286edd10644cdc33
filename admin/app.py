"""The Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from admin import config as config_module
from admin.extensions import babel, csrf, limiter
from admin.i18n import select_locale, select_timezone
from election.clock import Clock
from election.db import make_engine, make_session_factory

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build a configured Stembus application.

    Settings come from safe defaults, then the instance folder, then ``STEMBUS_*`` environment
    variables, then ``overrides`` (tests). The instance folder is ``instance/`` beside the code
    unless ``instance_path`` or ``STEMBUS_INSTANCE_PATH`` names another. Outside tests the app
    refuses to start without a real secret key.
    """
    app = Flask(
        "stembus",
        root_path=str(ROOT),
        instance_path=instance_path or os.environ.get("STEMBUS_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    instance = Path(app.instance_path)
    app.config.update(config_module.defaults(instance))
    app.config.update(config_module.from_instance(instance))
    app.config.update(config_module.from_environment())
    app.config.update(overrides or {})
    config_module.require_real_secret(app.config)
    app.config.setdefault("CLOCK", Clock())
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")

    if app.config.get("PROXY_COUNT"):
        # Behind nginx: trust exactly that many proxies for the client address and scheme.
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    engine = make_engine(app.config["STEMBUS_DATABASE_URL"])
    app.extensions["stembus_engine"] = engine
    app.extensions["stembus_sessions"] = make_session_factory(engine)

    from admin import database, sessions

    database.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["get_locale"] = get_locale
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("STEMBUS_REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    from admin import errors, headers, labels

    headers.init_app(app)
    labels.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from admin.auditor import bp as auditor_bp
    from admin.auditor import public_bp as public_record_bp
    from admin.auth import bp as auth_bp
    from admin.committee import bp as committee_bp
    from admin.committee.succession import bp as succession_bp
    from admin.lists import bp as lists_bp
    from admin.nomination import bp as nomination_bp
    from admin.public import bp as public_bp
    from admin.results_public import bp as results_bp
    from admin.self_service import bp as self_service_bp
    from admin.voting import bp as voting_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(committee_bp)
    app.register_blueprint(self_service_bp)
    app.register_blueprint(nomination_bp)
    app.register_blueprint(lists_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(auditor_bp)
    app.register_blueprint(public_record_bp)
    app.register_blueprint(succession_bp)
