"""Translated words for the electoral register: our fields, check errors and eligibility reasons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from election.document_text import reason_text

FIELDS: dict[str, LazyString] = {
    "employee_number": _l("Employee number"),
    "first_name": _l("First name"),
    "prefix": _l("Name prefix (tussenvoegsel)"),
    "last_name": _l("Last name"),
    "name": _l("Full name"),
    "email": _l("E-mail address"),
    "department": _l("Department"),
    "location": _l("Location"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "employment_kind": _l("Kind of employment"),
    "agency_since": _l("Agency worker since"),
    "bestuurder": _l("Bestuurder (top executive)"),
    "electoral_group": _l("Electoral group"),
    "language": _l("Language"),
    "kind": _l("Kind of employment"),
    "active": _l("May vote"),
    "passive": _l("May stand"),
    "reasons": _l("Reasons"),
}

ERRORS: dict[str, LazyString] = {
    "empty_value": _l("A required value is empty."),
    "empty_name": _l("The name is empty."),
    "bad_date": _l("This is not a date. Use YYYY-MM-DD or DD-MM-YYYY."),
    "duplicate_employee_number": _l("This employee number appears more than once."),
    "invalid_email": _l("This is not a valid e-mail address."),
    "unknown_employment_kind": _l("Unknown kind of employment."),
    "unknown_electoral_group": _l("This value is not assigned to an electoral group."),
    "column_not_found": _l("The chosen column is not in the file."),
    "missing_column": _l("A required column is missing. Choose it in the column mapping."),
}

def reason_texts(codes: Iterable[str]) -> list[str]:
    """Plain sentences for eligibility reason codes."""
    return [reason_text(code) for code in codes]


def field_label(name: str) -> str:
    """The translated name of one of our register fields."""
    return str(FIELDS.get(name, name))


def show_value(value: object) -> str:
    """A register value as the committee reads it in the re-import difference."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
