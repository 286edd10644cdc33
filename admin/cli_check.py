"""``stembus check``: re-check every database invariant of the configured instance."""

from __future__ import annotations

import json
import sys

import click

from election.invariants import CheckContext, Outcome, check_database, registered


def _report_json(outcomes: list[Outcome], checked_at: str) -> str:
    document = {
        "ok": all(outcome.ok for outcome in outcomes),
        "checked_at": checked_at,
        "invariants": [
            {"name": o.name, "description": o.description, "ok": o.ok, "breaches": o.breaches} for o in outcomes
        ],
        "breaches": [{"invariant": o.name, "detail": detail} for o in outcomes for detail in o.breaches],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _report_text(outcomes: list[Outcome]) -> str:
    width = max((len(outcome.name) for outcome in outcomes), default=0)
    lines = []
    for outcome in outcomes:
        lines.append(f"{'ok' if outcome.ok else 'BREACH':<7}{outcome.name:<{width}}  {outcome.description}")
        lines.extend(f"{'':<7}{'':<{width}}  - {detail}" for detail in outcome.breaches)
    return "\n".join(lines)


@click.command("check")
@click.option("--only", "only", multiple=True, metavar="NAME", help="Check only this invariant (repeatable).")
@click.option("--list", "list_only", is_flag=True, help="List the invariants without checking them.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
def check_command(only: tuple[str, ...], list_only: bool, as_json: bool) -> None:
    """Re-check every database invariant; exit 1 naming each breach.

    Read-only: it changes nothing and can run at any time, also while voting is open.
    """
    if list_only:
        items = [{"name": item.name, "description": item.description} for item in registered()]
        lines = (f"{item['name']}  {item['description']}" for item in items)
        click.echo(json.dumps(items, indent=2) if as_json else "\n".join(lines))
        return
    from admin.app import create_app

    app = create_app()
    now = app.config["CLOCK"].now()
    context = CheckContext(now=now, mail_claim_timeout=app.config["MAIL_CLAIM_TIMEOUT"])
    try:
        outcomes = check_database(app.extensions["stembus_sessions"], context, only)
    except KeyError as error:
        raise click.UsageError(f"no invariant named {error.args[0]} (see stembus check --list)") from error
    finally:
        app.extensions["stembus_engine"].dispose()
    click.echo(_report_json(outcomes, now.isoformat()) if as_json else _report_text(outcomes))
    broken = [outcome for outcome in outcomes if not outcome.ok]
    if broken:
        count = sum(len(outcome.breaches) for outcome in broken)
        names = ", ".join(outcome.name for outcome in broken)
        click.echo(f"stembus check: {count} breach(es) of {len(broken)} invariant(s): {names}", err=True)
        sys.exit(1)
