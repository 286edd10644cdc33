"""Casting a ballot: every check the server makes, then one append to the board, in one transaction.

A ballot is accepted only when voting is open (phase and window), it parses with canonical
encodings, its group holds a vote, its credential is listed for that group and not revoked, every
proof and the credential signature verify, and no ballot was counted under that credential yet.
That last rule is the unique constraint ``one_ballot_per_credential`` on the board, not a
read-then-write: of any number of simultaneous casts with one code, exactly one is stored. An entry
that retires a credential (``credential_disabled`` when its holder voted on paper) takes the same
slot, so of a cast and a paper mark at the same moment exactly one wins.

An identical retry (the same ballot bytes, e.g. after a dropped connection) gets the original
receipt; any other second ballot under the credential is refused as "already voted".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crypto import board as bd
from crypto import record as rc
from crypto.ballot import Ballot, BallotError, ballot_from_dict, ballot_to_bytes, check_revealed, verify_ballot
from crypto.group import Point
from crypto.record_schema import Field
from election.board_store import BoardClosed, append_entry, counted_ballot_of, head_hash, to_entry
from election.models import Election
from election.models.voting import BoardEntry, ElectionIdentity, VotingCredential
from election.procedure import Phase
from election.procedure_store import voting_window_of
from election.running_tally import add_ballot
from election.voting_codes import group_key

_APPEND_ATTEMPTS = 5


class CastRefused(Exception):
    """A ballot that is not stored; ``code`` names the reason, ``status`` the HTTP status to answer."""

    def __init__(self, code: str, status: int = 400, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        self.status = status
        self.detail = detail


# Refusals that may mean someone is guessing codes: counted against the client's failure budget.
GUESSING = frozenset({"unknown_credential", "revoked", "malformed"})


@dataclass(frozen=True)
class Receipt:
    """What the voter keeps: the tracking code, where the ballot sits on the board, and the head."""

    tracking_code: str
    full_tracking_code: str
    seq: int
    time: str
    board_head: str
    repeated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the booth."""
        return {
            "tracking_code": self.tracking_code,
            "full_tracking_code": self.full_tracking_code,
            "seq": self.seq,
            "time": self.time,
            "board_head": self.board_head,
            "repeated": self.repeated,
        }


@dataclass(frozen=True)
class GroupBallot:
    """What a ballot of one manifest group must look like."""

    group_id: str
    system: str
    k: int
    n_options: int


@lru_cache(maxsize=64)
def _parsed_groups(manifest_text: str) -> dict[str, GroupBallot]:
    from json import loads

    manifest = rc.parse_manifest(Field(rc.MANIFEST, "", loads(manifest_text)))
    return {g.id: GroupBallot(g.id, g.system, g.max_choices, len(g.options)) for g in manifest.groups}


def group_ballot(identity: ElectionIdentity, group_id: str) -> GroupBallot | None:
    """The shape of a group's ballot in the frozen manifest."""
    return _parsed_groups(identity.manifest).get(group_id)


def open_identity(db: Session, election_id: int, now: datetime) -> ElectionIdentity:
    """The election's identity if voting is open right now; otherwise ``CastRefused``."""
    found = db.execute(
        select(Election, ElectionIdentity)
        .join(ElectionIdentity, ElectionIdentity.election_id == Election.id)
        .where(Election.id == election_id)
    ).first()
    if found is None or found[1].election_hash is None:
        raise CastRefused("not_open", 409)
    election, identity = found
    if Phase(election.phase) is not Phase.VOTING:
        raise CastRefused("closed" if Phase(election.phase) is not Phase.LISTS_FINAL else "not_open", 409)
    opens, closes = voting_window_of(election)
    if now < opens:
        raise CastRefused("not_open", 409)
    if now >= closes:
        raise CastRefused("closed", 409)
    return identity


def listed_credential(db: Session, election_id: int, credential_hex: str) -> VotingCredential:
    """The credential row, listed and not revoked; otherwise ``CastRefused``."""
    return credential_standing(db, election_id, credential_hex)[0]


def credential_standing(
    db: Session, election_id: int, credential_hex: str
) -> tuple[VotingCredential, BoardEntry | None]:
    """The listed, unrevoked credential row and the ballot counted under it so far, in one query.

    Refuses (``CastRefused``) a credential that is not listed, was revoked, or was retired by an
    entry on the board.
    """
    found = db.execute(
        select(VotingCredential, BoardEntry)
        .outerjoin(
            BoardEntry,
            (BoardEntry.election_id == VotingCredential.election_id)
            & (BoardEntry.counted_credential == VotingCredential.credential),
        )
        .where(VotingCredential.election_id == election_id, VotingCredential.credential == credential_hex)
    ).first()
    if found is None:
        raise CastRefused("unknown_credential", 403)
    row, counted = found
    if row.revoked:
        raise CastRefused("revoked", 403)
    _refuse_if_retired(counted)
    return row, counted


# Why a credential retired by a board entry (``crypto.board.RETIRING_TYPES``) is refused.
_RETIRED_REFUSALS = {bd.CREDENTIAL_DISABLED: "voted_on_paper"}


def _refuse_if_retired(entry: BoardEntry | None) -> None:
    """Refuse a credential that an entry on the board took out of use (e.g. its holder voted on paper)."""
    if entry is not None and entry.type in bd.RETIRING_TYPES:
        raise CastRefused(_RETIRED_REFUSALS.get(entry.type, "revoked"), 403)


