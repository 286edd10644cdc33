"""``stembus verify-challenge``: open a tested (Benaloh-challenged) ballot on the voter's own computer.

The command line twin of ``static/checker/``: it takes the document the booth shows after "test this
ballot" (or the ``challenged`` entry from the public board) and prints which choice the ballot
encrypts. The election's key and ballot come from the document itself, or, better, from a source the
booth did not write: the booth's ``parameters.json`` or the published election record.

Exit codes: 0 the disclosure opens the ballot, 1 it does not, 2 the inputs cannot be read or do not
belong together. Errors go to stderr as one line (with ``--json`` also as a JSON document on stdout).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from election.challenge_check import (
    ChallengeMismatch,
    ChallengeUnreadable,
    ElectionKey,
    Opened,
    key_from_parameters,
    key_from_record,
    label,
    open_challenge,
    read_challenge,
)

EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2


def _read_json(path: str, what: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChallengeUnreadable(f"{what} {path}: {exc}") from None


def _election(parameters: str | None, record: Path | None) -> ElectionKey | None:
    if parameters is not None and record is not None:
        raise ChallengeUnreadable("give --parameters or --record, not both")
    if parameters is not None:
        return key_from_parameters(_read_json(parameters, "parameters"))
    if record is not None:
        return key_from_record(record)
    return None


def _render(opened: Opened) -> str:
    lines = [f"Tracking code: {opened.tracking_code}"]
    group = opened.group if opened.group_name is None else f"{opened.group} ({opened.group_name})"
    lines.append(f"Group: {group}")
    for o in opened.options:
        mark = "[x]" if o.index in opened.chosen else "[ ]"
        on_list = f"  ({o.list})" if o.list else ""
        lines.append(f"  {mark} {label(o)}{on_list}")
    lines.append(f"The ballot encrypts: {', '.join(opened.chosen_labels())}")
    lines.append("This tested ballot is on the board as 'challenged' and is not counted.")
    return "\n".join(lines)


def _fail(message: str, status: int, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"opens": False, "error": message}, indent=2))
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


@click.command("verify-challenge")
@click.argument("challenge", type=str)
@click.option(
    "--parameters",
    type=str,
    default=None,
    help="The booth's parameters.json (/vote/<election>/parameters.json), saved to a file.",
)
@click.option(
    "--record", type=click.Path(path_type=Path), default=None, help="The published election record (directory or .zip)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
def verify_challenge_command(challenge: str, parameters: str | None, record: Path | None, as_json: bool) -> None:
    """Show which choice a tested ballot encrypts, from the CHALLENGE file the booth gave ('-': stdin).

    CHALLENGE is the booth's challenge document or the board's challenged entry (or its payload).
    """
    try:
        opened = open_challenge(read_challenge(_read_json(challenge, "challenge")), _election(parameters, record))
    except ChallengeUnreadable as exc:
        _fail(str(exc), EXIT_UNREADABLE, as_json)
        return
    except ChallengeMismatch as exc:
        _fail(
            f"{exc}. The booth may have encrypted something other than the choice it showed: "
            "take this file to the election committee.",
            EXIT_MISMATCH,
            as_json,
        )
        return
    click.echo(json.dumps(opened.to_dict(), indent=2, ensure_ascii=False) if as_json else _render(opened))
