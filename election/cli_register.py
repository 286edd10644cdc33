"""``stembus register check``: read an HR export and show the register it would give."""

from __future__ import annotations

from datetime import date

import click

from election.cli_common import DATE, fail, print_json, regulation_option
from election.eligibility import describe
from election.register_import import (
    DEFAULT_MAX_BYTES,
    FIELD_SYNONYMS,
    RegisterFileError,
    import_register,
)


@click.group("register")
def register_group() -> None:
    """The electoral register (kiesregister)."""


def _column_map(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            fail(f"--map {pair!r}: write it as field=column, e.g. start_date=Hired on")
        if name.strip() not in FIELD_SYNONYMS:
            fail(f"--map {pair!r}: unknown field {name.strip()!r}; known fields: {', '.join(FIELD_SYNONYMS)}")
        out[name.strip()] = column.strip()
    return out


@register_group.command("check")
@click.argument("file", type=str)
@click.option("--voting-day", type=DATE, required=True, help="Voting day V; rights count on V.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Which column holds a field, when the header is not recognised.",
)
@click.option(
    "--regulation",
    "regulation_file",
    type=str,
    default=None,
    help="Regulation profile (JSON or TOML); the SER model defaults otherwise.",
)
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_MAX_BYTES / 1024 / 1024,
    show_default=True,
    help="Refuse files larger than this.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def check_command(
    file: str,
    voting_day: date,
    maps: tuple[str, ...],
    regulation_file: str | None,
    max_mb: float,
    as_json: bool,
) -> None:
    """Check an HR export (CSV or XLSX) without storing anything.

    Exits with status 1 when the file is refused or any row has an error.
    """
    reg = regulation_option(regulation_file)
    try:
        result = import_register(
            file, voting_day, reg, column_map=_column_map(maps), max_bytes=int(max_mb * 1024 * 1024)
        )
    except RegisterFileError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(result.to_dict())
    else:
        s = result.summary()
        click.echo(
            f"{file}: {s['rows']} rows, {s['people']} people, "
            f"{s['active']} may vote, {s['passive']} may stand, {s['errors']} errors "
            f"(voting day {voting_day.isoformat()})"
        )
        for g in s["groups"]:
            name = g["electoral_group"] or "(whole company)"
            click.echo(f"  {name}: {g['total']} people, {g['active']} active, {g['passive']} passive")
        reasons: dict[str, int] = {}
        for p in result.people:
            for code in p.reasons:
                reasons[code] = reasons.get(code, 0) + 1
        for code, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {n:6d} x {describe([code])[0]}")
        for e in result.errors:
            where = f"row {e.row}" + (f", column {e.column}" if e.column else "")
            click.echo(f"  {where}: {e.message}")
    if result.errors:
        click.echo(f"error: {file}: {len(result.errors)} problem(s) in the register", err=True)
        raise SystemExit(1)
