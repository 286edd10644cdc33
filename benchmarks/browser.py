"""Benchmark: the booth's ballot encryption in headless Chromium, as a voter's browser runs it.

    python -m benchmarks.browser --json [--runs 10]

Serves ``static/`` on a free loopback port, opens it in Debian's Chromium (driven by Playwright)
and lets the booth module ``static/js/stembus-crypto.js`` encrypt, prove and sign ballots with a
fresh joint key: 20 candidates + blank (21 options) and 40 + blank (41 options), list system. Each
run is one ballot; a few ballots first, and the first of each size, are warm-ups and not counted.
Prints one JSON object:

* ``browser_encrypt40_ms`` / ``browser_encrypt20_ms``: the median time of one ballot, in ms;
* ``browser_encrypt40_p95_ms``: the 95th percentile of the 41-option ballots;
* ``tables_ms``: building the multiplication tables for ``B`` and the joint key once per page
  (the booth does it while the voter reads the ballot);
* ``chromium``: the browser version, ``runs``: the measured ballots per size.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parents[1] / "static"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

_MEASURE = """async ([options, runs]) => {
    const S = await import("/js/stembus-crypto.js");
    const jointKey = S.baseMul(S.randomScalar());
    const t0 = performance.now();
    S.prepare(jointKey);
    const tablesMs = performance.now() - t0;
    const cred = S.deriveCredential(S.generateCode(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", "00".repeat(32));
    const electionHash = "11".repeat(64);
    const times = [];
    for (let run = 0; run <= runs; run++) {
        const choices = new Array(options).fill(0);
        choices[run % (options - 1)] = 1;
        const start = performance.now();
        S.encryptBallot({choices, jointKey, electionHash, group: "G1", credentialSecret: cred.secret, system: "list"});
        if (run > 0) times.push(performance.now() - start);
    }
    return {tablesMs, times};
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the benchmark's output to its JSON."""


def _serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(STATIC)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(runs: int) -> dict[str, Any]:
    """Time the booth module's ballot encryption in Chromium; the figures described in the module docs."""
    from playwright.sync_api import sync_playwright

    server = _serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/checker/index.html")
            page.evaluate(_MEASURE, [21, 3])  # lets the JavaScript engine compile the module's hot paths
            small = page.evaluate(_MEASURE, [21, runs])
            large = page.evaluate(_MEASURE, [41, runs])
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
    ordered = sorted(large["times"])
    return {
        "browser_encrypt40_ms": round(statistics.median(ordered), 1),
        "browser_encrypt40_p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "browser_encrypt20_ms": round(statistics.median(small["times"]), 1),
        "tables_ms": round(large["tablesMs"], 1),
        "chromium": version,
        "runs": runs,
    }


def main() -> None:
    """Command-line entry: print the figures as JSON (or as lines of text)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="measured ballots per size (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(max(1, args.runs))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
