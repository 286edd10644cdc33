"""Reading the stored electoral register: totals per electoral group and the committee's search.

No function here lists every name: the committee finds people by employee number or part of a
name, a bounded number at a time (domain 8.7: no page lists all names).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from election.eligibility import EmploymentKind
from election.models import Election, ElectoralGroup, RegisterPerson
from election.register_import import RegisterEntry

SEARCH_LIMIT = 50
MIN_QUERY = 2


@dataclass(frozen=True)
class GroupTotal:
    """Counts for one electoral group (``name`` None: people without a group)."""

    name: str | None
    people: int
    active: int
    passive: int

    @property
    def not_eligible(self) -> int:
        """People in the register without the active voting right."""
        return self.people - self.active


def group_totals(db: Session, election: Election) -> list[GroupTotal]:
    """Totals per electoral group, in the election's group order, then people without a group."""
    rows = db.execute(
        select(
            RegisterPerson.electoral_group_id,
            func.count(),
            func.sum(case((RegisterPerson.active, 1), else_=0)),
            func.sum(case((RegisterPerson.passive, 1), else_=0)),
        )
        .where(RegisterPerson.election_id == election.id)
        .group_by(RegisterPerson.electoral_group_id)
    ).all()
    by_group = {gid: (n, int(a or 0), int(p or 0)) for gid, n, a, p in rows}
    totals = [GroupTotal(g.name, *by_group.pop(g.id)) for g in election.groups if g.id in by_group]
    if None in by_group:
        totals.append(GroupTotal(None, *by_group.pop(None)))
    return totals


def register_size(db: Session, election_id: int) -> int:
    """How many people the stored register holds."""
    count = db.scalar(select(func.count()).where(RegisterPerson.election_id == election_id))
    return int(count or 0)


def search_people(db: Session, election_id: int, query: str) -> list[RegisterPerson]:
    """People whose employee number equals ``query`` or whose name contains it (case-insensitive).

    Returns at most SEARCH_LIMIT + 1 people (so the caller can say there are more), and nobody for
    a query shorter than MIN_QUERY characters.
    """
    text = query.strip()
    if len(text) < MIN_QUERY:
        return []
    found = select(RegisterPerson).where(
        RegisterPerson.election_id == election_id,
        or_(
            RegisterPerson.employee_number == text,
            func.lower(RegisterPerson.name).contains(text.lower(), autoescape=True),
        ),
    )
    return list(db.scalars(found.order_by(RegisterPerson.name, RegisterPerson.id).limit(SEARCH_LIMIT + 1)))


def person_in(db: Session, election_id: int, person_id: int) -> RegisterPerson | None:
    """The register entry ``person_id`` if it belongs to the election, else None."""
    person = db.get(RegisterPerson, person_id)
    return person if person is not None and person.election_id == election_id else None


def group_name(db: Session, person: RegisterPerson) -> str | None:
    """The name of the person's electoral group, or None."""
    if person.electoral_group_id is None:
        return None
    group = db.get(ElectoralGroup, person.electoral_group_id)
    return group.name if group else None


def stored_entries(db: Session, election: Election) -> list[RegisterEntry]:
    """The stored register as import entries, to compare a new import against."""
    names = {g.id: g.name for g in election.groups}
    people = db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election.id))
    return [
        RegisterEntry(
            row=0,
            employee_number=p.employee_number,
            name=p.name,
            email=p.email,
            department=p.department,
            location=p.location,
            electoral_group=names.get(p.electoral_group_id or 0),
            start_date=p.start_date,
            end_date=p.end_date,
            kind=EmploymentKind(p.employment_kind),
            agency_since=p.agency_since,
            bestuurder=p.bestuurder,
            language=p.language,
            active=p.active,
            passive=p.passive,
            reasons=p.reason_codes,
        )
        for p in people
    ]


@dataclass(frozen=True)
class GroupPreview:
    """One electoral group of an import as the committee sees it before applying."""

    name: str | None
    people: int
    active: int
    passive: int
    reasons: tuple[tuple[str, int], ...]  # reason code and how many people it applies to


def preview_groups(entries: Iterable[RegisterEntry]) -> list[GroupPreview]:
    """Per electoral group: people, active, passive, and how often each reason applies."""
    counts: dict[str | None, list[int]] = {}
    reasons: dict[str | None, Counter[str]] = {}
    for p in entries:
        c = counts.setdefault(p.electoral_group, [0, 0, 0])
        c[0] += 1
        c[1] += p.active
        c[2] += p.passive
        reasons.setdefault(p.electoral_group, Counter()).update(p.reasons)
    order = sorted(counts, key=lambda g: (g is None, g or ""))
    return [GroupPreview(g, counts[g][0], counts[g][1], counts[g][2], tuple(reasons[g].most_common())) for g in order]
