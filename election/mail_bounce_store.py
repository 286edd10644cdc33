"""Reading the sender's bounce mailbox into the outbox: each bounce report marks its message refused.

``stembus mail bounces PATH`` runs :func:`record_bounces` on the mails of an mbox file or a
Maildir. Each mail is one transaction; reading the same mailbox again changes nothing more, so the
command can run from a timer over a mailbox that keeps its old mails. Nothing of a mail is logged
or stored but a bounce's status and the server's answer, on the outbox row it names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session, sessionmaker

from election.db import transaction
from election.mail import record_bounce
from election.mail_bounces import MalformedReport, is_report, parse, read_report

log = logging.getLogger("stembus.mail")


@dataclass
class BounceReport:
    """What one reading of a mailbox found, counted.

    ``matched``, ``bounced`` and ``unmatched`` count failed recipients of bounce reports:
    ``bounced`` those whose message was marked refused now, ``matched`` every one naming a
    message of the outbox (also when it was marked before). ``ignored`` counts mails that are no
    bounce report or report no permanent failure; ``skipped`` mails that could not be read.
    """

    read: int = 0
    matched: int = 0
    bounced: int = 0
    unmatched: int = 0
    ignored: int = 0
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        """The counts by name, in a fixed order."""
        return asdict(self)


def _record_one(session_factory: sessionmaker[Session], raw: bytes, report: BounceReport) -> None:
    message = parse(raw)
    if not is_report(message):
        report.ignored += 1
        return
    bounces = read_report(message)
    if not bounces:
        report.ignored += 1
        return
    with transaction(session_factory) as session:
        for bounce in bounces:
            outcome = record_bounce(session, bounce.message_id, bounce.recipients, bounce.reason())
            if outcome == "unmatched":
                report.unmatched += 1
            else:
                report.matched += 1
                report.bounced += outcome == "bounced"


def record_bounces(session_factory: sessionmaker[Session], mails: Iterable[bytes | None]) -> BounceReport:
    """Mark every sent outbox message that a bounce report among ``mails`` names as refused for good.

    A mail that cannot be read (None, or a damaged report) is counted as skipped and never stops
    the run; the reason is not logged, as a mail's content may hold personal data.
    """
    report = BounceReport()
    for raw in mails:
        report.read += 1
        try:
            if raw is None:
                raise MalformedReport("unreadable")
            _record_one(session_factory, raw, report)
        except (MalformedReport, LookupError, TypeError, ValueError, UnicodeError):
            report.skipped += 1
            log.warning("bounce mailbox: mail %s skipped, not readable", report.read)
    return report
