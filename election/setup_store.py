"""Creating and changing an election's set-up while it is still in preparation.

Once the election is announced the set-up and the regulation profile are frozen (domain 8 item 1):
every change is refused from then on, and a moved voting day goes through the postponement step.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from election import audit_log
from election.models import Election, ElectoralGroup, TradeUnion
from election.procedure import Phase
from election.regulation import Regulation, RegulationError, parse_fraction
from election.seat_count import SeatCountError, seat_count

SETUP_FIELDS = (
    "organisation",
    "term_end",
    "voting_day",
    "voting_days",
    "headcount",
    "seats",
    "employer_consent_seats",
    "electoral_system",
    "votes_per_voter",
)

# The register columns that can define the unit of earmarked seats (RegisterPerson.department / .location).
EARMARK_UNIT_FIELDS = ("department", "location")


class SetupLocked(Exception):
    """The set-up can no longer change because the election has been announced."""


class SetupInvalid(ValueError):
    """A set-up value breaks a rule; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _require_draft(election: Election) -> None:
    if election.phase != Phase.DRAFT.value:
        raise SetupLocked("the election has been announced; its set-up is frozen")


def _seats(values: dict[str, Any]) -> int:
    try:
        # WOR art. 6 lid 1: seats by headcount; another number only with the employer's consent.
        return seat_count(
            values["headcount"], values.get("seats"), employer_consent=bool(values.get("employer_consent_seats"))
        ).seats
    except SeatCountError as error:
        raise SetupInvalid("seats", str(error)) from error


def create_election(db: Session, actor: str, values: dict[str, Any]) -> Election:
    """Create an election in preparation with SER-default regulation and one electoral group."""
    values = {k: values.get(k) for k in SETUP_FIELDS}
    values["seats"] = _seats(values)
    election = Election(**values, phase=Phase.DRAFT.value, regulation=json.dumps(Regulation().to_dict()))
    _sync_regulation(election)
    election.groups = [ElectoralGroup(name="Alle medewerkers", position=1, seats=values["seats"])]
    db.add(election)
    db.flush()
    audit_log.record(db, actor, "election_created", election.id, **_loggable(values))
    return election


def update_election(db: Session, actor: str, election: Election, values: dict[str, Any]) -> None:
    """Change the set-up of an election in preparation."""
    _require_draft(election)
    values = {k: values.get(k) for k in SETUP_FIELDS}
    values["seats"] = _seats(values)
    for key, value in values.items():
        setattr(election, key, value)
    _sync_regulation(election)
    audit_log.record(db, actor, "election_updated", election.id, **_loggable(values))


def add_group(
    db: Session,
    actor: str,
    election: Election,
    name: str,
    seats: int,
    earmarked: int = 0,
    unit_field: str | None = None,
    unit_value: str | None = None,
) -> None:
    """Add an electoral group (WOR art. 9 lid 3), with the unit its earmarked seats are for, if any.

    Earmarked seats (domain 4.3) are reserved for the candidates whose register entry has
    ``unit_value`` in its ``unit_field`` column (``department`` or ``location``).
    """
    _require_draft(election)
    name = name.strip()
    if any(g.name.lower() == name.lower() for g in election.groups):
        raise SetupInvalid("name", f"there is already a group called {name}")
    if seats < 1:
        raise SetupInvalid("seats", "an electoral group needs at least one seat")
    if not 0 <= earmarked <= seats:
        raise SetupInvalid("earmarked_seats", "earmarked seats must lie between 0 and the group's seats")
    unit_value = (unit_value or "").strip() or None
    if earmarked == 0:
        unit_field = unit_value = None
    elif unit_field not in EARMARK_UNIT_FIELDS:
        raise SetupInvalid("earmark_unit_field", "earmarked seats need a department or a location")
    elif unit_value is None:
        raise SetupInvalid("earmark_unit_value", "earmarked seats need the name of their department or location")
    position = max((g.position for g in election.groups), default=0) + 1
    election.groups.append(
        ElectoralGroup(
            name=name,
            seats=seats,
            earmarked_seats=earmarked,
            earmark_unit_field=unit_field,
            earmark_unit_value=unit_value,
            position=position,
        )
    )
    db.flush()
    audit_log.record(
        db,
        actor,
        "group_added",
        election.id,
        name=name,
        seats=seats,
        earmarked=earmarked,
        earmark_unit_field=unit_field,
        earmark_unit_value=unit_value,
    )


