"""Turnout (opkomst) for the committee: how many have voted, overall and per electoral group, and who.

Counted from the bulletin board: a ballot is counted under one credential, and the board's unique
constraint allows one per credential, so the number of ``ballot`` entries of a group is the number
of its voters who voted online. In a hybrid election the voters the committee marked as having voted
on paper (:mod:`election.paper_marks`) count too, shown apart from the online voters; a mark takes the
credential's slot on the board, so nobody counts twice. "Who has voted" links a register person (through the committee's
private :class:`~election.models.voting.CredentialHolder`) to the fact that a ballot was counted
under their credential; it reads no ballot, tracking code or choice.

Domain section 8 item 19 (aggregates per kiesgroep only) and AVG art. 5 lid 1 sub c (data
minimisation): a group with fewer voters than :data:`MIN_GROUP_SIZE` is not broken down, and the
small groups are shown together only when that total cannot be traced back to one small group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from crypto import board as bd
from election.board_store import ballots_per_group
from election.models import Election, RegisterPerson
from election.models.voting import BoardEntry, CredentialHolder, VotingCredential
from election.paper_marks import paper_marks_per_group
from election.voting_codes import identity_of, manifest_of, register_count

# The regulation profile has no setting for this; five keeps a group's turnout from pointing at
# a handful of named colleagues (AVG art. 5 lid 1 sub c).
MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class GroupTurnout:
    """How many of a group's voters have voted: online, on paper (hybrid election) and together."""

    name: str
    eligible: int
    online: int
    paper: int = 0

    @property
    def voted(self) -> int:
        """Voters who have voted, online and on paper together."""
        return self.online + self.paper

    @property
    def percent(self) -> float:
        """Turnout as a percentage (0 for an empty group)."""
        return 100.0 * self.voted / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class Turnout:
    """Overall turnout, the groups shown one by one, and the small groups shown only together."""

    total: GroupTurnout
    groups: tuple[GroupTurnout, ...]
    combined: GroupTurnout | None
    hidden: tuple[str, ...]


def break_down(
    total_name: str, groups: Sequence[GroupTurnout], combined_name: str, threshold: int = MIN_GROUP_SIZE
) -> Turnout:
    """Overall turnout and the groups that may be shown one by one.

    Groups with fewer than ``threshold`` voters are put together. Because the overall total minus
    the groups shown gives that combination, it must itself reach ``threshold``: while it does
    not, the smallest group shown joins it. When nothing is left to show, only the total remains.
    """
    shown = [g for g in groups if g.eligible >= threshold]
    small = [g for g in groups if g.eligible < threshold]
    while small and shown and sum(g.eligible for g in small) < threshold:
        smallest = min(shown, key=lambda g: (g.eligible, g.name))
        shown.remove(smallest)
        small.append(smallest)
    total = _together(total_name, groups)
    if not shown:
        return Turnout(total, (), None, tuple(g.name for g in groups))
    combined = _together(combined_name, small) if small else None
    order = {g.name: i for i, g in enumerate(groups)}
    return Turnout(
        total,
        tuple(sorted(shown, key=lambda g: order[g.name])),
        combined,
        tuple(sorted((g.name for g in small), key=order.__getitem__)),
    )


def _together(name: str, groups: Sequence[GroupTurnout]) -> GroupTurnout:
    return GroupTurnout(
        name, sum(g.eligible for g in groups), sum(g.online for g in groups), sum(g.paper for g in groups)
    )


def group_turnouts(db: Session, election: Election) -> list[GroupTurnout] | None:
    """Every voting group's voters, online ballots and paper marks, in manifest order; None before voting opened."""
    identity = identity_of(db, election.id)
    if identity is None or identity.opened_at is None:
        return None
    ballots = ballots_per_group(db, election.id)
    marks = paper_marks_per_group(db, election.id)
    out = []
    for group in manifest_of(identity)["groups"]:
        online, paper = ballots.get(group["id"], 0), marks.get(group["id"], 0)
        eligible = register_count(db, election.id, int(group["id"][1:]))
        out.append(GroupTurnout(group["name"], max(eligible, online + paper), online, paper))
    return out


def _counted_as(entry_type: str | None = None):  # type: ignore[no-untyped-def]
    """SQL: some board entry occupies this credential's slot (of ``entry_type``, when given)."""
    condition = and_(
        BoardEntry.election_id == VotingCredential.election_id,
        BoardEntry.counted_credential == VotingCredential.credential,
    )
    if entry_type is not None:
        condition = and_(condition, BoardEntry.type == entry_type)
    return exists(select(BoardEntry.id).where(condition))


@dataclass(frozen=True)
class Voter:
    """A voter who has voted online: for reminders and to stop a second vote on paper."""

    person_id: int
    name: str
    employee_number: str
    group: str


def who_voted(db: Session, election: Election) -> list[Voter]:
    """The register persons under whose credential a ballot was counted, by name; never how they voted."""
    groups = {g.id: g.name for g in election.groups}
    query = (
        select(RegisterPerson)
        .where(RegisterPerson.election_id == election.id)
        .where(
            RegisterPerson.id.in_(
                select(CredentialHolder.person_id)
                .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
                .where(CredentialHolder.election_id == election.id, _counted_as(bd.BALLOT))
            )
        )
        .order_by(RegisterPerson.name, RegisterPerson.id)
    )
    return [
        Voter(p.id, p.name, p.employee_number, groups.get(p.electoral_group_id or 0, "")) for p in db.scalars(query)
    ]


def still_to_vote(db: Session, election: Election) -> list[RegisterPerson]:
    """Voters who hold a live code that no board entry has used or retired yet (the reminder list)."""
    query = (
        select(RegisterPerson)
        .join(CredentialHolder, CredentialHolder.person_id == RegisterPerson.id)
        .join(VotingCredential, VotingCredential.id == CredentialHolder.credential_id)
        .where(RegisterPerson.election_id == election.id, RegisterPerson.active.is_(True))
        .where(VotingCredential.revoked.is_(False), ~_counted_as())
        .order_by(RegisterPerson.id)
        .distinct()
    )
    return list(db.scalars(query))
