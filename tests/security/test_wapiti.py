"""wapiti crawls the seeded instance and attacks every page and form a visitor can reach.

Which of wapiti's categories are findings:

* every injection and access class (SQL, XSS stored or reflected, command execution, path
  traversal, CRLF, open redirect, XXE, SSRF, CSRF, htaccess bypass, backup and dangerous files,
  weak credentials) and every 500 ("Internal Server Error" anomaly) fails the test;
* header and cookie checks fail too, with two exceptions that are facts of this test set-up and of
  the current advice, not of the application: "X-XSS-Protection is not set" (the header is
  deprecated; the CSP does its job) and "Secure flag is not set" (the instance runs on plain HTTP
  on loopback so the scanner can keep its session; production cookies are Secure, which
  tests/web/test_security.py checks);
* "Resource consumption" (a request slower than wapiti's timeout) and "Fingerprint web technology"
  are reported in the failure text of other findings but do not fail on their own: on a shared
  two-core runner a slow answer is not a vulnerability.

wapiti's time-based blind SQL module is left out: it sends 218 payloads per parameter and takes
many minutes; sqlmap's time-based tests cover the same parameters (test_sqlmap.py). The language
switch's ``next`` and the board's ``lang`` are removed from crawled URLs, or every page's variant
of them would be attacked again; the redirect they guard is pinned in test_hostile_input.py.
Bounded: depth 2, crawl at most 90 s, each attack module at most 150 s.

A second, shorter pass signs in as the committee chair and attacks the committee pages of the
election in its candidacy period (stored XSS through the committee's own forms, SQL errors, CSRF,
CRLF). Its scope is that election's folder, so the scanner never reaches the sign-out form.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import require_tool
from tests.security.instance import Browser, ScanTarget

pytestmark = pytest.mark.slow

MODULES = (
    "crlf",
    "csp",
    "http_headers",
    "csrf",
    "cookieflags",
    "exec",
    "file",
    "sql",
    "xss",
    "redirect",
    "permanentxss",
)
COMMITTEE_MODULES = ("crlf", "csrf", "sql", "xss", "permanentxss")
INFORMATIONAL = {"Resource consumption", "Fingerprint web technology"}
ACCEPTED = {
    "HTTP Secure Headers": ("X-XSS-Protection is not set",),
    "Secure Flag cookie": ("Secure flag is not set in the cookie",),
}
WAPITI_TIMEOUT_S = 900


def start_urls(target: ScanTarget) -> list[str]:
    """Every page the seed holds; the crawler finds the forms and links from there."""
    s, base = target.seeded, target.base
    paths = [
        f"/vote/{s.election_uuid}",
        f"/stem/{s.election_uuid}",
        f"/board/{s.election_uuid}",
        f"/board/{s.election_uuid}?code={s.tracking_code}",
        f"/board/{s.election_uuid}.json?after=0",
        f"/stem/{s.election_uuid}/parameters.json",
        f"/lists/{s.voting_election_id}",
        "/register/self",
        "/nominate/",
        "/nominate/decline",
        "/lists/union",
        "/lists/free",
        "/lists/consent",
        "/lists/support",
        "/auth/login",
    ]
    return [base + p for p in paths]


def run_wapiti(base: str, out: Path, modules: tuple[str, ...], extra: list[str]) -> tuple[dict[str, Any], str]:
    """Crawl from ``base`` (its folder is the scope) and attack; return the JSON report and the console."""
    command = [require_tool("wapiti"), "-u", base, "--scope", "folder", "-m", ",".join(modules), *extra]
    command += [
        "--skip", "csrf_token",
        "-d", "2",
        "--max-scan-time", "90",
        "--max-attack-time", "150",
        "-t", "20",
        "--flush-session",
        "--no-bugreport",
        "--store-session", str(out / "session"),
        "--store-config", str(out / "config"),
        "-f", "json",
        "-o", str(out / "report.json"),
        "-v", "1",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=WAPITI_TIMEOUT_S, stdin=subprocess.DEVNULL)
    console = result.stdout + result.stderr
    assert (out / "report.json").exists(), console[-3000:]
    return json.loads((out / "report.json").read_text()), console


def findings(report: dict[str, Any]) -> list[str]:
    """Every finding that fails the scan, as ``category: METHOD path parameter: info``."""
    found = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in report.get(section, {}).items():
            if category in INFORMATIONAL:
                continue
            for item in items:
                if any(item.get("info", "").startswith(a) for a in ACCEPTED.get(category, ())):
                    continue
                found.append(f"{category}: {item['method']} {item['path']} {item.get('parameter', '')}: {item['info']}")
    return found


Scan = tuple[dict[str, Any], str, int]


@pytest.fixture(scope="module")
def wapiti_scan(scan_target: ScanTarget, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """The public pass: the report, the console, and where it started in the access log."""
    require_tool("wapiti")
    before = len(scan_target.access_log())
    extra = [arg for url in start_urls(scan_target) for arg in ("-s", url)]
    extra += ["-r", "next", "-r", "lang", "--skip", "password"]
    out = tmp_path_factory.mktemp("wapiti")
    report, console = run_wapiti(f"{scan_target.base}/", out, MODULES, extra)
    return report, console, before


@pytest.fixture(scope="module")
def committee_scan(scan_target: ScanTarget, wapiti_scan: Scan, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    """The committee pass, with the chair's session in wapiti's cookie file."""
    browser = Browser(scan_target.base)
    browser.sign_in(scan_target)
    out = tmp_path_factory.mktemp("wapiti-committee")
    jar = {
        c.name: {"value": c.value, "expires": None, "secure": False, "port": None, "version": 0}
        for c in browser.cookies()
    }
    cookies = {"127.0.0.1": {"/": jar}}
    (out / "cookies.json").write_text(json.dumps(cookies))
    folder = f"{scan_target.base}/committee/elections/{scan_target.seeded.lists_election_id}/"
    assert "/auth/logout" in browser.request(folder.removeprefix(scan_target.base)), "the chair is not signed in"
    before = len(scan_target.access_log())
    report, console = run_wapiti(folder, out, COMMITTEE_MODULES, ["-c", str(out / "cookies.json")])
    # Still signed in afterwards, so every attack ran with the committee's rights.
    assert "/auth/logout" in browser.request(folder.removeprefix(scan_target.base)), "the session did not last"
    return report, console, before


def test_wapiti_reports_no_vulnerability(wapiti_scan: Scan) -> None:
    report = wapiti_scan[0]
    informational = {k: len(v) for k, v in report.get("anomalies", {}).items() if k in INFORMATIONAL and v}
    assert findings(report) == [], f"informational: {informational}"


def test_the_scan_was_complete_and_reached_every_form(scan_target: ScanTarget, wapiti_scan: Scan) -> None:
    _, console, before = wapiti_scan
    for module in MODULES:
        assert f"Launching module {module}" in console, f"module {module} did not run"
    assert "Max attack time was reached" not in console, "an attack module was cut short; raise its time bound"
    requests = scan_target.access_log()[before:]
    posted = {line.split(" ", 1)[1].split("?", 1)[0] for line, _ in requests if line.startswith("POST ")}
    for form in ("/auth/login", "/register/self", "/nominate/", "/lists/union", "/lists/free"):
        assert form in posted, f"wapiti never posted {form}"
    assert len(requests) > 1000, "wapiti hardly reached the instance"
    assert [line for line, status in requests if status >= 500] == []


def test_wapiti_finds_nothing_in_the_committee_pages(scan_target: ScanTarget, committee_scan: Scan) -> None:
    report, console, before = committee_scan
    assert findings(report) == []
    for module in COMMITTEE_MODULES:
        assert f"Launching module {module}" in console, f"module {module} did not run"
    assert "Max attack time was reached" not in console
    requests = scan_target.access_log()[before:]
    committee_posts = [line for line, _ in requests if line.startswith("POST /committee/")]
    assert len(committee_posts) > 100, "wapiti hardly attacked the committee's forms"
    assert [line for line, status in requests if status >= 500] == []
