"""Marking voters as having voted on paper in a hybrid election, and disabling their online code.

Domain 8 item 15: hybrid voting must stop double voting across the channels. When the committee
marks a voter as having voted on paper, their online credential is taken out of use: the credential
lists are frozen into ``H_E`` when voting opens, so the disabling is published as a
``credential_disabled`` entry on the board (group and public credential only, nothing personal),
appended in the same transaction as the mark.

That entry takes the credential's slot in the board's unique ``(election, counted_credential)``
constraint, the same slot a ballot takes. A paper mark and an online cast with the same code at the
same moment therefore cannot both succeed: the board's head is locked while either appends, and
whichever comes second is refused by the constraint (the mark as "already voted online", the
ballot as "voted on paper"). A mark is refused outright when the voter already voted online.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crypto import board as bd
from election import audit_log
from election.board_store import counted_ballot_of, retire_credential
from election.casting import CastRefused, open_identity
from election.code_revocation import live_credential
from election.models import Election, ElectoralGroup, RegisterPerson
from election.models.paper import PaperVote
from election.models.voting import BoardEntry, CredentialHolder, VotingCredential
from election.procedure_store import regulation_of
from election.voting_codes import group_key

_APPEND_ATTEMPTS = 5
SEARCH_LIMIT = 25


class PaperError(Exception):
    """A paper-voting step was refused; ``code`` selects the message shown, ``details`` fill it in."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message.format(**details) if details else message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class VoterStatus:
    """A register person as the paper desk sees them: who, which group, and whether and how they voted."""

    person_id: int
    name: str
    employee_number: str
    group: str
    status: str  # "not_voted", "voted_online", "voted_on_paper" or "no_code"


def paper_voting_allowed(election: Election) -> bool:
    """Whether the election's regulation allows paper ballots beside the online vote."""
    return regulation_of(election).paper_beside_online


def _voted_online(db: Session, election_id: int, person_id: int) -> bool:
    """Whether any credential ever issued to this person (revoked ones included) cast a ballot."""
    query = (
        select(func.count(BoardEntry.id))
        .join(VotingCredential, VotingCredential.credential == BoardEntry.counted_credential)
        .join(CredentialHolder, CredentialHolder.credential_id == VotingCredential.id)
        .where(BoardEntry.election_id == election_id, BoardEntry.type == bd.BALLOT)
        .where(VotingCredential.election_id == election_id, CredentialHolder.person_id == person_id)
    )
    return bool(db.scalar(query))


def _paper_vote(db: Session, election_id: int, person_id: int) -> PaperVote | None:
    query = select(PaperVote).where(PaperVote.election_id == election_id, PaperVote.person_id == person_id)
    return db.scalars(query).first()


def voter_status(db: Session, election_id: int, person: RegisterPerson) -> str:
    """``voted_on_paper``, ``voted_online``, ``no_code`` (no live voting code) or ``not_voted``."""
    if _paper_vote(db, election_id, person.id) is not None:
        return "voted_on_paper"
    if _voted_online(db, election_id, person.id):
        return "voted_online"
    if live_credential(db, election_id, person.id) is None:
        return "no_code"
    return "not_voted"


def find_voters(db: Session, election: Election, text: str) -> list[VoterStatus]:
    """Voters with an active voting right whose name contains ``text`` or whose employee number is ``text``.

    At most ``SEARCH_LIMIT`` rows, by name; an empty search finds nobody.
    """
    text = text.strip()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(RegisterPerson, ElectoralGroup.name)
        .join(ElectoralGroup, ElectoralGroup.id == RegisterPerson.electoral_group_id)
        .where(RegisterPerson.election_id == election.id, RegisterPerson.active.is_(True))
        .where(or_(RegisterPerson.name.ilike(pattern, escape="\\"), RegisterPerson.employee_number == text))
        .order_by(RegisterPerson.name, RegisterPerson.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        VoterStatus(p.id, p.name, p.employee_number, group, voter_status(db, election.id, p))
        for p, group in db.execute(query).all()
    ]


