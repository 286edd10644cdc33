"""The nominator's side of the pre-round: find colleagues, nominate them, change one's mind.

Anonymity by construction. A person's nominations are stored in one ``nomination_set`` under
``nominator_key`` = HMAC-SHA256(round secret, participant id). The set has no column that names a
person and no timestamp, so nothing the committee can open (screens, exports, the audit log) can
join a nominee to whoever nominated them; the round secret is never shown and is erased with the
nominations when candidacy closes. The key is recomputed from the personal link on each visit,
which is how the same person finds and changes their own set. Only code running on the server
with the database and the secret together could link the two; that is the operator, who holds
no election powers, and only until the purge. Employee actions are not written to the audit log
(it is insert-only and would outlive the purge); the committee's actions are.

Search returns names and an opaque handle per colleague with the passive voting right (WOR art. 6
lid 3) in the round's scope, never register ids, e-mail addresses or departments.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from election.models import (
    Election,
    Nomination,
    NominationInterest,
    NominationParticipant,
    NominationRound,
    NominationSet,
    RegisterPerson,
)
from election.nomination_round import hash_token, status_of
from election.nomination_rules import MIN_QUERY, SEARCH_LIMIT, Status, clean_motivation, refusal_to_add

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}\Z")


class NominationRefused(ValueError):
    """A nomination that cannot be stored; ``code`` names the reason, nothing has been changed."""

    def __init__(self, code: str, status: Status | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Nominator:
    """The person behind a valid personal link, with their round and election."""

    participant: NominationParticipant
    person: RegisterPerson
    round: NominationRound
    election: Election


@dataclass(frozen=True)
class Colleague:
    """A search result or a chosen colleague: the name and the opaque handle, nothing else."""

    handle: str
    name: str
    motivation: str = ""


def nominator_for_token(db: Session, token: str) -> Nominator | None:
    """The nominator whose personal link carries ``token``, or None for any other text.

    A link that was replaced by a newer one, or that belongs to someone who may not nominate, is
    not valid.
    """
    candidate = token.strip()
    if not _TOKEN_SHAPE.match(candidate):
        return None
    participant = db.scalar(
        select(NominationParticipant).where(NominationParticipant.token_hash == hash_token(candidate))
    )
    if participant is None:
        return None
    person = db.get(RegisterPerson, participant.person_id)
    round_ = db.get(NominationRound, participant.round_id)
    if person is None or round_ is None or not person.active or round_.purged_at is not None:
        return None
    election = db.get(Election, round_.election_id)
    assert election is not None
    return Nominator(participant, person, round_, election)


def nominator_key(round_: NominationRound, participant_id: int) -> str:
    """The keyed hash under which one participant's set is stored (see the module docs)."""
    if round_.secret is None:
        raise NominationRefused("closed", "purged")
    message = f"stembus/v1/nominator/{round_.id}/{participant_id}".encode()
    return hmac.new(bytes.fromhex(round_.secret), message, hashlib.sha256).hexdigest()


def _set_of(db: Session, nominator: Nominator) -> NominationSet | None:
    key = nominator_key(nominator.round, nominator.participant.id)
    return db.scalar(select(NominationSet).where(NominationSet.nominator_key == key))


def may_nominate_self(nominator: Nominator) -> bool:
    """Whether this person is offered "I have the OR factor myself": offered, and they may stand."""
    return nominator.round.self_nomination and nominator.person.passive


def my_nominations(db: Session, nominator: Nominator) -> tuple[list[Colleague], bool]:
    """The colleagues this person nominated (with motivations), and whether they stated interest."""
    interest = db.get(NominationInterest, nominator.participant.id) is not None
    chosen = _set_of(db, nominator)
    if chosen is None:
        return [], interest
    rows = db.execute(
        select(NominationParticipant.handle, RegisterPerson.name, Nomination.motivation)
        .join(NominationParticipant, NominationParticipant.id == Nomination.nominee_id)
        .join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(Nomination.set_id == chosen.id)
        .order_by(RegisterPerson.name)
    ).all()
    return [Colleague(h, n, m) for h, n, m in rows], interest


def _eligible(nominator: Nominator):  # type: ignore[no-untyped-def]
    """The SQL condition for colleagues this nominator may nominate."""
    conditions = [
        NominationParticipant.round_id == nominator.round.id,
        RegisterPerson.passive.is_(True),  # WOR art. 6 lid 3: only who may stand
        NominationParticipant.id != nominator.participant.id,
    ]
    group = nominator.person.electoral_group_id
    if nominator.round.scope == "group" and group is not None:
        conditions.append(RegisterPerson.electoral_group_id == group)
    return conditions


