"""sqlmap against every form and JSON endpoint a visitor without an account can reach.

Each probe starts from a request the application accepts (a valid session, CSRF token and personal
token), so sqlmap compares injected answers with a real page, not with an error. Bounded: level 2
(cookies included where named), risk 1, two-second time-based delays. A probe fails when sqlmap
reports an injection point, when a parameter was not tested, or when its baseline request was
refused; and the instance must never have answered 500 (nor 429: the scan reached the code).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.security.conftest import require_tool
from tests.security.instance import Browser, ScanTarget

pytestmark = pytest.mark.slow

PROBE_TIMEOUT_S = 180
PARALLEL = 3


@dataclass(frozen=True)
class Probe:
    """One sqlmap run: a request the application accepts, and the parameters to inject into."""

    url: str
    params: tuple[str, ...]
    data: str | None = None
    cookie: str = ""
    headers: tuple[str, ...] = ()
    level: int = 2


def _form(fields: dict[str, str | int]) -> str:
    return urlencode(fields)


def _booth(target: ScanTarget, what: str) -> Probe:
    s = target.seeded
    browser = Browser(target.base)
    token = browser.csrf(f"/vote/{s.election_uuid}")
    headers = (f"X-CSRFToken: {token}", "Content-Type: application/json")
    url = f"{target.base}/vote/{s.election_uuid}/{what}"
    if what == "credential":
        # Not the cast probe's credential: that probe runs at the same time and votes with it.
        body = json.dumps({"credential": s.idle_credential})
        return Probe(url, ("credential",), body, browser.cookie_header(), headers)
    return Probe(url, ("credential", "group", "version"), json.dumps(s.ballot), browser.cookie_header(), headers)


def _anonymous_form(path: str, fields: Callable[[ScanTarget], dict[str, str | int]], form_page: str = "") -> Callable:
    def build(target: ScanTarget) -> Probe:
        browser = Browser(target.base)
        token = browser.csrf(form_page or path)
        values = fields(target)
        params = tuple(values)
        return Probe(f"{target.base}{path}", params, _form({"csrf_token": token, **values}), browser.cookie_header())

    return build


def _login(target: ScanTarget) -> Probe:
    """Sign-in, at level 1: every attempt costs an argon2 hash (a dummy one for unknown addresses).

    The e-mail address reaches the database; the password only meets the hash (the session cookie
    is probed on the board lookup).
    """
    browser = Browser(target.base)
    token = browser.csrf("/auth/login")
    data = _form({"csrf_token": token, "email": target.seeded.chair.email, "password": "not-the-password"})
    return Probe(f"{target.base}/auth/login", ("email",), data, browser.cookie_header(), level=1)


def _totp(target: ScanTarget) -> Probe:
    """The second step, reached with the right password: only the code is left to inject into."""
    from tests.helpers import PASSWORD

    browser = Browser(target.base)
    token = browser.csrf("/auth/login")
    browser.request("/auth/login", {"csrf_token": token, "email": target.seeded.chair.email, "password": PASSWORD})
    token = browser.csrf("/auth/totp")
    data = _form({"csrf_token": token, "code": "123456"})
    return Probe(f"{target.base}/auth/totp", ("code",), data, browser.cookie_header())


def _board(target: ScanTarget) -> Probe:
    """The board lookup, with a session cookie: every request looks its session up in the database."""
    s = target.seeded
    browser = Browser(target.base)
    browser.csrf(f"/vote/{s.election_uuid}")
    url = f"{target.base}/board/{s.election_uuid}?code={s.tracking_code}"
    return Probe(url, ("code", "stembus_session"), cookie=browser.cookie_header())


def _board_json(target: ScanTarget) -> Probe:
    return Probe(f"{target.base}/board/{target.seeded.election_uuid}.json?after=0", ("after",))


def _board_path(target: ScanTarget) -> Probe:
    """The election's UUID in the path (sqlmap's ``*`` marks the injection point)."""
    return Probe(f"{target.base}/board/{target.seeded.election_uuid}*", ())


# The slowest probe (sign-in hashes every attempt) first, so it runs alongside all the others.
PROBES: dict[str, Callable[[ScanTarget], Probe]] = {
    "committee-login": _login,
    "booth-credential": lambda t: _booth(t, "credential"),
    "booth-cast": lambda t: _booth(t, "cast"),
    "board-lookup": _board,
    "board-json": _board_json,
    "board-path": _board_path,
    "committee-totp": _totp,
    "register-objection": _anonymous_form(
        "/register/self/objection",
        lambda t: {"token": t.seeded.register_token, "text": "My start date is wrong"},
        form_page="/register/self",
    ),
    "union-list-search": _anonymous_form(
        "/lists/union/search",
        lambda t: {"token": t.seeded.union_token, "group": t.seeded.lists_group_id, "q": "Medewerker"},
        form_page="/lists/union",
    ),
    "free-list-search": _anonymous_form(
        "/lists/free/search", lambda t: {"token": t.seeded.free_list_token, "q": "Medewerker"}, form_page="/lists/free"
    ),
    "nomination-search": _anonymous_form(
        "/nominate/search", lambda t: {"token": t.seeded.nomination_token, "q": "Jansen"}, form_page="/nominate/"
    ),
    "nomination-people": _anonymous_form(
        "/nominate/people", lambda t: {"token": t.seeded.nomination_token, "q": "Anna"}, form_page="/nominate/"
    ),
}


def run_sqlmap(target: ScanTarget, probe: Probe, output: Path) -> str:
    """Run sqlmap on one probe and return its console output."""
    command = [
        require_tool("sqlmap"),
        "-u",
        probe.url,
        "--batch",
        f"--level={probe.level}",
        "--risk=1",
        f"--dbms={target.dbms}",
        "--time-sec=2",
        "--timeout=15",
        "--retries=1",
        "--skip-waf",
        "--disable-coloring",
        "--drop-set-cookie",
        f"--output-dir={output}",
    ]
    if probe.params:
        command += ["-p", ",".join(probe.params)]
    if probe.data is not None:
        command.append(f"--data={probe.data}")
    if probe.cookie:
        command.append(f"--cookie={probe.cookie}")
    if probe.headers:
        command.append("--headers=" + "\n".join(probe.headers))
    result = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, stdin=subprocess.DEVNULL)
    return result.stdout + result.stderr


def injection_points(output: Path) -> list[str]:
    """Injection points sqlmap kept (its per-host log and results CSV); ones it proved false are left out."""
    found = [p.read_text() for p in output.glob("*/log") if p.read_text().strip()]
    for csv in output.glob("results-*.csv"):
        found += [row for row in csv.read_text().splitlines()[1:] if "false positive" not in row]
    return found


@dataclass
class Outcome:
    """What one probe left behind: sqlmap's console and output directory."""

    probe: Probe
    console: str
    output: Path


