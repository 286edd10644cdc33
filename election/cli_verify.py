"""``stembus verify`` and ``stembus simulate``: the auditor's verifier and the record generator.

These two commands are the only place where the crypto library meets ``election.seats``: the seat
allocation is handed to the verifier (and the simulator) as a plain callable, so ``crypto`` never
imports the election domain.

Exit codes of ``verify``: 0 the record is valid, 1 a check failed, 2 the record cannot be read
(malformed, missing, wrong container). Errors go to stderr as one line; never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def allocate_seats(doc: dict[str, Any]) -> dict[str, Any]:
    """The seat allocation of ``stembus seats``, from its input document to its output document."""
    from election.seats import allocate, parse_contest

    return allocate(parse_contest(doc)).to_dict()


@click.command("verify")
@click.argument("record", type=click.Path(path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")
def verify_command(record: Path, jobs: int | None, as_json: bool, quiet: bool) -> None:
    """Re-check every step of an election from its published RECORD (a directory or a .zip)."""
    from crypto.record_schema import RecordError
    from crypto.verifier import verify_record

    progress = not quiet and not as_json and sys.stderr.isatty()
    try:
        report = verify_record(record, seat_allocator=allocate_seats, jobs=jobs, progress=progress)
    except RecordError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=False))
    else:
        click.echo(report.render())
    if not report.valid:
        for name in report.failed():
            click.echo(f"failed: {name}: {report[name].detail()}", err=True)
        sys.exit(EXIT_INVALID)


@click.command("simulate")
@click.option("--voters", type=click.IntRange(min=1), required=True, help="Voters (ballots cast).")
@click.option("--candidates", type=click.IntRange(min=1), required=True, help="Candidates per group.")
@click.option("--groups", type=click.IntRange(min=1, max=50), default=1, show_default=True)
@click.option("--trustees", type=click.IntRange(min=1, max=50), default=3, show_default=True)
@click.option("--threshold", type=click.IntRange(min=1, max=50), default=2, show_default=True)
@click.option("--lists", type=click.IntRange(min=1), default=None, help="Candidate lists per group.")
@click.option("--system", type=click.Choice(["list", "person"]), default="list", show_default=True)
@click.option("--challenged", type=click.IntRange(min=0), default=2, show_default=True)
@click.option("--turnout", type=click.FloatRange(0.0, 1.0), default=1.0, show_default=True)
@click.option("--seed", type=str, default=None, help="Make the run reproducible.")
@click.option(
    "--replacements",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Voters whose lost code is revoked and replaced while voting is open.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes (default: all cores).")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Directory or .zip.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def simulate_command(
    voters: int,
    candidates: int,
    groups: int,
    trustees: int,
    threshold: int,
    lists: int | None,
    system: str,
    challenged: int,
    turnout: float,
    seed: str | None,
    replacements: int,
    jobs: int | None,
    out: Path,
    as_json: bool,
) -> None:
    """Run a whole election through the real cryptography and write its record to --out."""
    from crypto.simulate import SimulationError, SimulationParams, simulate

    if threshold > trustees:
        click.echo("error: --threshold cannot exceed --trustees", err=True)
        sys.exit(EXIT_UNREADABLE)
    params = SimulationParams(
        voters=voters,
        candidates=candidates,
        groups=groups,
        trustees=trustees,
        threshold=threshold,
        lists=lists,
        system=system,
        challenged=challenged,
        turnout=turnout,
        seed=seed,
        jobs=jobs,
        replacements=replacements,
    )
    try:
        summary = simulate(params, out, seat_allocator=allocate_seats)
    except (SimulationError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(f"wrote {out}: {summary['ballots']} ballots in {summary['groups']} group(s)")
