"""locust: voters going through the booth, each with a pre-made ballot (started by ``python -m benchmarks.load``).

One task is one voter's visit, as the booth's script makes it: open the booth page (a fresh server
session and its CSRF token), fetch the election parameters, post the public credential, cast the
ballot, and look the tracking code up on the public board (``STEMBUS_LOAD_CAST_ONLY=1``: only the
booth page and the cast). The ballots are encrypted beforehand
(``STEMBUS_LOAD_VOTERS`` names the JSON file), so the load generator spends no time on crypto
while the server does all of its checks. When every voter has voted the run ends.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import Any

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

with open(os.environ["STEMBUS_LOAD_VOTERS"], encoding="utf-8") as _file:
    _DATA: dict[str, Any] = json.load(_file)
_UUID: str = _DATA["uuid"]
_VOTERS: list[dict[str, Any]] = _DATA["voters"]
_NEXT = itertools.count()
_CSRF = re.compile(r'data-csrf="([^"]+)"')
# Only what casting needs (the booth page for the session and CSRF token, then the cast).
_CAST_ONLY = os.environ.get("STEMBUS_LOAD_CAST_ONLY") == "1"


class Voter(FastHttpUser):
    """A voter who votes once per task; many in a row per simulated user, with no pause between."""

    wait_time = constant(float(os.environ.get("STEMBUS_LOAD_THINK", "0")))

    @task
    def vote(self) -> None:
        """One visit: booth page, parameters, credential, cast, board lookup."""
        index = next(_NEXT)
        if index >= len(_VOTERS):
            self.environment.runner.quit()  # every voter has voted
            raise StopUser
        voter = _VOTERS[index]
        self.client.cookiejar.clear()  # a new voter, a new browser
        booth = f"/stem/{_UUID}"
        with self.client.get(booth, name="booth page", catch_response=True) as page:
            found = _CSRF.search(page.text or "")
            if page.status_code != 200 or found is None:
                page.failure(f"booth page answered {page.status_code}")
                return
        headers = {"X-CSRFToken": found.group(1)}
        if not _CAST_ONLY:
            self.client.get(f"{booth}/parameters.json", name="parameters")
            answer = self.client.post(
                f"{booth}/credential", json={"credential": voter["credential"]}, headers=headers, name="credential"
            )
            if answer.status_code != 200:  # locust counts it as a failure
                return
        with self.client.post(
            f"{booth}/cast", json=voter["ballot"], headers=headers, name="cast", catch_response=True
        ) as cast:
            if cast.status_code != 201 or (cast.json() or {}).get("tracking_code") != voter["tracking_code"]:
                cast.failure(f"cast answered {cast.status_code}")
                return
        if _CAST_ONLY:
            return
        lookup = f"/board/{_UUID}?code={voter['tracking_code']}"
        with self.client.get(lookup, name="board lookup", catch_response=True) as board:
            if board.status_code != 200 or "message-success" not in (board.text or ""):
                board.failure("the ballot was not found on the board")
