"""Drawing up the stored electoral register from an HR export, one import batch at a time.

A batch goes upload -> column mapping -> checks -> preview -> apply (or cancel). Nothing reaches
the register until the committee applies a batch whose file has no errors, or whose erroneous rows
the committee chose to skip by number; applying happens in the caller's single transaction, so a
failure leaves the register as it was. The uploaded file lives on the batch only while it is open.
Rights are decided on the election's voting day under its regulation (WOR art. 6; domain 8.6).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from election import audit_log
from election.eligibility import Art64Lists
from election.hr_export import RegisterFileError, cell_text, open_export
from election.models import CommitteeMember, Election, RegisterImport, RegisterPerson
from election.procedure import Phase, precedes
from election.procedure_store import regulation_of
from election.register_import import (
    ImportResult,
    RegisterDiff,
    RegisterEntry,
    diff_registers,
    guess_column_map,
    import_register,
)
from election.register_overview import stored_entries

OPEN_STATUSES = ("uploaded", "mapped", "checked")
GROUP_SOURCES = ("column", "rule", "none")
GROUP_RULE_FIELDS = ("department", "location")
MAX_RULE_VALUES = 300
_CHUNK = 500


class RegisterFinal(Exception):
    """The register is final (or the election past it): no import may change it any more."""


class FileTooLarge(Exception):
    """The upload exceeds the configured limit (``limit`` bytes)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class FileRefused(Exception):
    """The file as a whole cannot be read as a CSV or XLSX export; ``detail`` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ChecksNotPassed(Exception):
    """The file still has errors the committee has not chosen to skip (or header errors)."""


class BatchClosed(Exception):
    """The batch was already applied or cancelled (for instance by another committee member)."""


def register_open(election: Election) -> bool:
    """Whether the register may still be (re)imported: only before it is final."""
    return precedes(Phase(election.phase), Phase.REGISTER_FINAL)


def _require_open(election: Election) -> None:
    if not register_open(election):
        raise RegisterFinal


def _read_header(data: bytes, max_bytes: int) -> tuple[str, list[str]]:
    try:
        with open_export(data, max_bytes) as (kind, rows):
            header = next(rows, None)
    except RegisterFileError as exc:
        raise FileRefused(str(exc)) from None
    if not header or not any(h.strip() for h in header):
        raise FileRefused("the file has no header row")
    return kind, [cell_text(h).lstrip("\ufeff") for h in header]


def start_import(
    db: Session,
    election: Election,
    actor: CommitteeMember,
    file_name: str,
    data: bytes,
    now: datetime,
    max_bytes: int,
) -> RegisterImport:
    """Keep an uploaded export on a new batch, with the column mapping guessed from its header.

    Any earlier open batch of the election is cancelled (its file erased). Raises
    :class:`RegisterFinal`, :class:`FileTooLarge` or :class:`FileRefused`; nothing is stored then.
    """
    _require_open(election)
    if len(data) > max_bytes:
        raise FileTooLarge(max_bytes)
    kind, header = _read_header(data, max_bytes)
    for old in open_batches(db, election.id):
        _close(old, "cancelled", actor, now)
    sha = hashlib.sha256(data).hexdigest()
    batch = RegisterImport(
        election_id=election.id,
        file_name=file_name[-255:] or "upload",
        file_kind=kind,
        file_sha256=sha,
        file_size=len(data),
        file_data=data,
        uploaded_by=actor.id,
        uploaded_at=now,
        column_map=json.dumps(guess_column_map(header)),
        group_rule=json.dumps(_default_rule(election, header)),
        skip_rows="[]",
        summary="{}",
        status="uploaded",
    )
    db.add(batch)
    db.flush()
    audit_log.record(
        db,
        actor.email,
        "register_import_uploaded",
        election_id=election.id,
        batch=batch.id,
        file=batch.file_name,
        sha256=sha,
        size=len(data),
    )
    return batch


def _default_rule(election: Election, header: list[str]) -> dict[str, Any]:
    if "electoral_group" in guess_column_map(header) or len(election.groups) > 1:
        return {"source": "column"}
    return {"source": "none"}


def open_batches(db: Session, election_id: int) -> list[RegisterImport]:
    """The election's import batches that are neither applied nor cancelled."""
    query = select(RegisterImport).where(
        RegisterImport.election_id == election_id, RegisterImport.status.in_(OPEN_STATUSES)
    )
    return list(db.scalars(query))


