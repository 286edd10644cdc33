"""``stembus codes generate``: make the voting codes of a high-assurance election on an offline computer.

    stembus codes generate manifest.json voters.json --out codes/

Reads the frozen manifest and the voter file downloaded from the committee screen, draws one code
per voter and writes into ``--out``:

* ``public-credentials.json`` - the only file that goes back to the server (upload it on the
  committee screen): per voter reference the public credential, with the manifest hash;
* ``letters.pdf`` - one printable letter per voter;
* ``mail/`` - one ``.eml`` per voter with an e-mail address and all of them in ``mail.mbox``, to
  send from this machine.

No database, no network: nothing but these files ever holds a code. Exit codes: 0 done, 2 a file
cannot be used (the message names the file and the row).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

EXIT_UNUSABLE = 2


@click.group("codes")
def codes_group() -> None:
    """Voting codes made offline (high-assurance mode)."""


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@codes_group.command("generate")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("voters", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True, help="A new folder.")
@click.option("--from", "from_address", default=None, help="Sender of the mails (default: the voter file's).")
def generate_command(manifest: Path, voters: Path, out: Path, from_address: str | None) -> None:
    """Make one voting code per voter of VOTERS under MANIFEST: public credentials, letters and mails."""
    from election.code_letter_files import CodeLetter, Election, letters_pdf, write_mails
    from election.offline_codes import OfflineCodesError, dump, generate, read_manifest, read_voter_file

    if out.exists() and any(out.iterdir()):
        click.echo(f"error: {out} is not empty: use a new folder, so codes of two runs never mix", err=True)
        sys.exit(EXIT_UNUSABLE)
    try:
        parsed, manifest_hash = read_manifest(manifest.read_bytes())
        voter_file = read_voter_file(voters.read_bytes(), parsed, manifest_hash)
    except OfflineCodesError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    public, made = generate(voter_file, manifest_hash)
    window = parsed.raw["election"]
    election = Election(
        voter_file.organisation or parsed.organisation,
        _moment(window.get("voting_opens")),
        _moment(window.get("voting_closes")),
    )
    letters = [
        CodeLetter(
            name=m.voter.name,
            employee_number=m.voter.employee_number,
            department=m.voter.department,
            group=m.voter.group_name,
            code=m.code,
            language=m.voter.language,
            booth_url=voter_file.booth_url(m.voter.language),
            email=m.voter.email,
        )
        for m in made
    ]
    out.mkdir(parents=True, exist_ok=True)
    (out / "public-credentials.json").write_bytes(dump(public))
    (out / "letters.pdf").write_bytes(letters_pdf(letters, election))
    sender = from_address or voter_file.mail_from or "verkiezingscommissie@localhost"
    mails = write_mails(letters, election, sender, out / "mail")
    click.echo(f"{len(made)} voting code(s) made for {parsed.organisation}.")
    click.echo(f"  upload to the server:  {out / 'public-credentials.json'}")
    click.echo(f"  print:                 {out / 'letters.pdf'} ({len(letters)} letter(s))")
    click.echo(f"  send from this machine: {out / 'mail'} ({mails} mail(s), also as mail.mbox)")
    click.echo("Keep the letters and mails on this machine only; delete them once they have gone out.")
