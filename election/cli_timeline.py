"""``stembus timeline``: the legal timetable from a voting day."""

from __future__ import annotations

from datetime import date

import click

from election.cli_common import DATE, print_json, regulation_option
from election.timeline import compute_timeline


@click.command("timeline")
@click.option("--voting-day", type=DATE, required=True, help="First voting day V.")
@click.option("--term-end", type=DATE, default=None, help="End of the sitting council's term E.")
@click.option(
    "--regulation",
    "regulation_file",
    type=str,
    default=None,
    help="Regulation profile (JSON or TOML); the SER model defaults otherwise.",
)
@click.option(
    "--voting-days",
    type=click.IntRange(min=1),
    default=None,
    help="Length of the voting period in days (default: the regulation's).",
)
@click.option(
    "--today", type=DATE, default=None, hidden=True, help="Reference date for warnings (default: the system date)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def timeline_command(
    voting_day: date,
    term_end: date | None,
    regulation_file: str | None,
    voting_days: int | None,
    today: date | None,
    as_json: bool,
) -> None:
    """Print the election timetable counted back from the voting day.

    Exits with status 1 when the timetable breaks the regulation (the errors go to stderr).
    """
    reg = regulation_option(regulation_file)
    tl = compute_timeline(voting_day, reg, term_end=term_end, today=today or date.today(), voting_days=voting_days)
    if as_json:
        print_json(tl.to_dict())
    else:
        click.echo(
            f"Timetable for voting day {voting_day.isoformat()} "
            f"({reg.candidacy_mode} candidacy, regulation version {reg.version})"
        )
        width = max(len(s.key) for s in tl.steps)
        for s in tl.steps:
            click.echo(f"  {s.date.isoformat()}  {s.date.strftime('%a')}  {s.key.ljust(width)}  {s.basis}")
        for w in tl.warnings:
            click.echo(f"warning: {w.message}")
    for e in tl.errors:
        click.echo(f"error: {e.message}", err=True)
    if tl.errors:
        raise SystemExit(1)
