"""Reading the HR export that becomes the electoral register (kiesregister).

The committee draws up the register from the employer's staff data (domain notes 3.2): per person
a name, start date, electoral group and the two voting rights on the voting day. This module reads
a CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX export row by row, maps its columns
to ours, checks every row, and decides eligibility with :mod:`election.eligibility`. Nothing is
stored. Row numbers count the header as row 1, as a spreadsheet shows them.

Rows with an error are reported and left out of ``people``: a register must be corrected at the
source, not guessed at. Union membership is never read (GDPR art. 9; domain 3.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from election.eligibility import Art64Lists, EmploymentKind, PersonFacts, assess
from election.hr_export import (
    DEFAULT_MAX_BYTES,
    RegisterFileError,
    Source,
    cell_text,
    email_problem,
    open_export,
    parse_date,
)
from election.regulation import Regulation

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FIELD_SYNONYMS",
    "FieldChange",
    "ImportResult",
    "RegisterDiff",
    "RegisterEntry",
    "RegisterFileError",
    "RowError",
    "diff_registers",
    "email_problem",
    "guess_column_map",
    "import_register",
    "parse_date",
]

# Our field -> header spellings seen in HR exports, compared after normalising (see _norm).
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "employee_number": (
        "personeelsnummer",
        "personeelsnr",
        "persnr",
        "medewerkernummer",
        "werknemernummer",
        "employeenumber",
        "employeeid",
        "employeeno",
        "id",
    ),
    "first_name": ("voornaam", "roepnaam", "firstname", "givenname"),
    "prefix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "prefix", "infix"),
    "last_name": ("achternaam", "familienaam", "geslachtsnaam", "lastname", "surname"),
    "name": ("naam", "volledigenaam", "name", "fullname"),
    "email": ("email", "emailadres", "mail", "mailadres", "emailaddress"),
    "department": ("afdeling", "department", "dept"),
    "location": ("vestiging", "locatie", "location", "site"),
    "start_date": (
        "datumindienst",
        "indienst",
        "indiensttreding",
        "datumindiensttreding",
        "startdatum",
        "startdate",
        "hiredate",
        "dateofhire",
    ),
    "end_date": ("datumuitdienst", "uitdienst", "einddatum", "enddate", "leavingdate"),
    "employment_kind": (
        "dienstverband",
        "soortdienstverband",
        "contractsoort",
        "contract",
        "employmenttype",
        "employment",
    ),
    "agency_since": ("uitzendsinds", "inleensinds", "agencysince"),
    "bestuurder": ("bestuurder", "isbestuurder", "director"),
    "electoral_group": ("kiesgroep", "electoralgroup"),
    "language": ("taal", "language", "lang"),
}
REQUIRED = ("employee_number", "start_date")

_KINDS: dict[str, EmploymentKind] = {
    **dict.fromkeys(
        (
            "",
            "vast",
            "tijdelijk",
            "werknemer",
            "employee",
            "permanent",
            "temporary",
            "onbepaaldetijd",
            "bepaaldetijd",
            "oproep",
            "oproepkracht",
            "nuluren",
            "bestuurder",
            "director",
        ),
        EmploymentKind.EMPLOYEE,
    ),
    **dict.fromkeys(("uitzend", "uitzendkracht", "agency", "agencyworker", "inleen"), EmploymentKind.AGENCY_WORKER),
    **dict.fromkeys(("stagiair", "stage", "intern", "internship"), EmploymentKind.INTERN),
    **dict.fromkeys(("zzp", "zzper", "freelance", "freelancer", "zelfstandige"), EmploymentKind.FREELANCER),
    **dict.fromkeys(("overig", "other", "vrijwilliger", "volunteer"), EmploymentKind.OTHER),
}
_BESTUURDER_KINDS = frozenset({"bestuurder", "director"})
_YES = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One person in the register as read from the export, with the rights on the voting day."""

    row: int
    employee_number: str
    name: str
    email: str
    department: str
    location: str
    electoral_group: str | None
    start_date: date
    end_date: date | None
    kind: EmploymentKind
    agency_since: date | None
    bestuurder: bool
    language: str
    active: bool
    passive: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return what ``stembus register check --json`` prints for the person (no name/e-mail)."""
        return {
            "employee_number": self.employee_number,
            "row": self.row,
            "active": self.active,
            "passive": self.passive,
            "electoral_group": self.electoral_group,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in one row (or, for row 1, the header), naming the file's column."""

    row: int
    column: str | None
    message: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        """Return the error as JSON-able data."""
        return {"row": self.row, "column": self.column, "message": self.message, "code": self.code}


