"""``stembus retention run``: delete personal data after the objection windows, the record after its period.

    stembus retention run [--election ID] [--dry-run] [--json]

Without ``--election`` every election is looked at (for a daily timer): what is due is deleted, the
rest is reported with the day it becomes due. With ``--election`` the command refuses (exit 1,
nothing changed) when nothing of that election may go yet, naming why. ``--dry-run`` lists what
would go and changes nothing. Running again after a run finds nothing left: the command is
idempotent. The rules are in :mod:`election.retention`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from sqlalchemy import select

from election.cli import main

EXIT_REFUSED = 1


def _describe(plan: dict[str, Any], dry_run: bool) -> list[str]:
    lines = [f"election {plan['election']} ({plan['organisation']}):"]
    for part in plan["parts"]:
        what = "personal data" if part["kind"] == "personal_data" else "anonymous record"
        items = ", ".join(f"{k} {v}" for k, v in part["items"].items() if v) or "nothing left"
        if part["blockers"]:
            reasons = "; ".join(b["message"] for b in part["blockers"])
            lines.append(f"  {what}: kept ({reasons})")
        elif dry_run:
            lines.append(f"  {what}: due since {part['due_from']}; would delete: {items}")
        else:
            lines.append(f"  {what}: deleted: {items}")
    return lines


@main.group()
def retention() -> None:
    """Retention: personal data and the election record after their periods."""


@retention.command("run")
@click.option("--election", "election_id", type=int, default=None, help="Only this election (its id).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def retention_run(election_id: int | None, dry_run: bool, as_json: bool) -> None:
    """Delete what is due: personal data after the objection windows, the record after the retention period."""
    from admin.app import create_app
    from election import retention as rt
    from election.models import Election

    app = create_app()
    clock = app.config["CLOCK"]
    now, today = clock.now(), clock.today()
    sessions = app.extensions["stembus_sessions"]
    plans: list[dict[str, Any]] = []
    refused = False
    try:
        with sessions() as db:
            ids = (
                [election_id]
                if election_id is not None
                else list(db.scalars(select(Election.id).order_by(Election.id)))
            )
        for eid in ids:
            with sessions() as db:
                election = db.get(Election, eid)
                if election is None:
                    click.echo(f"error: there is no election {eid}", err=True)
                    sys.exit(EXIT_REFUSED)
                plan = rt.plan(db, election, today)
                nothing_due = not any(p.due for p in plan.parts)
                if election_id is not None and nothing_due:
                    refused = True
                elif not dry_run:
                    rt.apply(db, election, "retention-run", now, today)
                    db.commit()
                plans.append(plan.to_dict())
    finally:
        app.extensions["stembus_engine"].dispose()
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "today": today.isoformat(), "elections": plans}, indent=2))
    else:
        for plan_doc in plans:
            click.echo("\n".join(_describe(plan_doc, dry_run)))
    if refused:
        part = plans[0]["parts"][0]
        reasons = "; ".join(b["message"] for b in part["blockers"])
        click.echo(f"error: refused, nothing deleted: personal data of election {election_id}: {reasons}", err=True)
        sys.exit(EXIT_REFUSED)
