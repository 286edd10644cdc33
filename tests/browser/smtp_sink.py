"""A local SMTP server for end-to-end tests: it accepts every message and keeps it for reading."""

from __future__ import annotations

import email
import re
import socket
import threading
from email import policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps what it receives, as the mail system of a test instance.

    Use it as a context manager; :attr:`port` is where the application's SMTP sender connects.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self._received: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message (aiosmtpd calls this for every mail it accepts)."""
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._received.append(message)
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[EmailMessage]:
        """Every message received so far, oldest first."""
        with self._lock:
            return list(self._received)

    def links(self, pattern: str) -> dict[str, str]:
        """Recipient -> the first match of ``pattern``'s group 1 in the plain text, newest message winning."""
        found: dict[str, str] = {}
        for message in self.received:
            text = text_of(message)
            match = re.search(pattern, text)
            if match:
                found[str(message["To"])] = match.group(1)
        return found


def text_of(message: EmailMessage) -> str:
    """The plain-text body of ``message``."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, message["Subject"]
    return str(body.get_content())
