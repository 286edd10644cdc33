"""Database invariants that ``stembus check`` re-checks, and the registry they live in.

The database already enforces most rules with constraints and triggers. These checks look again,
from the outside, after anything that could have gone around them: a restore from backup, a
manual repair, a dropped constraint, a bug. Each invariant is a plain function over a read-only
SQLAlchemy session that yields one line per breach; an empty result means the invariant holds.

Adding one is a single decorator, in this module or in any module listed in ``INVARIANT_MODULES``::

    @invariant("ballots.one_per_credential")
    def one_ballot_per_credential(session: Session, context: CheckContext) -> Iterator[str]:
        \"\"\"No voting credential has more than one accepted ballot.\"\"\"
        for credential, count in session.execute(...):
            yield f"credential {credential}: {count} ballots"

The first line of the docstring is what ``stembus check`` prints beside the name. A breach names
rows by id and never shows personal data or secrets, because its text ends up in logs and mail.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased, sessionmaker

from election import audit_log
from election.clock import as_utc
from election.models import (
    AuditEntry,
    CommitteeMember,
    Election,
    ElectoralGroup,
    OutboxMessage,
    PendingAction,
    RegisterPerson,
)
from election.procedure import Phase

# Modules whose import registers more invariants (ballots, bulletin board, count). Add yours here.
INVARIANT_MODULES: tuple[str, ...] = (
    "election.board_invariants",  # one ballot per credential, listed credentials, the chain, the close counts
    "election.running_tally",  # the tally kept while voting equals the board's sum
    "election.record_publication",  # the frozen record and the board it was made from
    "election.retention",  # personal data stays deleted after the retention run
)


@dataclass(frozen=True)
class CheckContext:
    """What a check may need besides the database: the moment of the check and instance settings."""

    now: datetime
    mail_claim_timeout: timedelta = timedelta(minutes=15)


CheckFunction = Callable[[Session, CheckContext], Iterable[str]]


@dataclass(frozen=True)
class Invariant:
    """One registered check: its stable dotted name, what it asserts, and the function."""

    name: str
    description: str
    function: CheckFunction


@dataclass
class Outcome:
    """The result of one invariant: the breaches found, or why the check itself could not run."""

    name: str
    description: str
    breaches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the invariant holds."""
        return not self.breaches


_REGISTRY: dict[str, Invariant] = {}


def invariant(name: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the invariant ``name`` (dotted, stable, unique)."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise ValueError(f"invariant {name} is registered twice")
        summary = (function.__doc__ or name).strip().splitlines()[0]
        _REGISTRY[name] = Invariant(name, summary, function)
        return function

    return register


def registered() -> list[Invariant]:
    """Every known invariant, in the order they were registered."""
    for module in INVARIANT_MODULES:
        importlib.import_module(module)
    return list(_REGISTRY.values())


def check_database(
    session_factory: sessionmaker[Session], context: CheckContext, only: Sequence[str] = ()
) -> list[Outcome]:
    """Run the invariants (all, or those named in ``only``) on one consistent, read-only snapshot.

    A check that fails with a database error is itself reported as a breach of its invariant, so
    a broken schema never passes as a clean database. Raises ``KeyError`` for an unknown name.
    """
    known = {item.name: item for item in registered()}
    for name in only:
        if name not in known:
            raise KeyError(name)
    chosen = [known[name] for name in only] if only else list(known.values())
    outcomes: list[Outcome] = []
    with session_factory() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            # One snapshot for every check, so counts compared across tables agree while voting runs.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            session.execute(select(func.set_config("transaction_read_only", "on", True)))
        for item in chosen:
            outcome = Outcome(item.name, item.description)
            savepoint = session.begin_nested() if postgres else None
            try:
                outcome.breaches = [str(breach) for breach in item.function(session, context)]
            except SQLAlchemyError as error:
                reason = str(getattr(error, "orig", None) or type(error).__name__).splitlines()[0][:200]
                outcome.breaches = [f"the check could not run: {reason}"]
                if savepoint is not None:
                    savepoint.rollback()
                else:
                    session.rollback()
            else:
                if savepoint is not None:
                    savepoint.commit()
            outcomes.append(outcome)
        session.rollback()
    return outcomes


# --- The invariants of set-up, register, mail and audit log ---------------------------------------


@invariant("audit_log.chain_intact")
def audit_chain_intact(session: Session, context: CheckContext) -> Iterator[str]:
    """The audit log's hash chain is unbroken from the first entry to the last."""
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))
    for breach in audit_log.verify_chain(entries):
        yield f"audit entry {breach.seq}: {breach.problem}"


