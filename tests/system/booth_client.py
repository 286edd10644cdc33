"""A voter's browser reduced to its HTTP: open the booth (session and CSRF token), cast, look up.

Standard library only, one TCP connection per request, so a test can run many voters in threads
and a killed worker shows up as a dropped connection rather than a hung pool.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_CSRF = re.compile(r'data-csrf="([^"]+)"')


@dataclass
class Answer:
    """One HTTP answer: status, headers, the body (JSON decoded when it is JSON), and how long it took."""

    status: int
    headers: dict[str, str]
    text: str
    started: float
    elapsed: float
    data: Any = None

    @property
    def error(self) -> str | None:
        """The refusal code of a JSON error answer."""
        return self.data.get("error") if isinstance(self.data, dict) else None


@dataclass
class Booth:
    """An opened booth: the server session cookie and the CSRF token of the page."""

    base_url: str
    uuid: str
    cookie: str
    token: str
    lang: str = "nl"
    answer: Answer | None = None

    @property
    def path(self) -> str:
        """``/stem/<uuid>`` or ``/vote/<uuid>``."""
        return f"/{'stem' if self.lang == 'nl' else 'vote'}/{self.uuid}"


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> Answer:
    """Send one request on a fresh connection; connection errors propagate (``OSError``)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    text = raw.decode("utf-8", "replace")
    answer = Answer(response.status, dict(response.getheaders()), text, started, time.monotonic() - started)
    if response.getheader("Content-Type", "").startswith("application/json"):
        answer.data = json.loads(text)
    return answer


class BoothRefused(AssertionError):
    """The booth page did not open (its answer is attached)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"booth page answered {answer.status}: {answer.text[:200]}")
        self.answer = answer


def open_booth(base_url: str, election_uuid: str, lang: str = "nl") -> Booth:
    """Load the booth page as a browser does: a fresh server session and its CSRF token."""
    prefix = "stem" if lang == "nl" else "vote"
    answer = request(base_url, "GET", f"/{prefix}/{election_uuid}")
    found = _CSRF.search(answer.text)
    if answer.status != 200 or found is None or "Set-Cookie" not in answer.headers:
        raise BoothRefused(answer)
    cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
    return Booth(base_url, election_uuid, cookie, found.group(1), lang, answer)


def cast(booth: Booth, ballot: dict[str, Any], *, headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """Post a ballot as the booth's script does (JSON with the CSRF header)."""
    return request(
        booth.base_url,
        "POST",
        f"{booth.path}/cast",
        body=json.dumps(ballot).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": booth.token,
            "Cookie": booth.cookie,
            **(headers or {}),
        },
        timeout=timeout,
    )


def post_json(booth: Booth, action: str, data: Any, *, timeout: float = 60) -> Answer:
    """Post JSON to one of the booth's endpoints (``credential``, ``cast``, ``challenge``)."""
    return request(
        booth.base_url,
        "POST",
        f"{booth.path}/{action}",
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": booth.token, "Cookie": booth.cookie},
        timeout=timeout,
    )


def raw_cast_request(booth: Booth, ballot: dict[str, Any], headers: dict[str, str]) -> bytes:
    """The bytes of a cast request, for a test that sends it on a socket and drops the connection."""
    body = json.dumps(ballot).encode()
    parts = urlsplit(booth.base_url)
    lines = [
        f"POST {booth.path}/cast HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        f"X-CSRFToken: {booth.token}",
        f"Cookie: {booth.cookie}",
        *(f"{name}: {value}" for name, value in headers.items()),
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
