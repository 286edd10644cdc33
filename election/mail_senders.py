"""How an e-mail leaves the machine: SMTP in production, an in-memory twin in tests.

A :class:`MailSender` opens one connection per batch (:meth:`MailSender.connect`); the connection
sends ready-made :class:`~email.message.EmailMessage` objects. Which sender runs is chosen by the
``MAIL_BACKEND`` setting (``"smtp"`` or ``"memory"``), never by patching code.
"""

from __future__ import annotations

import smtplib
import ssl
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from typing import Any, Protocol


class MailConnection(Protocol):
    """An open connection that hands one message at a time to the mail system."""

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` over; return only once the mail system has accepted it."""


class MailSender(ABC):
    """Sends e-mail from ``from_address`` over connections it opens per batch."""

    from_address: str

    @abstractmethod
    def connect(self) -> AbstractContextManager[MailConnection]:
        """Open one connection for a batch of messages, closed when the block ends."""


class _SMTPConnection:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self._smtp = smtp

    def send(self, message: EmailMessage) -> None:
        self._smtp.send_message(message)


class SMTPMailSender(MailSender):
    """Delivers through an SMTP relay, optionally upgrading with STARTTLS and signing in."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        from_address: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.username = username
        self._password = password
        self.starttls = starttls
        self.timeout = timeout

    def __repr__(self) -> str:  # never shows the password
        return f"SMTPMailSender({self.host!r}, {self.port}, starttls={self.starttls})"

    @contextmanager
    def connect(self) -> Iterator[MailConnection]:
        """One SMTP session; the socket timeout bounds how long a single hand-over may hang."""
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self._password or "")
            yield _SMTPConnection(smtp)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class MemoryMailSender(MailSender):
    """Keeps every message in :attr:`sent` instead of sending it (tests, demos)."""

    def __init__(self, from_address: str = "verkiezingscommissie@localhost") -> None:
        self.from_address = from_address
        self.sent: list[EmailMessage] = []

    @contextmanager
    def connect(self) -> Iterator[MailConnection]:
        """A connection that appends to :attr:`sent`."""
        yield self

    def send(self, message: EmailMessage) -> None:
        """Record ``message``."""
        self.sent.append(message)


def is_permanent(error: BaseException) -> bool:
    """True when retrying cannot help: the mail system answered with a 5xx code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def describe_error(error: BaseException) -> str:
    """A short, log-safe description: the error type and SMTP code, never message content."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"{type(error).__name__} {codes}"
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def sender_from_config(config: Mapping[str, Any]) -> MailSender:
    """Build the sender that ``MAIL_BACKEND`` names, from the ``SMTP_*`` and ``MAIL_FROM`` settings."""
    backend = config.get("MAIL_BACKEND", "smtp")
    from_address = config.get("MAIL_FROM", "verkiezingscommissie@localhost")
    if backend == "memory":
        return MemoryMailSender(from_address)
    if backend != "smtp":
        raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'memory', not {backend!r}")
    return SMTPMailSender(
        config.get("SMTP_HOST", "127.0.0.1"),
        int(config.get("SMTP_PORT", 25)),
        from_address=from_address,
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        starttls=bool(config.get("SMTP_STARTTLS", False)),
        timeout=float(config.get("SMTP_TIMEOUT", 30)),
    )
