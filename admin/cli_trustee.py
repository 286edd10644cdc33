"""``stembus trustee``: a committee member's key-ceremony steps, run on their own computer.

No command talks to the server: the trustee downloads the invitation and the public bundle from
the key ceremony page and uploads each message file these commands write. Secrets stay in the
local state file and the share backup, both sealed under the trustee's passphrase.

    stembus trustee init --election-file invitation.json       # once; asks for a new passphrase
    stembus trustee commit                                       # -> commit-member<j>.json
    stembus trustee reveal  --bundle bundle.json                 # after every commit is in
    stembus trustee deal    --bundle bundle.json                 # after every reveal is in
    stembus trustee receive --bundle bundle.json                 # checks your shares, complaints
    stembus trustee answer  --bundle bundle.json                 # only if someone complained about you
    stembus trustee finish  --bundle bundle.json                 # -> share-member<j>.json (backup)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from election.ceremony_messages import Invitation, MessageError
from election.cli import main
from election.trustee_tool import (
    Secrets,
    TrusteeError,
    answer_message,
    commit_message,
    deal_message,
    finish,
    new_state,
    open_state,
    receive_message,
    reveal_message,
)

DEFAULT_STATE = "stembus-trustee-state.json"

state_option = click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STATE,
    show_default=True,
    help="Your local state file (secrets sealed under your passphrase).",
)
passphrase_option = click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the passphrase from the first line of this file instead of asking.",
)
bundle_option = click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The public bundle downloaded from the key ceremony page.",
)
out_option = click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the message to upload (default: <step>-member<j>.json).",
)


@main.group()
def trustee() -> None:
    """Your part in the committee's key ceremony (run on your own computer)."""


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"cannot read the {what} {path}: {exc}") from None


def _write_private(path: Path, data: dict[str, Any], *, overwrite: bool = False) -> None:
    """Write a file only its owner can read; never silently replace secrets."""
    if path.exists() and not overwrite:
        raise click.ClickException(f"{path} already exists; move it away first")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.write("\n")


def _passphrase(passphrase_file: Path | None, *, new: bool) -> str:
    if passphrase_file is not None:
        lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        value = lines[0] if lines else ""
    else:
        value = click.prompt(
            "New passphrase for your key material" if new else "Passphrase",
            hide_input=True,
            confirmation_prompt=new,
        )
    if new and len(value) < 12:
        raise click.ClickException("choose a passphrase of at least 12 characters")
    return str(value)


def _open(state_path: Path, passphrase_file: Path | None) -> tuple[Invitation, Secrets, str]:
    state = _read_json(state_path, "state file")
    passphrase = _passphrase(passphrase_file, new=False)
    try:
        invitation, secrets_ = open_state(state, passphrase)
    except TrusteeError as exc:
        raise click.ClickException(str(exc)) from None
    return invitation, secrets_, passphrase


