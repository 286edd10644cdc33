"""Elections held together: the link group, and candidacies of the same person in linked elections.

A works council election and the elections of its onderdeelcommissies (sub-committees) held at the
same time share a *link group*, set on the set-up screen. A person may stand on one list only
across them (domain 2.4, the sbi.nl case of a candidate on a sub-committee union list and on a free
list for the council; domain 8 item 11). Registers are kept per election, so the same person is
recognised by their employee number, which the organisation's HR system issues once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.list_rules import LinkedCandidacy
from election.models import Candidacy, CandidateList, Election, RegisterPerson
from election.procedure import Phase
from election.setup_store import SetupInvalid, SetupLocked

LINK_GROUP_MAX = 60
LINK_GROUP_PATTERN = r"^[\w .\-]*$"
# An installed or archived election is over; its candidacies no longer compete with a running one.
_FINISHED = (Phase.INSTALLED.value, Phase.ARCHIVED.value)


def normalise_link_group(text: str | None) -> str | None:
    """The stored form of a link code: trimmed, single spaces, lower case; None when empty."""
    clean = " ".join((text or "").split()).lower()
    if not clean:
        return None
    if len(clean) > LINK_GROUP_MAX or not re.match(LINK_GROUP_PATTERN, clean):
        raise SetupInvalid("link_group", "a link code holds letters, digits, spaces, dots, hyphens and underscores")
    return clean


def set_link_group(db: Session, actor: str, election: Election, text: str | None) -> None:
    """Put the election in a link group (or take it out) while it is in preparation, like all its set-up."""
    if election.phase != Phase.DRAFT.value:
        raise SetupLocked("the election has been announced; its set-up is frozen")
    value = normalise_link_group(text)
    if value == election.link_group:
        return
    election.link_group = value
    db.flush()
    audit_log.record(
        db,
        actor,
        "election_linked" if value else "election_unlinked",
        election.id,
        link_group=value,
        linked=[e.id for e in linked_elections(db, election)],
    )


def linked_elections(db: Session, election: Election) -> list[Election]:
    """The other running elections in the same link group, oldest first."""
    if not election.link_group:
        return []
    query = select(Election).where(
        Election.link_group == election.link_group,
        Election.id != election.id,
        Election.phase.not_in(_FINISHED),
    )
    return list(db.scalars(query.order_by(Election.id)))


def election_label(election: Election) -> str:
    """How a linked election is named in messages: organisation, voting day and number."""
    return f"{election.organisation} ({election.voting_day.isoformat()}, #{election.id})"


def linked_candidacies(
    db: Session, election: Election, people: Iterable[RegisterPerson]
) -> dict[int, tuple[LinkedCandidacy, ...]]:
    """For each of ``people`` (register rows of ``election``): active candidacies in linked elections.

    Matched by employee number; struck candidates and invalid lists do not count. Keyed by the
    person's id in this election's register.
    """
    by_number = {p.employee_number: p.id for p in people}
    others = {e.id: e for e in linked_elections(db, election)}
    if not by_number or not others:
        return {}
    rows = db.execute(
        select(RegisterPerson.employee_number, CandidateList.election_id, CandidateList.name)
        .join(Candidacy, Candidacy.person_id == RegisterPerson.id)
        .join(CandidateList, CandidateList.id == Candidacy.list_id)
        .where(
            CandidateList.election_id.in_(list(others)),
            RegisterPerson.election_id == CandidateList.election_id,
            RegisterPerson.employee_number.in_(list(by_number)),
            Candidacy.status == "active",
            CandidateList.status != "invalid",
        )
        .order_by(CandidateList.election_id, CandidateList.id)
    ).all()
    found: dict[int, list[LinkedCandidacy]] = {}
    for number, election_id, list_name in rows:
        found.setdefault(by_number[number], []).append(LinkedCandidacy(election_label(others[election_id]), list_name))
    return {person_id: tuple(items) for person_id, items in found.items()}