def paper_marks_per_group(db: Session, election_id: int) -> dict[str, int]:
    """Voters marked as having voted on paper, per manifest group id."""
    query = (
        select(VotingCredential.electoral_group_id, func.count(PaperVote.id))
        .join(VotingCredential, VotingCredential.id == PaperVote.credential_id)
        .where(PaperVote.election_id == election_id)
        .group_by(VotingCredential.electoral_group_id)
    )
    return {group_key(gid): int(n) for gid, n in db.execute(query).all()}


def _check_markable(db: Session, election: Election, person_id: int) -> tuple[RegisterPerson, VotingCredential]:
    person = db.get(RegisterPerson, person_id)
    if person is None or person.election_id != election.id or not person.active or person.electoral_group_id is None:
        raise PaperError("not_eligible", "this person has no active voting right in this election")
    if _paper_vote(db, election.id, person.id) is not None:
        raise PaperError("already_marked", "{name} is already marked as having voted on paper", name=person.name)
    if _voted_online(db, election.id, person.id):
        # Domain 8 item 15: one voter, one ballot; an online vote cannot be replaced by a paper one.
        raise PaperError("voted_online", "{name} has already voted online", name=person.name)
    credential = live_credential(db, election.id, person.id)
    if credential is None:
        raise PaperError("no_code", "{name} has no live voting code to disable", name=person.name)
    return person, credential


def mark_voted_on_paper(db: Session, election: Election, person_id: int, actor: str, now: datetime) -> PaperVote:
    """Mark a voter as having voted on paper and disable their online code, in the caller's transaction.

    Refused (``PaperError``, nothing stored) when the regulation does not allow paper voting, voting
    is not open, the person has no active voting right or no live code, is already marked, or has
    voted online (also when that online vote arrives while the mark is being made).
    """
    if not paper_voting_allowed(election):
        raise PaperError("not_hybrid", "the regulation does not allow paper voting beside online voting")
    try:
        identity = open_identity(db, election.id, now)
    except CastRefused:
        raise PaperError("not_voting", "voters are marked as having voted on paper only while voting is open") from None
    person, credential = _check_markable(db, election, person_id)
    gid = group_key(credential.electoral_group_id)
    payload = {"group": gid, "credential": credential.credential}
    for _ in range(_APPEND_ATTEMPTS):
        try:
            with db.begin_nested():
                entry = retire_credential(
                    db, identity, bd.CREDENTIAL_DISABLED, payload, credential.credential, gid, now
                )
                mark = PaperVote(
                    election_id=election.id,
                    person_id=person.id,
                    credential_id=credential.id,
                    board_seq=entry.seq,
                    marked_by=actor,
                    marked_at=now,
                )
                db.add(mark)
                db.flush()
        except IntegrityError:
            # Another worker used this credential (an online ballot, or the same mark) a moment ago,
            # or, on SQLite only, took the same sequence number: look again, then append after it.
            _check_markable(db, election, person_id)
            if counted_ballot_of(db, election.id, credential.credential) is not None:
                raise PaperError(
                    "code_changed", "the voting code of {name} changed a moment ago", name=person.name
                ) from None
            continue
        audit_log.record(db, actor, "paper_vote_marked", election.id, person=person.id, board_seq=entry.seq)
        return mark
    raise PaperError("busy", "the board is busy; try again")


def paper_votes(db: Session, election_id: int) -> list[tuple[PaperVote, RegisterPerson, str]]:
    """Every paper mark with its voter and group name, newest first (for the committee only)."""
    query = (
        select(PaperVote, RegisterPerson, ElectoralGroup.name)
        .join(RegisterPerson, RegisterPerson.id == PaperVote.person_id)
        .join(ElectoralGroup, ElectoralGroup.id == RegisterPerson.electoral_group_id)
        .where(PaperVote.election_id == election_id)
        .order_by(PaperVote.marked_at.desc(), PaperVote.id.desc())
    )
    return [(mark, person, group) for mark, person, group in db.execute(query).all()]