def remove_group(db: Session, actor: str, election: Election, group_id: int) -> None:
    """Remove an electoral group from an election in preparation."""
    _require_draft(election)
    group = next((g for g in election.groups if g.id == group_id), None)
    if group is None:
        raise SetupInvalid("group", "no such electoral group")
    election.groups.remove(group)
    db.flush()
    audit_log.record(db, actor, "group_removed", election.id, name=group.name)


def add_union(db: Session, actor: str, election: Election, name: str, email: str | None, address: str | None) -> None:
    """Add a union to invite (WOR art. 9 lid 2 sub a)."""
    _require_draft(election)
    name = name.strip()
    if any(u.name.lower() == name.lower() for u in election.unions):
        raise SetupInvalid("name", f"{name} is already on the list of unions")
    election.unions.append(TradeUnion(name=name, email=email or None, postal_address=address or None))
    db.flush()
    audit_log.record(db, actor, "union_added", election.id, name=name)


def remove_union(db: Session, actor: str, election: Election, union_id: int) -> None:
    """Remove a union from the invitation list of an election in preparation."""
    _require_draft(election)
    union = next((u for u in election.unions if u.id == union_id), None)
    if union is None:
        raise SetupInvalid("union", "no such union")
    election.unions.remove(union)
    db.flush()
    audit_log.record(db, actor, "union_removed", election.id, name=union.name)


def update_regulation(db: Session, actor: str, election: Election, changes: dict[str, Any]) -> Regulation:
    """Change terms of the regulation profile; the profile's version goes up by one."""
    _require_draft(election)
    current = json.loads(election.regulation or "{}")
    merged = {**current, **changes}
    for key in ("remainder_threshold", "preference_threshold"):
        if key in changes:
            raw = changes[key]
            if raw in (None, "") and key == "preference_threshold":
                merged[key] = None
                continue
            try:
                merged[key] = str(parse_fraction(raw or "0"))
            except ValueError as error:
                raise SetupInvalid(key, str(error)) from error
    for key in ("art64_included", "art64_excluded"):
        if key in changes:
            merged[key] = _employee_numbers(changes[key])
    merged["version"] = int(current.get("version", 1)) + 1 if merged != current else current.get("version", 1)
    try:
        regulation = Regulation.from_dict(merged)
    except RegulationError as error:
        field, message = next(iter(error.problems.items()))
        raise SetupInvalid(field, message) from error
    election.regulation = json.dumps(regulation.to_dict())
    election.regulation_version = regulation.version
    audit_log.record(db, actor, "regulation_changed", election.id, version=regulation.version, changes=changes)
    return regulation


def _employee_numbers(value: Any) -> list[str]:
    """Employee numbers typed one per line or separated by commas, without duplicates, in order."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(",", "\n").replace(";", "\n").split("\n")
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def _sync_regulation(election: Election) -> None:
    """Keep the profile's copy of the system, votes per voter and voting days equal to the set-up."""
    profile = json.loads(election.regulation or "{}")
    profile.update(
        electoral_system=election.electoral_system,
        votes_per_voter=election.votes_per_voter,
        voting_days=election.voting_days,
    )
    try:
        election.regulation = json.dumps(Regulation.from_dict(profile).to_dict())
    except RegulationError as error:
        field, message = next(iter(error.problems.items()))
        raise SetupInvalid(field, message) from error


def _loggable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
