"""Small helpers shared by the ``stembus`` commands of the election domain."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from election.regulation import Regulation, RegulationError, load_regulation


class DateParam(click.ParamType[date]):
    """A calendar date written as YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        """Parse the option value, failing with a message that names the option."""
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


DATE = DateParam()


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` to stderr and leave with a non-zero exit code."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def regulation_option(path: str | None) -> Regulation:
    """Load the ``--regulation`` file, or return the defaults when none is given."""
    if path is None:
        return Regulation()
    try:
        return load_regulation(path)
    except RegulationError as exc:
        fail(str(exc))
        raise  # pragma: no cover - fail() never returns


def print_json(document: object) -> None:
    """Print one JSON document on stdout."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
