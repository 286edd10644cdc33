"""Bounce reports: delivery status notifications (RFC 3464) that arrive after a mail was sent.

A mail the relay accepted can still fail on its way: the receiving side then mails the sender a
report (``multipart/report; report-type=delivery-status``) that says per recipient what happened
(``Action``) and why (``Status``, ``Diagnostic-Code``), mostly with the returned message or its
headers. :func:`read_report` turns such a report into :class:`Bounce` records: the Message-ID of
the returned message, the recipient and the permanent failure (``Action: failed``, a ``5.x.x``
status). Delays, deliveries and temporary failures are not bounces.

Only the report's status fields and the returned message's Message-ID header are read. The
returned body, which for a voting code e-mail holds the code, is never looked at, kept or logged.
"""

from __future__ import annotations

import email
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path

# An RFC 3463 status code; the class (2 success, 4 temporary, 5 permanent) comes first.
_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_RETURNED_MESSAGE = ("message/rfc822", "message/global")
_RETURNED_HEADERS = ("text/rfc822-headers", "message/global-headers")
# The stored reason stays short and on one line.
_REASON_LENGTH = 200


class MalformedReport(ValueError):
    """A mail that says it is a delivery status report, but whose report cannot be read."""


@dataclass(frozen=True)
class Bounce:
    """One recipient for whom a report says the returned message failed for good."""

    message_id: str  # the returned message's Message-ID without brackets, "" when the report lacks it
    recipients: frozenset[str]  # Final-Recipient and Original-Recipient, lower case
    status: str  # "5.1.1"
    diagnostic: str  # the receiving server's answer, one line, or ""

    def reason(self) -> str:
        """The failure as the outbox stores it: the status and the server's answer, one short line."""
        text = f"bounce {self.status}" + (f": {self.diagnostic}" if self.diagnostic else "")
        return text[:_REASON_LENGTH]


def _one_line(value: object) -> str:
    return " ".join("".join(c for c in str(value or "") if c.isprintable() or c.isspace()).split())


def _address(field: object) -> str:
    """The address of a recipient field ("rfc822; anna@example.org"), lower case."""
    kind, _, address = _one_line(field).partition(";")
    return (address if address else kind).strip().strip("<>").lower()


def _local_message_id(value: object) -> str:
    """``<local@domain>`` -> ``local``: Stembus names its messages by the part before the domain."""
    return _one_line(value).strip("<>").partition("@")[0]


def _parts(report: Message) -> list[Message]:
    parts = report.get_payload()
    return [part for part in parts if isinstance(part, Message)] if isinstance(parts, list) else []


def _returned_message_id(report: Message) -> str:
    """The Message-ID header of the returned message or of its returned headers ("" if absent)."""
    for part in _parts(report):
        kind = part.get_content_type()
        if kind in _RETURNED_MESSAGE and part.is_multipart():
            returned = part.get_payload(0)
            return _local_message_id(returned.get("Message-ID")) if isinstance(returned, Message) else ""
        if kind in _RETURNED_HEADERS:
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return _local_message_id(BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Message-ID"))
    return ""


def _status_blocks(report: Message) -> list[Message]:
    """The per-recipient field blocks of the report's ``message/delivery-status`` part."""
    for part in _parts(report):
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                return [block for block in blocks if isinstance(block, Message) and block.get("Action")]
    return []


def is_report(message: Message) -> bool:
    """True when ``message`` says it is a delivery status report (RFC 3464)."""
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def read_report(message: Message) -> list[Bounce]:
    """The permanent failures that the delivery status report ``message`` names (none for a delay).

    Raises :class:`MalformedReport` when the report has no readable per-recipient status, as in a
    truncated mail. Call only for a mail :func:`is_report` accepts.
    """
    blocks = _status_blocks(message)
    if not blocks:
        raise MalformedReport("no per-recipient status")
    message_id = _returned_message_id(message)
    bounces = []
    for block in blocks:
        status = _STATUS.match(_one_line(block.get("Status")))
        if _one_line(block.get("Action")).lower() != "failed" or status is None or status.group(1) != "5":
            continue
        recipients = {_address(block.get(name)) for name in ("Final-Recipient", "Original-Recipient")}
        bounces.append(
            Bounce(
                message_id,
                frozenset(r for r in recipients if r),
                ".".join(status.groups()),
                _one_line(block.get("Diagnostic-Code")),
            )
        )
    return bounces


def parse(raw: bytes) -> Message:
    """A mail from its bytes (the tolerant parser: a damaged mail still parses, with defects)."""
    return email.message_from_bytes(raw, policy=policy.compat32)


def mailbox_messages(path: Path) -> Iterator[bytes | None]:
    """The mails in a Maildir (a directory) or an mbox file, as bytes; None for one that cannot be read."""
    box: mailbox.Mailbox = (
        mailbox.Maildir(path, factory=None, create=False) if path.is_dir() else mailbox.mbox(path, create=False)
    )
    for key in box.iterkeys():
        try:
            yield box.get_bytes(key)
        except (OSError, KeyError, ValueError):
            yield None