@invariant("election.phase_known")
def phase_known(session: Session, context: CheckContext) -> Iterator[str]:
    """Every election is in a phase of the procedure."""
    known = {phase.value for phase in Phase}
    for election_id, phase in session.execute(select(Election.id, Election.phase).order_by(Election.id)):
        if phase not in known:
            yield f"election {election_id}: unknown phase {phase!r}"


@invariant("outbox.sent_rows_dated")
def sent_rows_dated(session: Session, context: CheckContext) -> Iterator[str]:
    """Every sent message has a sending time, and only sent messages have one."""
    query = select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.sent_at).where(
        (OutboxMessage.status == "sent") != OutboxMessage.sent_at.is_not(None)
    )
    for row_id, status, sent_at in session.execute(query.order_by(OutboxMessage.id)):
        problem = "sent without a sending time" if sent_at is None else f"{status} but has a sending time"
        yield f"outbox message {row_id}: {problem}"


@invariant("outbox.no_stale_claims")
def no_stale_claims(session: Session, context: CheckContext) -> Iterator[str]:
    """No message is held by a mail worker for longer than the claim timeout (is the worker down?)."""
    limit = context.now - context.mail_claim_timeout
    query = select(OutboxMessage.id, OutboxMessage.claimed_at, OutboxMessage.claim_token).where(
        OutboxMessage.status == "sending"
    )
    for row_id, claimed_at, token in session.execute(query.order_by(OutboxMessage.id)):
        if claimed_at is None or token is None:
            yield f"outbox message {row_id}: sending without a claim"
        elif as_utc(claimed_at) < limit:
            yield f"outbox message {row_id}: claimed since {as_utc(claimed_at).isoformat()}"


@invariant("register.employee_numbers_unique")
def employee_numbers_unique(session: Session, context: CheckContext) -> Iterator[str]:
    """No employee number appears twice in one election's register."""
    query = (
        select(RegisterPerson.election_id, RegisterPerson.employee_number, func.count())
        .group_by(RegisterPerson.election_id, RegisterPerson.employee_number)
        .having(func.count() > 1)
        .order_by(RegisterPerson.election_id, RegisterPerson.employee_number)
    )
    for election_id, number, count in session.execute(query):
        yield f"election {election_id}: employee number {number} is in the register {count} times"


@invariant("register.groups_of_same_election")
def groups_of_same_election(session: Session, context: CheckContext) -> Iterator[str]:
    """Every person in a register belongs to an electoral group (kiesgroep) of the same election."""
    query = (
        select(RegisterPerson.id, RegisterPerson.election_id, ElectoralGroup.election_id)
        .join(ElectoralGroup, ElectoralGroup.id == RegisterPerson.electoral_group_id)
        .where(ElectoralGroup.election_id != RegisterPerson.election_id)
        .order_by(RegisterPerson.id)
    )
    for person_id, election_id, group_election in session.execute(query):
        yield f"register person {person_id} of election {election_id}: group of election {group_election}"


@invariant("pending_actions.reference_members")
def pending_actions_reference_members(session: Session, context: CheckContext) -> Iterator[str]:
    """Every proposed or confirmed two-member step names existing committee members."""
    proposer, confirmer = aliased(CommitteeMember), aliased(CommitteeMember)
    query = (
        select(PendingAction.id, PendingAction.proposed_by, PendingAction.confirmed_by, proposer.id, confirmer.id)
        .outerjoin(proposer, proposer.id == PendingAction.proposed_by)
        .outerjoin(confirmer, confirmer.id == PendingAction.confirmed_by)
        .where((proposer.id.is_(None)) | and_(PendingAction.confirmed_by.is_not(None), confirmer.id.is_(None)))
        .order_by(PendingAction.id)
    )
    for action_id, proposed_by, confirmed_by, found_proposer, _found_confirmer in session.execute(query):
        if found_proposer is None:
            yield f"pending action {action_id}: proposed by unknown member {proposed_by}"
        else:
            yield f"pending action {action_id}: confirmed by unknown member {confirmed_by}"


@invariant("pending_actions.two_distinct_members")
def pending_actions_two_members(session: Session, context: CheckContext) -> Iterator[str]:
    """No step was confirmed by the member who proposed it, and every confirmed step says by whom."""
    query = select(
        PendingAction.id,
        PendingAction.status,
        PendingAction.proposed_by,
        PendingAction.confirmed_by,
        PendingAction.confirmed_at,
    ).order_by(PendingAction.id)
    for action_id, status, proposed_by, confirmed_by, confirmed_at in session.execute(query):
        if confirmed_by is not None and confirmed_by == proposed_by:
            yield f"pending action {action_id}: confirmed by its own proposer (member {proposed_by})"
        if status == "confirmed" and (confirmed_by is None or confirmed_at is None):
            yield f"pending action {action_id}: confirmed without a confirming member and time"
