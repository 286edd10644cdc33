"""The ``stembus`` command line: one group, each command defined beside the domain code it runs."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="stembus")
def main() -> None:
    """Stembus: works council elections under the WOR, verifiable end to end."""


def _register_commands() -> None:
    """Attach the commands of each domain module to the group.

    Imports happen here so that ``stembus --help`` stays fast and a broken optional
    dependency of one command does not take the others down.
    """
    from election.cli_challenge import verify_challenge_command
    from election.cli_codes import codes_group
    from election.cli_register import register_group
    from election.cli_seats import seats_command
    from election.cli_timeline import timeline_command
    from election.cli_verify import simulate_command, verify_command

    main.add_command(timeline_command)
    main.add_command(register_group)
    main.add_command(seats_command)
    main.add_command(verify_command)
    main.add_command(verify_challenge_command)
    main.add_command(simulate_command)
    main.add_command(codes_group)


_register_commands()