def _close(batch: RegisterImport, status: str, actor: CommitteeMember, now: datetime) -> None:
    batch.status = status
    batch.file_data = None  # the personal data in the upload is not kept beyond the flow
    batch.finished_by = actor.id
    batch.finished_at = now


def open_batch(db: Session, election: Election, batch_id: int) -> RegisterImport | None:
    """The election's batch ``batch_id`` if it is still open, else None."""
    batch = db.get(RegisterImport, batch_id)
    if batch is None or batch.election_id != election.id or batch.status not in OPEN_STATUSES:
        return None
    return batch


def file_header(batch: RegisterImport) -> list[str]:
    """The column names in the batch's file, in file order."""
    return _read_header(batch.file_data or b"", max(batch.file_size, 1))[1]


def column_values(batch: RegisterImport, column: str) -> list[str]:
    """The distinct values of one column of the batch's file, sorted (at most MAX_RULE_VALUES + 1)."""
    header = file_header(batch)
    if column not in header:
        return []
    index = header.index(column)
    found: set[str] = set()
    with open_export(batch.file_data or b"", max(batch.file_size, 1)) as (_kind, rows):
        next(rows, None)
        for row in rows:
            if index < len(row) and any(row):
                found.add(cell_text(row[index]))
                if len(found) > MAX_RULE_VALUES:
                    break
    return sorted(found)


def column_map(batch: RegisterImport) -> dict[str, str]:
    """Our field -> the file's column, as last saved on the batch."""
    data: dict[str, str] = json.loads(batch.column_map)
    return data


def group_rule(batch: RegisterImport) -> dict[str, Any]:
    """How electoral groups are assigned: ``source`` column, rule (``by`` and ``map``) or none."""
    data: dict[str, Any] = json.loads(batch.group_rule)
    return data


def skipped_rows(batch: RegisterImport) -> list[int]:
    """The row numbers the committee chose to leave out."""
    data: list[int] = json.loads(batch.skip_rows)
    return data


def save_mapping(
    db: Session, batch: RegisterImport, actor: str, mapping: Mapping[str, str], rule: Mapping[str, Any]
) -> None:
    """Store the committee's column mapping and group rule; earlier check results no longer hold."""
    batch.column_map = json.dumps({k: v for k, v in mapping.items() if v})
    batch.group_rule = json.dumps(dict(rule))
    batch.skip_rows = "[]"
    batch.status = "mapped"
    audit_log.record(
        db,
        actor,
        "register_import_mapped",
        election_id=batch.election_id,
        batch=batch.id,
        column_map=json.loads(batch.column_map),
        group_rule=dict(rule),
    )


def check_batch(election: Election, batch: RegisterImport) -> ImportResult:
    """Read and check the batch's file with its mapping, on the voting day under the regulation."""
    rule = group_rule(batch)
    groups = tuple(g.name for g in election.groups)
    reg = regulation_of(election)
    mapping = column_map(batch)
    if rule.get("source") == "rule":
        assignment = {k: v for k, v in rule.get("map", {}).items() if v in groups}
        reg = dataclasses.replace(
            reg, electoral_groups=groups, group_by=rule.get("by"), group_map=tuple(sorted(assignment.items()))
        )
        mapping.pop("electoral_group", None)
    elif rule.get("source") == "column":
        reg = dataclasses.replace(reg, electoral_groups=groups, group_by=None, group_map=())
    else:
        reg = dataclasses.replace(reg, electoral_groups=(), group_by=None, group_map=())
        mapping.pop("electoral_group", None)
    try:
        result = import_register(
            batch.file_data or b"",
            election.voting_day,
            reg,
            column_map=mapping,
            max_bytes=max(batch.file_size, 1),
            guess=False,
            # WOR art. 6 lid 4: the agreed additions to and exclusions from the electorate.
            art64=Art64Lists(included=frozenset(reg.art64_included), excluded=frozenset(reg.art64_excluded)),
        )
    except RegisterFileError as exc:
        raise FileRefused(str(exc)) from None
    if rule.get("source") == "none" and len(groups) == 1:
        # One electoral group: everyone is in it, so a re-import compares like with like.
        people = tuple(dataclasses.replace(p, electoral_group=groups[0]) for p in result.people)
        result = dataclasses.replace(result, people=people)
    return result


