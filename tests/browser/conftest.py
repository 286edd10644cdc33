"""A live Stembus server on loopback and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI: make test installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def live_app(sqlite_template: Path, tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    """The application on a fresh SQLite database, served over HTTP on a free loopback port."""
    from admin.app import create_app

    database = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, database)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "STEMBUS_DATABASE_URL": f"sqlite:///{database}",
            "CLOCK": clock,
            "SESSION_COOKIE_SECURE": False,  # plain HTTP on loopback in tests
        },
        instance_path=str(tmp_path / "instance"),
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://localhost:{server.server_port}"
    yield app
    server.shutdown()
    app.extensions["stembus_engine"].dispose()


@pytest.fixture
def page(browser, live_app):  # type: ignore[no-untyped-def]
    """A fresh browser tab in English (tests that check Dutch open their own context)."""
    context = browser.new_context(locale="en-GB")
    tab = context.new_page()
    yield tab
    context.close()


def axe_violations(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """WCAG 2.1 A/AA violations axe finds on the open page, as 'rule: target' strings."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(tab, options=options)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]