def _parse(raw: Any) -> Ballot:
    try:
        return ballot_from_dict(raw)
    except (BallotError, KeyError, TypeError) as exc:
        raise CastRefused("malformed", 400, str(exc)) from None


def _check(identity: ElectionIdentity, ballot: Ballot, row: VotingCredential) -> GroupBallot:
    shape = group_ballot(identity, ballot.group_id)
    if shape is None or group_key(row.electoral_group_id) != ballot.group_id:
        raise CastRefused("wrong_group", 400)
    assert identity.election_hash is not None and identity.joint_key is not None
    try:
        failures = verify_ballot(
            ballot,
            election_hash=bytes.fromhex(identity.election_hash),
            group_id=shape.group_id,
            n_options=shape.n_options,
            k=shape.k,
            system=shape.system,
            joint_key=Point(bytes.fromhex(identity.joint_key)),
        )
    except BallotError as exc:
        raise CastRefused("invalid", 400, str(exc)) from None
    if failures:
        raise CastRefused("invalid", 400, "; ".join(failures))
    return shape


def _receipt(row: BoardEntry, ballot_bytes: bytes, head: str, repeated: bool) -> Receipt:
    return Receipt(
        bd.tracking_code(ballot_bytes), bd.full_tracking_code(ballot_bytes), row.seq, row.time, head, repeated
    )


def _repeat_or_refuse(db: Session, earlier: BoardEntry, ballot_bytes: bytes) -> Receipt:
    """The original receipt for an identical retry; any other ballot under a used credential is refused."""
    _refuse_if_retired(earlier)
    if earlier.payload_hash == bd.ballot_hash(ballot_bytes).hex():
        return _receipt(earlier, ballot_bytes, head_hash(db, earlier.election_id) or "", repeated=True)
    raise CastRefused("already_voted", 409)


def _earlier(db: Session, election_id: int, credential: str, ballot_bytes: bytes) -> Receipt | None:
    earlier = counted_ballot_of(db, election_id, credential)
    return None if earlier is None else _repeat_or_refuse(db, earlier, ballot_bytes)


def cast_ballot(db: Session, election_id: int, raw: Any, now: datetime) -> Receipt:
    """Check and store one ballot; returns the receipt or raises ``CastRefused`` with nothing stored."""
    identity = open_identity(db, election_id, now)
    ballot = _parse(raw)
    credential = ballot.credential.hex()
    row, earlier = credential_standing(db, election_id, credential)
    ballot_bytes = ballot_to_bytes(ballot)
    if earlier is not None:
        return _repeat_or_refuse(db, earlier, ballot_bytes)
    _check(identity, ballot, row)
    payload = ballot.to_dict()
    for _ in range(_APPEND_ATTEMPTS):
        try:
            with db.begin_nested():
                entry = append_entry(
                    db,
                    identity,
                    bd.BALLOT,
                    bd.ballot_hash(ballot_bytes),
                    payload,
                    now,
                    group_key=ballot.group_id,
                    tracking_code=bd.tracking_code(ballot_bytes),
                    counted_credential=credential,
                )
                add_ballot(db, election_id, ballot.group_id, [s.ciphertext for s in ballot.selections])
            # The head is locked (PostgreSQL) or the database is (SQLite): the new entry is the head.
            return _receipt(entry, ballot_bytes, bd.entry_hash(to_entry(entry)).hex(), repeated=False)
        except BoardClosed:
            raise CastRefused("closed", 409) from None
        except IntegrityError:
            # Either this credential was used a moment ago (refuse or repeat the receipt) or another
            # ballot took the same sequence number (SQLite only): then append again after it.
            repeated = _earlier(db, election_id, credential, ballot_bytes)
            if repeated is not None:
                return repeated
    raise CastRefused("busy", 503)


def post_challenged(db: Session, election_id: int, raw: Any, now: datetime) -> str:
    """Post a Benaloh-challenged ballot with its disclosure; it is never counted. Returns its tracking code."""
    identity = open_identity(db, election_id, now)
    if not isinstance(raw, dict) or set(raw) != {"ballot", "reveal"}:
        raise CastRefused("malformed", 400, "a challenged ballot has exactly 'ballot' and 'reveal'")
    ballot = _parse(raw["ballot"])
    row = listed_credential(db, election_id, ballot.credential.hex())
    _check(identity, ballot, row)
    assert identity.joint_key is not None
    try:
        check_revealed(ballot, raw["reveal"], joint_key=Point(bytes.fromhex(identity.joint_key)))
    except (BallotError, KeyError, TypeError, ValueError) as exc:
        raise CastRefused("invalid", 400, str(exc)) from None
    payload = {"ballot": ballot.to_dict(), "reveal": raw["reveal"]}
    ballot_bytes = ballot_to_bytes(ballot)
    for _ in range(_APPEND_ATTEMPTS):
        try:
            with db.begin_nested():
                append_entry(
                    db,
                    identity,
                    bd.CHALLENGED,
                    bd.payload_hash(bd.CHALLENGED, payload),
                    payload,
                    now,
                    group_key=ballot.group_id,
                    tracking_code=bd.tracking_code(ballot_bytes),
                )
            return bd.tracking_code(ballot_bytes)
        except BoardClosed:
            raise CastRefused("closed", 409) from None
        except IntegrityError:
            continue
    raise CastRefused("busy", 503)
