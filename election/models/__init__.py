"""Persistent records of Stembus. Import this package to register every table on ``Base.metadata``."""

from election.models.audit import AuditEntry
from election.models.ceremony import CeremonyMessage, CeremonyTrustee, KeyCeremony
from election.models.committee import CommitteeMember, Role
from election.models.count import DecryptionShareSet, ElectionCount, RunningTally
from election.models.delivery import CodeDelivery
from election.models.election import Election, ElectoralGroup, PendingAction, TradeUnion
from election.models.lists import (
    Candidacy,
    CandidateList,
    ListDecision,
    ListFile,
    ListObjection,
    ListObjectionPaper,
    ListSupporter,
    ListToken,
)
from election.models.nomination import (
    Nomination,
    NominationInterest,
    NominationParticipant,
    NominationRound,
    NominationSet,
    NominationSummary,
)
from election.models.outbox import OutboxAttachment, OutboxMessage
from election.models.paper import PaperCount, PaperVote
from election.models.record import PublishedRecord, PublishedRecordChunk, RecordCheck, RetentionEvent
from election.models.register import RegisterImport, RegisterObjection, RegisterPerson
from election.models.result import ResultAnnouncement, ResultMailing, ResultObjection
from election.models.second_factor import VoterSecondFactor
from election.models.succession import SuccessionOffer, Vacancy
from election.models.throttle import ThrottleCounter
from election.models.voting import BoardEntry, CredentialHolder, ElectionIdentity, VotingCredential
from election.models.web_session import WebSession

__all__ = [
    "AuditEntry",
    "BoardEntry",
    "Candidacy",
    "CandidateList",
    "CeremonyMessage",
    "CeremonyTrustee",
    "CodeDelivery",
    "CommitteeMember",
    "CredentialHolder",
    "DecryptionShareSet",
    "Election",
    "ElectionCount",
    "ElectionIdentity",
    "ElectoralGroup",
    "KeyCeremony",
    "ListDecision",
    "ListFile",
    "ListObjection",
    "ListObjectionPaper",
    "ListSupporter",
    "ListToken",
    "Nomination",
    "NominationInterest",
    "NominationParticipant",
    "NominationRound",
    "NominationSet",
    "NominationSummary",
    "OutboxAttachment",
    "OutboxMessage",
    "PaperCount",
    "PaperVote",
    "PendingAction",
    "PublishedRecord",
    "PublishedRecordChunk",
    "RecordCheck",
    "RegisterImport",
    "RegisterObjection",
    "RegisterPerson",
    "ResultAnnouncement",
    "ResultMailing",
    "ResultObjection",
    "RetentionEvent",
    "Role",
    "RunningTally",
    "SuccessionOffer",
    "ThrottleCounter",
    "TradeUnion",
    "Vacancy",
    "VoterSecondFactor",
    "VotingCredential",
    "WebSession",
]
