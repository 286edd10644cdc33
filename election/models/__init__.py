"""Persistent records of Stembus. Import this package to register every table on ``Base.metadata``."""

from election.models.audit import AuditEntry
from election.models.committee import CommitteeMember, Role
from election.models.election import Election, ElectoralGroup, PendingAction, TradeUnion
from election.models.outbox import OutboxAttachment, OutboxMessage
from election.models.register import RegisterImport, RegisterObjection, RegisterPerson
from election.models.throttle import ThrottleCounter
from election.models.web_session import WebSession

__all__ = [
    "AuditEntry",
    "CommitteeMember",
    "Election",
    "ElectoralGroup",
    "OutboxAttachment",
    "OutboxMessage",
    "PendingAction",
    "RegisterImport",
    "RegisterObjection",
    "RegisterPerson",
    "Role",
    "ThrottleCounter",
    "TradeUnion",
    "WebSession",
]
