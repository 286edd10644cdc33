"""``stembus seats``: seat allocation for one contest from its counts."""

from __future__ import annotations

import json
import sys

import click

from election.cli_common import fail, print_json
from election.seats import SeatInputError, allocate, parse_contest


@click.command("seats")
@click.argument("input_file", metavar="INPUT.json", type=str)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def seats_command(input_file: str, as_json: bool) -> None:
    """Allocate the seats of one electoral group from INPUT.json ('-' reads stdin)."""
    try:
        if input_file == "-":
            text = sys.stdin.read()
        else:
            with open(input_file, encoding="utf-8-sig") as fh:
                text = fh.read()
    except OSError as exc:
        fail(f"{input_file}: cannot read file ({exc.strerror})")
        return
    except UnicodeDecodeError:
        fail(f"{input_file}: not UTF-8 text")
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{input_file}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    try:
        contest = parse_contest(doc)
    except SeatInputError as exc:
        fail(f"{input_file}: {exc}")
        return
    result = allocate(contest)
    if as_json:
        print_json(result.to_dict())
        return
    quota = "-" if result.quota is None else f"{result.quota} ({float(result.quota):.2f})"
    click.echo(
        f"{contest.seats} seats, {result.valid_votes} valid votes, quota {quota}, "
        f"{contest.blank} blank, {contest.invalid} invalid"
    )
    for r in result.lists:
        extra = f", {r.surplus_seats} surplus" if r.surplus_seats else ""
        extra += f", {r.redistributed_seats} passed on" if r.redistributed_seats else ""
        click.echo(
            f"  {r.id}: {r.votes} votes, {r.full_seats} full + {r.remainder_seats} remainder = {r.seats} seats{extra}"
        )
        click.echo(f"    elected: {', '.join(r.elected) or '-'}")
        click.echo(f"    reserves: {', '.join(r.reserves) or '-'}")
    if contest.system == "person":
        click.echo(f"  elected: {', '.join(result.elected) or '-'}")
        click.echo(f"  reserves: {', '.join(result.reserves) or '-'}")
    for e in result.earmarks:
        unfilled = f", {e.unfilled} unfilled" if e.unfilled else ""
        click.echo(f"  earmark {e.id}: {e.seats} reserved{unfilled}, elected: {', '.join(e.elected) or '-'}")
    if result.vacant_seats:
        click.echo(f"  vacant seats: {result.vacant_seats}")
    for lot in result.lots:
        click.echo(f"  lot for {lot.label} among {', '.join(lot.among)}: {lot.winner}")
