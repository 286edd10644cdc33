"""Operator commands (database, demo, accounts) added to the ``stembus`` command line."""

from __future__ import annotations

import mailbox
import secrets
from pathlib import Path

import click

# Importing these registers ``stembus retention run``, ``stembus trustee`` and its decrypt.
from admin import cli_retention, cli_trustee, cli_trustee_decrypt  # noqa: F401
from admin.cli_check import check_command
from election.cli import main

main.add_command(check_command)


def _app():  # type: ignore[no-untyped-def]
    from admin.app import create_app

    return create_app()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from election.migrate import upgrade

    app = _app()
    upgrade(app.config["STEMBUS_DATABASE_URL"])
    click.echo("Database is up to date.")


@main.group()
def demo() -> None:
    """A demonstration election."""


@demo.command("seed")
def demo_seed() -> None:
    """Create (or refresh) the demo committee and election, and print how to sign in."""
    from admin.demo import seed

    app = _app()
    with app.app_context():
        demo_seed = seed(app)
    click.echo("\nStembus demo on http://127.0.0.1:8000/")
    click.echo("Committee sign-in (password, then the TOTP code from an authenticator app with this secret):")
    for account in demo_seed.accounts:
        click.echo(
            f"  {account.role:<10} {account.email:<28} password: {account.password}  TOTP secret: {account.totp_secret}"
        )
    voting = demo_seed.voting
    click.echo(f"\nVoting is open in the demo election of {voting.organisation}. Demo voting codes (each works once):")
    for demo_code in voting.codes:
        click.echo(f"  {demo_code.group:<10} {demo_code.code}   {demo_code.booth_url}")
    click.echo("Key share backups of the demo trustees, for counting with `stembus trustee decrypt` (demo only):")
    for held in voting.trustees:
        click.echo(f"  {held.email:<28} {held.backup}  passphrase: {held.passphrase}")
    click.echo("")


@main.group()
def member() -> None:
    """Committee accounts."""


@member.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["chair", "member", "secretary", "auditor", "it_operator"]), required=True)
def member_add(email: str, name: str, role: str) -> None:
    """Create a committee account with a random password; prints the password and TOTP secret once."""
    from admin.accounts import AccountError, create_member
    from election import audit_log
    from election.models.committee import Role

    app = _app()
    password = secrets.token_urlsafe(12)
    with app.extensions["stembus_sessions"]() as session:
        try:
            account, totp_secret = create_member(
                session,
                email=email,
                name=name,
                role=Role(role),
                password=password,
                secret_key=app.config["SECRET_KEY"],
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from error
        audit_log.record(session, "cli", "member_added", email=account.email, role=role)
        session.commit()
    click.echo(f"{email}: password {password}  TOTP secret {totp_secret}")


@main.group()
def mail() -> None:
    """The outgoing mail queue (outbox)."""


@mail.command("send")
@click.option("--loop", is_flag=True, help="Keep running, polling the outbox, until stopped (SIGTERM or Ctrl-C).")
@click.option("--batch-size", type=click.IntRange(min=1), help="Messages per SMTP connection (MAIL_BATCH_SIZE).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def mail_send(loop: bool, batch_size: int | None, as_json: bool) -> None:
    """Deliver the due messages of the outbox once, or keep delivering with --loop."""
    import contextlib
    import json
    import signal

    from election.mail import DeliveryReport, RetryPolicy, deliver_pending, run_worker, sender_from_config

    app = _app()
    config = app.config
    sessions = app.extensions["stembus_sessions"]
    sender = sender_from_config(config)
    size = batch_size or int(config["MAIL_BATCH_SIZE"])
    policy = RetryPolicy(max_attempts=int(config["MAIL_MAX_ATTEMPTS"]), claim_timeout=config["MAIL_CLAIM_TIMEOUT"])

    def show(report: DeliveryReport) -> None:
        counts = {"sent": report.sent, "retrying": report.retrying, "failed": report.failed, "skipped": report.skipped}
        click.echo(json.dumps(counts) if as_json else ", ".join(f"{k} {v}" for k, v in counts.items()))

    if not loop:
        show(deliver_pending(sessions, sender, size, clock=config["CLOCK"], policy=policy))
        return
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with contextlib.suppress(KeyboardInterrupt):
        run_worker(
            sessions,
            sender,
            batch_size=size,
            poll_interval=float(config["MAIL_POLL_INTERVAL"]),
            clock=config["CLOCK"],
            policy=policy,
            should_stop=lambda: bool(stopping),
            on_report=show,
        )


@mail.command("bounces")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def mail_bounces(path: Path, as_json: bool) -> None:
    """Read bounce reports from an mbox file or Maildir and mark the messages they name as refused."""
    import json

    from election.mail_bounce_store import record_bounces
    from election.mail_bounces import mailbox_messages

    app = _app()
    try:
        report = record_bounces(app.extensions["stembus_sessions"], mailbox_messages(path))
    except (OSError, mailbox.Error) as error:
        raise click.ClickException(f"cannot read the mailbox {path}: {type(error).__name__}") from error
    counts = report.counts()
    click.echo(json.dumps(counts) if as_json else ", ".join(f"{k} {v}" for k, v in counts.items()))