def search_colleagues(db: Session, nominator: Nominator, query: str, today: date) -> list[Colleague]:
    """Colleagues in scope whose name contains ``query``: at most SEARCH_LIMIT, none below MIN_QUERY.

    Nobody is found while the round is not open: the register is searchable only for nominating.
    """
    text = " ".join(query.split())[:100]
    if len(text) < MIN_QUERY or status_of(nominator.round, nominator.election, today) != "open":
        return []
    rows = db.execute(
        select(NominationParticipant.handle, RegisterPerson.name)
        .join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(*_eligible(nominator), func.lower(RegisterPerson.name).contains(text.lower(), autoescape=True))
        .order_by(RegisterPerson.name, NominationParticipant.id)
        .limit(SEARCH_LIMIT)
    ).all()
    return [Colleague(h, n) for h, n in rows]


def _require_open(nominator: Nominator, today: date) -> None:
    status = status_of(nominator.round, nominator.election, today)
    if status != "open":
        raise NominationRefused("closed" if status != "not_yet" else "not_yet", status)


def _lock_set(db: Session, nominator: Nominator) -> NominationSet:
    """This person's set, created if needed and locked for this transaction (the limit holds)."""
    key = nominator_key(nominator.round, nominator.participant.id)
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(NominationSet)
        .values(round_id=nominator.round.id, nominator_key=key)
        .on_conflict_do_nothing(index_elements=["nominator_key"])
    )
    query = select(NominationSet).where(NominationSet.nominator_key == key).with_for_update()
    return db.scalars(query.execution_options(populate_existing=True)).one()


def add_nomination(db: Session, nominator: Nominator, handle: str, today: date) -> Colleague:
    """Nominate the colleague behind ``handle``; :class:`NominationRefused` says why not.

    The whole check runs inside the transaction with this person's set locked, so two quick
    clicks cannot go past the maximum. On a refusal the caller rolls back: nothing is stored.
    """
    _require_open(nominator, today)
    target = db.scalar(
        select(NominationParticipant).where(
            NominationParticipant.handle == handle.strip()[:32],
            NominationParticipant.round_id == nominator.round.id,
        )
    )
    if target is None:
        raise NominationRefused("unknown")
    allowed = db.scalar(
        select(NominationParticipant.id)
        .join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(*_eligible(nominator), NominationParticipant.id == target.id)
    )
    chosen = _lock_set(db, nominator)
    count = db.scalar(select(func.count()).where(Nomination.set_id == chosen.id)) or 0
    duplicate = db.scalar(
        select(Nomination.id).where(Nomination.set_id == chosen.id, Nomination.nominee_id == target.id)
    )
    refusal = refusal_to_add(
        int(count), nominator.round.max_per_person,
        eligible=allowed is not None, is_self=target.id == nominator.participant.id, duplicate=duplicate is not None,
    )
    if refusal is not None:
        raise NominationRefused(refusal)
    db.add(Nomination(set_id=chosen.id, nominee_id=target.id, motivation=""))
    db.flush()
    person = db.get(RegisterPerson, target.person_id)
    assert person is not None
    return Colleague(target.handle, person.name)


def remove_nomination(db: Session, nominator: Nominator, handle: str, today: date) -> None:
    """Withdraw the nomination of the colleague behind ``handle`` (nothing happens if there is none)."""
    _require_open(nominator, today)
    chosen = _set_of(db, nominator)
    target = db.scalar(select(NominationParticipant.id).where(
        NominationParticipant.handle == handle.strip()[:32], NominationParticipant.round_id == nominator.round.id
    ))
    if chosen is not None and target is not None:
        db.execute(delete(Nomination).where(Nomination.set_id == chosen.id, Nomination.nominee_id == target))


def save_choices(
    db: Session, nominator: Nominator, motivations: dict[str, str], interest: bool, today: date
) -> None:
    """Store the motivations of the chosen colleagues and the "OR factor myself" answer.

    A motivation longer than allowed refuses the whole save (``motivation``); nothing is stored.
    """
    _require_open(nominator, today)
    try:
        cleaned = {handle: clean_motivation(text) for handle, text in motivations.items()}
    except ValueError as error:
        raise NominationRefused("motivation") from error
    chosen = _set_of(db, nominator)
    if chosen is not None and cleaned:
        rows = db.execute(
            select(Nomination, NominationParticipant.handle)
            .join(NominationParticipant, NominationParticipant.id == Nomination.nominee_id)
            .where(Nomination.set_id == chosen.id)
        ).all()
        for nomination, handle in rows:
            if handle in cleaned:
                nomination.motivation = cleaned[handle]
    stated = db.get(NominationInterest, nominator.participant.id)
    if interest and may_nominate_self(nominator) and stated is None:
        db.add(NominationInterest(participant_id=nominator.participant.id))
    elif not interest and stated is not None:
        db.delete(stated)
    db.flush()


def decline_messages(db: Session, token: str, now: datetime) -> tuple[NominationParticipant | None, bool]:
    """Record a nominee's wish to get no further messages; returns (participant, already declined)."""
    candidate = token.strip()
    if not _TOKEN_SHAPE.match(candidate):
        return None, False
    participant = db.scalar(
        select(NominationParticipant).where(NominationParticipant.optout_hash == hash_token(candidate))
    )
    if participant is None:
        return None, False
    if participant.opted_out_at is not None:
        return participant, True
    participant.opted_out_at = now
    db.flush()
    return participant, False
