"""The ``stembus`` command line: one group, each command defined beside the domain code it runs."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="stembus")
def main() -> None:
    """Stembus: works council elections under the WOR, verifiable end to end."""