@pytest.fixture(scope="module")
def sqlmap_runs(scan_target: ScanTarget, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every probe, three at a time (each mostly waits on the server); then the access log is read once."""
    require_tool("sqlmap")
    root = tmp_path_factory.mktemp("sqlmap")
    probes = {name: build(scan_target) for name, build in PROBES.items()}

    def run(name: str) -> Outcome:
        output = root / name
        return Outcome(probes[name], run_sqlmap(scan_target, probes[name], output), output)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return dict(zip(probes, pool.map(run, probes), strict=True))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_sqlmap_finds_no_injection(sqlmap_runs: dict[str, Outcome], name: str) -> None:
    outcome = sqlmap_runs[name]
    console, probe = outcome.console, outcome.probe
    assert "identified the following injection point" not in console, console
    assert injection_points(outcome.output) == [], console
    # The run really tested: every named parameter (or the path) was tried and found not injectable.
    assert "all tested parameters do not appear to be injectable" in console, console
    for param in probe.params or ("#1*",):
        assert re.search(rf"parameter '(JSON )?{re.escape(param)}' does not seem to be injectable", console), console
    # The baseline request was accepted, so sqlmap compared real pages with injected ones.
    assert "which could interfere with the results" not in console, console
    assert "500 (Internal Server Error)" not in console, console


def test_the_scanned_instance_never_answered_500_or_throttled(
    scan_target: ScanTarget, sqlmap_runs: dict[str, Outcome]
) -> None:
    requests = scan_target.access_log()
    assert len(requests) > 100 * len(sqlmap_runs), "sqlmap hardly reached the instance"
    assert [line for line, status in requests if status >= 500] == []
    assert [line for line, status in requests if status == 429] == []