def accept_checks(db: Session, batch: RegisterImport, actor: str, result: ImportResult, skip_named_rows: bool) -> None:
    """Mark the batch ready for preview: no errors, or only row errors the committee skips.

    Raises :class:`ChecksNotPassed` when the header has errors (fix the mapping) or row errors
    remain that the committee did not choose to skip.
    """
    rows = sorted({e.row for e in result.errors})
    if 1 in rows or (rows and not skip_named_rows):
        raise ChecksNotPassed
    batch.skip_rows = json.dumps(rows)
    batch.status = "checked"
    audit_log.record(
        db,
        actor,
        "register_import_checked",
        election_id=batch.election_id,
        batch=batch.id,
        people=len(result.people),
        skipped_rows=rows,
    )


@dataclass(frozen=True)
class Preview:
    """What applying a batch would store: the checked file and, on a re-import, the difference."""

    result: ImportResult
    diff: RegisterDiff | None


def preview(db: Session, election: Election, batch: RegisterImport) -> Preview:
    """Check the batch again and compare it with the stored register (None diff on a first import)."""
    result = check_batch(election, batch)
    _require_checked(batch, result)
    old = stored_entries(db, election)
    return Preview(result, diff_registers(old, result.people) if old else None)


def _require_checked(batch: RegisterImport, result: ImportResult) -> None:
    if batch.status != "checked" or sorted({e.row for e in result.errors}) != skipped_rows(batch):
        raise ChecksNotPassed


def apply_import(
    db: Session, election: Election, batch: RegisterImport, actor: CommitteeMember, now: datetime
) -> dict[str, int]:
    """Write the batch into the register inside the caller's transaction and close the batch.

    People are matched on employee number: new ones are added, missing ones removed, and the
    others updated in place (their self-check links stay valid). Returns the counts that were
    audit-logged. Raises :class:`RegisterFinal`, :class:`BatchClosed` or :class:`ChecksNotPassed`.
    """
    _require_open(election)
    claimed = db.execute(
        update(RegisterImport)
        .where(RegisterImport.id == batch.id, RegisterImport.status == "checked")
        .values(status="checked")
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise BatchClosed
    found = preview(db, election, batch)
    group_ids = {g.name: g.id for g in election.groups}
    only = election.groups[0].id if len(election.groups) == 1 else None
    existing = {
        p.employee_number: p.id
        for p in db.scalars(select(RegisterPerson).where(RegisterPerson.election_id == election.id))
    }
    rows = [_row(p, election.id, group_ids.get(p.electoral_group or "", only), now) for p in found.result.people]
    new_rows = [r for r in rows if r["employee_number"] not in existing]
    kept = [{**r, "id": existing[r["employee_number"]]} for r in rows if r["employee_number"] in existing]
    gone = [pid for number, pid in existing.items() if number not in {r["employee_number"] for r in rows}]
    for i in range(0, len(gone), _CHUNK):
        db.execute(delete(RegisterPerson).where(RegisterPerson.id.in_(gone[i : i + _CHUNK])))
    if kept:
        db.execute(update(RegisterPerson), kept)
    if new_rows:
        db.execute(insert(RegisterPerson), new_rows)
    counts = {
        "people": len(rows),
        "added": len(new_rows),
        "removed": len(gone),
        "changed": len({c.employee_number for c in found.diff.changed}) if found.diff else 0,
        "skipped_rows": len(skipped_rows(batch)),
    }
    batch.summary = json.dumps({**counts, **{k: v for k, v in found.result.summary().items() if k != "groups"}})
    _close(batch, "applied", actor, now)
    audit_log.record(
        db,
        actor.email,
        "register_import_applied",
        election_id=election.id,
        batch=batch.id,
        file=batch.file_name,
        sha256=batch.file_sha256,
        **counts,
    )
    return counts


def _row(p: RegisterEntry, election_id: int, group_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "election_id": election_id,
        "employee_number": p.employee_number,
        "name": p.name,
        "email": p.email,
        "department": p.department,
        "location": p.location,
        "language": p.language,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "employment_kind": p.kind.value,
        "agency_since": p.agency_since,
        "bestuurder": p.bestuurder,
        "electoral_group_id": group_id,
        "active": p.active,
        "passive": p.passive,
        "reasons": " ".join(p.reasons),
        "updated_at": now,
    }


def cancel_import(db: Session, batch: RegisterImport, actor: CommitteeMember, now: datetime) -> None:
    """Abandon an open batch: its file is erased and nothing reaches the register."""
    _close(batch, "cancelled", actor, now)
    audit_log.record(db, actor.email, "register_import_cancelled", election_id=batch.election_id, batch=batch.id)