@dataclass(frozen=True)
class ImportResult:
    """People with their rights, the errors found, and counts per electoral group."""

    people: tuple[RegisterEntry, ...]
    errors: tuple[RowError, ...]
    rows: int
    file_kind: str
    column_map: Mapping[str, str]

    def summary(self) -> dict[str, Any]:
        """Counts per electoral group (active, passive, total) and over the whole file."""
        groups: dict[str | None, list[int]] = {}
        for p in self.people:
            g = groups.setdefault(p.electoral_group, [0, 0, 0])
            g[0] += 1
            g[1] += p.active
            g[2] += p.passive
        return {
            "rows": self.rows,
            "people": len(self.people),
            "active": sum(g[1] for g in groups.values()),
            "passive": sum(g[2] for g in groups.values()),
            "errors": len(self.errors),
            "rows_with_errors": len({e.row for e in self.errors if e.row > 1}),
            "groups": [
                {"electoral_group": k, "total": v[0], "active": v[1], "passive": v[2]}
                for k, v in sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document printed by ``stembus register check --json``."""
        return {
            "file_kind": self.file_kind,
            "column_map": dict(self.column_map),
            "people": [p.to_dict() for p in self.people],
            "errors": [e.to_dict() for e in self.errors],
            "summary": self.summary(),
        }


def _norm(header: str) -> str:
    return _NON_ALNUM.sub("", header.strip().lstrip("\ufeff").lower())


def guess_column_map(headers: Sequence[str]) -> dict[str, str]:
    """Guess which of the file's columns holds each of our fields, from the header names."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    found: dict[str, str] = {}
    for fld, spellings in FIELD_SYNONYMS.items():
        for s in spellings:
            if s in by_norm:
                found[fld] = by_norm[s]
                break
    return found


def import_register(
    source: Source,
    voting_day: date,
    regulation: Regulation | None = None,
    *,
    column_map: Mapping[str, str] | None = None,
    art64: Art64Lists | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    guess: bool = True,
) -> ImportResult:
    """Read and check an HR export, deciding each person's voting rights on ``voting_day``.

    ``column_map`` (our field -> the file's column) overrides the guess from the headers for the
    fields it names. The electoral group comes from a ``electoral_group`` column, or from the
    regulation's ``group_by`` field through its ``group_map``. Raises :class:`RegisterFileError`
    when the file as a whole is refused (too large, neither CSV nor XLSX, not UTF-8); row and
    header problems are returned as errors. With ``guess=False`` only the columns named in
    ``column_map`` are read (the committee's mapping screen decides every column itself).
    """
    reg = regulation or Regulation()
    unknown = sorted(set(column_map or {}) - set(FIELD_SYNONYMS))
    if unknown:
        raise ValueError(
            f"unknown register field(s) in the column map: {', '.join(unknown)}; known: {', '.join(FIELD_SYNONYMS)}"
        )
    with open_export(source, max_bytes) as (kind, rows):
        return _check_rows(rows, kind, voting_day, reg, column_map or {}, art64, guess)


def _check_rows(
    rows: Iterator[list[str]],
    file_kind: str,
    voting_day: date,
    reg: Regulation,
    given_map: Mapping[str, str],
    art64: Art64Lists | None,
    guess: bool = True,
) -> ImportResult:
    header = next(rows, None)
    if header is None:
        raise RegisterFileError("the file has no header row")
    header = [h.strip().lstrip("\ufeff") if isinstance(h, str) else cell_text(h) for h in header]
    cmap = guess_column_map(header) if guess else {}
    errors: list[RowError] = []
    by_norm = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
    for fld, col in given_map.items():
        if col in header or _norm(col) in by_norm:
            cmap[fld] = header[header.index(col)] if col in header else header[by_norm[_norm(col)]]
        else:
            errors.append(RowError(1, col, f"column {col!r} given for {fld} is not in the header", "column_not_found"))
    index = {fld: header.index(col) for fld, col in cmap.items()}
    for fld in REQUIRED:
        if fld not in index and fld not in given_map:
            errors.append(
                RowError(
                    1,
                    fld,
                    f"required column missing: no header for {fld} "
                    f"(tried {', '.join(FIELD_SYNONYMS[fld])}); use --map "
                    f"{fld}=COLUMN",
                    "missing_column",
                )
            )
    if "last_name" not in index and "name" not in index:
        errors.append(
            RowError(
                1,
                "last_name",
                "required column missing: no name column (achternaam or naam); use --map last_name=COLUMN",
                "missing_column",
            )
        )
    groups = frozenset(reg.electoral_groups)
    group_from = "electoral_group" if "electoral_group" in index else reg.group_by
    if group_from is not None and group_from not in index:
        errors.append(
            RowError(
                1,
                group_from,
                f"column for {group_from} missing; the electoral group is taken from it",
                "missing_column",
            )
        )
    elif groups and group_from is None:
        errors.append(
            RowError(
                1,
                "electoral_group",
                "the regulation has electoral groups but the file has no kiesgroep column and no group_by rule",
                "missing_column",
            )
        )
    if errors:
        return ImportResult((), tuple(errors), 0, file_kind, cmap)
    checker = _RowChecker(index, cmap, voting_day, reg, art64, group_from, groups)
    people: list[RegisterEntry] = []
    count = 0
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        count += 1
        entry = checker.check(number, row, errors)
        if entry is not None:
            people.append(entry)
    return ImportResult(tuple(people), tuple(errors), count, file_kind, cmap)


class _RowChecker:
    """Per-row checks with every lookup prepared once, so 100,000 rows stay fast."""

    def __init__(
        self,
        index: Mapping[str, int],
        cmap: Mapping[str, str],
        voting_day: date,
        reg: Regulation,
        art64: Art64Lists | None,
        group_from: str | None,
        groups: frozenset[str],
    ) -> None:
        self.index = dict(index)
        self.cmap = cmap
        self.voting_day = voting_day
        self.reg = reg
        self.art64 = art64
        self.group_from = group_from
        self.groups = groups
        self.group_map = dict(reg.group_map)
        self.use_map = group_from is not None and group_from != "electoral_group"
        self.seen: dict[str, int] = {}

    def _get(self, row: Sequence[str], fld: str) -> str:
        i = self.index.get(fld)
        if i is None or i >= len(row):
            return ""
        value = row[i]
        return value.strip() if isinstance(value, str) else cell_text(value)

    def _date(self, row: Sequence[str], fld: str, number: int, errors: list[RowError], required: bool) -> date | None:
        text = self._get(row, fld)
        if not text:
            if required:
                errors.append(RowError(number, self.cmap[fld], f"{fld} is empty", "empty_value"))
            return None
        try:
            return parse_date(text)
        except ValueError:
            errors.append(
                RowError(number, self.cmap[fld], f"{text!r} is not a date (use YYYY-MM-DD or DD-MM-YYYY)", "bad_date")
            )
            return None

    def check(self, number: int, row: Sequence[str], errors: list[RowError]) -> RegisterEntry | None:
        """Check one row; append its errors and return the entry when it has none."""
        before = len(errors)
        emp = self._get(row, "employee_number")
        col = self.cmap
        if not emp:
            errors.append(RowError(number, col["employee_number"], "employee number is empty", "empty_value"))
        elif emp in self.seen:
            errors.append(
                RowError(
                    number,
                    col["employee_number"],
                    f"duplicate employee number {emp} (first in row {self.seen[emp]})",
                    "duplicate_employee_number",
                )
            )
        else:
            self.seen[emp] = number
        full = self._get(row, "name")
        if not full:
            full = " ".join(
                p for p in (self._get(row, "first_name"), self._get(row, "prefix"), self._get(row, "last_name")) if p
            )
        if not full:
            errors.append(RowError(number, col.get("last_name") or col.get("name"), "name is empty", "empty_name"))
        email = self._get(row, "email")
        if email:
            problem = email_problem(email)
            if problem:
                errors.append(
                    RowError(
                        number, col["email"], f"{email!r} is not a valid e-mail address: {problem}", "invalid_email"
                    )
                )
        start = self._date(row, "start_date", number, errors, required=True)
        end = self._date(row, "end_date", number, errors, required=False)
        since = self._date(row, "agency_since", number, errors, required=False)
        kind_text = self._get(row, "employment_kind")
        kind_key = _NON_ALNUM.sub("", kind_text.lower())
        kind = _KINDS.get(kind_key)
        if kind is None:
            errors.append(
                RowError(
                    number, col["employment_kind"], f"unknown employment kind {kind_text!r}", "unknown_employment_kind"
                )
            )
        bestuurder = kind_key in _BESTUURDER_KINDS or self._get(row, "bestuurder").lower() in _YES
        group = self._group(row, number, errors)
        if len(errors) > before or start is None or kind is None:
            return None
        facts = PersonFacts(emp, start, kind, bestuurder, end, since)
        rights = assess(facts, self.voting_day, self.reg, self.art64)
        return RegisterEntry(
            number,
            emp,
            full,
            email,
            self._get(row, "department"),
            self._get(row, "location"),
            group,
            start,
            end,
            kind,
            since,
            bestuurder,
            self._get(row, "language"),
            rights.active,
            rights.passive,
            rights.reasons,
        )

    def _group(self, row: Sequence[str], number: int, errors: list[RowError]) -> str | None:
        if self.group_from is None:
            return None
        value = self._get(row, self.group_from)
        column = self.cmap.get(self.group_from, self.group_from)
        group: str | None = value
        if self.use_map:
            # WOR art. 9 lid 3: the regulation assigns departments or sites to electoral groups.
            group = self.group_map.get(value)
            if group is None:
                errors.append(
                    RowError(
                        number,
                        column,
                        f"{self.group_from} {value!r} is not assigned to an electoral group",
                        "unknown_electoral_group",
                    )
                )
                return None
        if self.groups and group not in self.groups:
            errors.append(
                RowError(
                    number,
                    column,
                    f"unknown electoral group {group!r}; the regulation has {', '.join(sorted(self.groups))}",
                    "unknown_electoral_group",
                )
            )
            return None
        return group or None


@dataclass(frozen=True)
class FieldChange:
    """One field of one person that differs between two imports."""

    employee_number: str
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class RegisterDiff:
    """What a re-import would change: people added, removed, and changed field by field."""

    added: tuple[RegisterEntry, ...]
    removed: tuple[RegisterEntry, ...]
    changed: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the preview as JSON-able data (employee numbers and changed values only)."""

        def show(v: object) -> object:
            if isinstance(v, date):
                return v.isoformat()
            if isinstance(v, EmploymentKind):
                return v.value
            if isinstance(v, tuple):
                return list(v)
            return v

        return {
            "added": [p.employee_number for p in self.added],
            "removed": [p.employee_number for p in self.removed],
            "changed": [
                {"employee_number": c.employee_number, "field": c.field, "old": show(c.old), "new": show(c.new)}
                for c in self.changed
            ],
        }


_COMPARED = tuple(f.name for f in fields(RegisterEntry) if f.name not in ("row", "employee_number"))


def diff_registers(old: Iterable[RegisterEntry], new: Iterable[RegisterEntry]) -> RegisterDiff:
    """Compare two imports by employee number, for the committee's re-import preview."""
    before = {p.employee_number: p for p in old}
    after = {p.employee_number: p for p in new}
    added = tuple(p for k, p in after.items() if k not in before)
    removed = tuple(p for k, p in before.items() if k not in after)
    changed = tuple(
        FieldChange(k, name, getattr(before[k], name), getattr(p, name))
        for k, p in after.items()
        if k in before
        for name in _COMPARED
        if getattr(before[k], name) != getattr(p, name)
    )
    return RegisterDiff(added, removed, changed)