def _emit(message: dict[str, Any], out_path: Path | None, invitation: Invitation) -> None:
    path = out_path or Path(f"{message['kind']}-member{invitation.member}.json")
    path.write_text(json.dumps(message, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(f"Wrote {path}: upload it on the key ceremony page.")


def _step(
    state_path: Path,
    passphrase_file: Path | None,
    bundle_path: Path | None,
    make: Callable[[Invitation, Secrets, Any], dict[str, Any]],
    out_path: Path | None,
) -> None:
    invitation, secrets_, _ = _open(state_path, passphrase_file)
    bundle = _read_json(bundle_path, "bundle") if bundle_path is not None else None
    try:
        message = make(invitation, secrets_, bundle)
    except TrusteeError as exc:
        raise click.ClickException(str(exc)) from None
    _emit(message, out_path, invitation)


@trustee.command("init")
@click.option(
    "--election-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The invitation downloaded from the key ceremony page.",
)
@state_option
@passphrase_option
def trustee_init(election_file: Path, state_path: Path, passphrase_file: Path | None) -> None:
    """Create your transport key and secret polynomial, sealed under a new passphrase."""
    try:
        invitation = Invitation.from_dict(_read_json(election_file, "election file"))
    except MessageError as exc:
        raise click.ClickException(exc.message) from None
    if state_path.exists():
        raise click.ClickException(f"{state_path} already exists; move it away first")
    state = new_state(invitation, _passphrase(passphrase_file, new=True))
    _write_private(state_path, state)
    click.echo(
        f"Trustee {invitation.member} of {invitation.params.n} (any {invitation.params.t} can decrypt),"
        f" election {invitation.election} ({invitation.organisation})."
    )
    click.echo(f"Your secrets are in {state_path}. Next: stembus trustee commit")


@trustee.command("commit")
@state_option
@passphrase_option
@out_option
def trustee_commit(state_path: Path, passphrase_file: Path | None, out_path: Path | None) -> None:
    """Write stage 1: your transport key and the hash of your commitments."""
    _step(state_path, passphrase_file, None, lambda inv, sec, _: commit_message(inv, sec), out_path)


@trustee.command("reveal")
@state_option
@passphrase_option
@bundle_option
@out_option
def trustee_reveal(state_path: Path, passphrase_file: Path | None, bundle_path: Path, out_path: Path | None) -> None:
    """Write stage 2: your commitments with their proofs (once every commit is in)."""
    _step(state_path, passphrase_file, bundle_path, reveal_message, out_path)


@trustee.command("deal")
@state_option
@passphrase_option
@bundle_option
@out_option
def trustee_deal(state_path: Path, passphrase_file: Path | None, bundle_path: Path, out_path: Path | None) -> None:
    """Write stage 3: a share for every other trustee, each sealed to its recipient."""
    _step(state_path, passphrase_file, bundle_path, deal_message, out_path)


@trustee.command("receive")
@state_option
@passphrase_option
@bundle_option
@out_option
def trustee_receive(state_path: Path, passphrase_file: Path | None, bundle_path: Path, out_path: Path | None) -> None:
    """Check the shares sent to you and write your complaints (possibly none)."""
    invitation, secrets_, _ = _open(state_path, passphrase_file)
    try:
        message, problems = receive_message(invitation, secrets_, _read_json(bundle_path, "bundle"))
    except TrusteeError as exc:
        raise click.ClickException(str(exc)) from None
    for line in problems:
        click.echo(f"Complaint against {line}")
    if not problems:
        click.echo("Every share you received matches its commitments.")
    _emit(message, out_path, invitation)


@trustee.command("answer")
@state_option
@passphrase_option
@bundle_option
@out_option
def trustee_answer(state_path: Path, passphrase_file: Path | None, bundle_path: Path, out_path: Path | None) -> None:
    """Reveal the shares someone complained about (only if you were accused)."""
    _step(state_path, passphrase_file, bundle_path, answer_message, out_path)


@trustee.command("finish")
@state_option
@passphrase_option
@bundle_option
@click.option(
    "--backup",
    "backup_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write your sealed share (default: share-member<j>.json).",
)
def trustee_finish(state_path: Path, passphrase_file: Path | None, bundle_path: Path, backup_path: Path | None) -> None:
    """Check the completed transcript yourself and write your secret share, sealed, to a backup file."""
    invitation, secrets_, passphrase = _open(state_path, passphrase_file)
    try:
        backup = finish(invitation, secrets_, _read_json(bundle_path, "bundle"), passphrase)
    except TrusteeError as exc:
        raise click.ClickException(str(exc)) from None
    path = backup_path or Path(f"share-member{invitation.member}.json")
    _write_private(path, backup)
    click.echo(f"The transcript verifies; joint key {backup['joint_key']}.")
    click.echo(f"Your share is sealed in {path}. Keep a copy on a second medium; you need it to decrypt the count.")
