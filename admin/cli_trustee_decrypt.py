"""``stembus trustee decrypt``: a trustee's decryption shares for the tally, made on their own computer.

    stembus trustee decrypt --election-file count-file.json --tally tally.json \\
        --backup share-member2.json --passphrase-file pass.txt --out shares-member2.json

The count file (downloaded from the count page) holds the manifest, the keys, the credential lists and
the whole public board. Before anything is decrypted the command checks the board's chain from the
genesis of the recomputed ``H_E``, sums every counted ballot itself and refuses when the tally it is
asked to decrypt differs in any group or option: a trustee never decrypts a subset of the ballots,
which is how an operator would learn one person's vote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from admin.cli_trustee import _passphrase, _read_json, passphrase_option, trustee
from crypto import group as g
from crypto import record_hashes as rh
from crypto.threshold import make_decryption_share
from election.count_board import (
    SHARES_FILE_FORMAT,
    CountFileError,
    derive_from_count_file,
    tally_differences,
)
from election.trustee_tool import TrusteeError, open_backup


def decryption_shares(count_doc: Any, tally: Any, backup: Any, passphrase: str) -> dict[str, Any]:
    """The shares file for ``tally``, after re-deriving it from the board in ``count_doc``.

    Raises ``click.ClickException`` naming the difference when the tally is not the sum of every
    ballot on the board, or when the backup does not belong to this election's keys.
    """
    try:
        board = derive_from_count_file(count_doc)
    except CountFileError as exc:
        raise click.ClickException(str(exc)) from None
    if not isinstance(tally, dict) or tally.get("board_head") != board.closed_head.hex():
        raise click.ClickException("the tally is not for this board: its board head is not the head after closing")
    if tally.get("election_hash") != board.election_hash.hex():
        raise click.ClickException("the tally is for another election")
    problems = tally_differences(board.groups, tally)
    if problems:
        raise click.ClickException("refused, nothing decrypted: " + "; ".join(problems))
    try:
        member, share = open_backup(backup, passphrase)
    except TrusteeError as exc:
        raise click.ClickException(str(exc)) from None
    keys = count_doc["keys"]
    if backup.get("params_hash") != rh.manifest_hash(count_doc["manifest"]).hex():
        raise click.ClickException("this share backup belongs to another election's key ceremony")
    if (
        not 1 <= member <= len(keys["verification_keys"])
        or keys["verification_keys"][member - 1] != bytes(g.base_mul(share)).hex()
    ):
        raise click.ClickException("your share does not match your published verification key")
    groups = {
        grp.id: [make_decryption_share(board.election_hash, member, share, ct).to_dict() for ct in grp.aggregate]
        for grp in board.groups
    }
    return {
        "format": SHARES_FILE_FORMAT,
        "version": 1,
        "election": count_doc.get("election"),
        "election_hash": board.election_hash.hex(),
        "board_head": board.closed_head.hex(),
        "member": member,
        "groups": groups,
    }


@trustee.command("decrypt")
@click.option(
    "--election-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The count file (manifest, keys and the whole board) downloaded from the count page.",
)
@click.option(
    "--tally",
    "tally_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The tally to decrypt, downloaded from the count page.",
)
@click.option(
    "--backup",
    "backup_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Your sealed share (written by stembus trustee finish).",
)
@passphrase_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the shares to upload (default: shares-member<j>.json).",
)
def trustee_decrypt(
    election_file: Path, tally_path: Path, backup_path: Path, passphrase_file: Path | None, out_path: Path | None
) -> None:
    """Check the tally against the whole board, then write your decryption shares with their proofs."""
    count_doc = _read_json(election_file, "count file")
    tally = _read_json(tally_path, "tally")
    backup = _read_json(backup_path, "share backup")
    result = decryption_shares(count_doc, tally, backup, _passphrase(passphrase_file, new=False))
    path = out_path or Path(f"shares-member{result['member']}.json")
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    total = sum(len(v) for v in result["groups"].values())
    click.echo(f"The tally is the sum of all {sum(grp['ballots'] for grp in tally['groups'])} ballots on the board.")
    click.echo(f"Wrote {total} decryption share(s) to {path}: upload it on the count page.")


__all__ = ["decryption_shares"]
