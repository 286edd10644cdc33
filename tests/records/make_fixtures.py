"""Regenerate the election-record fixtures: one valid record and one tampered copy per way of cheating.

    .venv/bin/python -m tests.records.make_fixtures [NAME ...]

Without names every fixture is rewritten; with names only those ``invalid/<name>/`` (and
``EXPECTED.json``), so adding a fixture leaves the others' bytes alone.
``valid/`` is a small simulated election (2 groups, 3 candidates, 8 voters, 2 of 3 members, one lost
code replaced while voting is open). Each
``invalid/<what-is-wrong>/`` is either the same election run by a dishonest server (``Tamper`` hooks:
everything else honest, so only the cheat shows) or the valid record edited afterwards. ``EXPECTED``
says which checks must fail and what the first message must name; ``tests/crypto/test_verifier.py``
runs the verifier over every fixture and holds it to that.

The seeds fix every vote, voting code and nonce; the key ceremony's share transport is fresh each run,
so regenerated files differ in bytes but not in what they show.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from crypto import board as bd
from crypto import group as g
from crypto.ballot import ballot_from_dict, signed_parts
from crypto.credentials import sign
from crypto.elgamal import encrypt
from crypto.simulate import BallotContext, SimulationParams, Tamper, Voter, make_ballot, simulate
from election.cli_verify import allocate_seats

HERE = Path(__file__).parent
PARAMS = SimulationParams(
    voters=8, candidates=3, groups=2, trustees=3, threshold=2, challenged=1, seed="fixtures", jobs=1, replacements=1
)

# name -> (failing checks, a substring of the first failure of the first failing check)
EXPECTED: dict[str, tuple[set[str], str]] = {
    "two-in-one-slot": ({"ballots"}, "selections[0].proof"),
    "two-ballots-one-credential": ({"one_ballot_per_credential"}, "already cast ballot seq"),
    "unlisted-credential": ({"eligibility"}, "is not listed for group G1"),
    "dropped-entry": ({"board_chain", "board_payloads", "aggregates"}, "seq 3"),
    "inserted-entry": ({"board_chain", "one_ballot_per_credential", "board_payloads", "aggregates"}, "seq 3"),
    "reordered-entries": ({"board_chain"}, "seq 3"),
    "forged-decryption-share": ({"decryption_shares", "threshold"}, "group G1, member 2, option 0"),
    "wrong-count": ({"counts"}, "group G2, option 1"),
    "wrong-seat-allocation": ({"seats"}, "group G1"),
    "tampered-proof": ({"ballots"}, "seq 3"),
    "non-canonical-scalar": ({"ballots", "aggregates"}, "not canonical"),
    "wrong-version": ({"version"}, "record version 3"),
    "ballot-after-revocation": ({"eligibility"}, "was retired by credential_revoked seq"),
    "added-without-revocation": ({"eligibility"}, "does not directly follow the credential_revoked entry"),
    "tampered-revocation": ({"board_payloads"}, "credential_revoked entry seq"),
    "credentials-beyond-register": ({"credentials"}, "group G1: 5 credentials for 4 registered voters"),
}


class _FirstVoter(Tamper):
    """Applies ``change`` to the first ballot of group G1."""

    def __init__(self) -> None:
        self.done = False

    def ballots(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        if self.done or voter.group != "G1":
            return [ballot]
        self.done = True
        return self.change(voter, ballot, ctx)

    def change(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        raise NotImplementedError


class TwoInOneSlot(_FirstVoter):
    """Option 0 encrypts 2; the ballot is re-signed, so only its proofs betray it."""

    def change(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        ct, _ = encrypt(g.Point(ctx.joint_key), 2, g.scalar_from_int(12345))
        ballot["selections"][0]["ciphertext"] = ct.to_dict()
        parsed = ballot_from_dict(ballot)
        _, system, k = ctx.groups[voter.group]
        parts = signed_parts(voter.group, system, k, parsed.selections, parsed.sum_proof)
        ballot["signature"] = sign(g.Scalar(voter.secret), ctx.election_hash, *parts).to_dict()
        return [ballot]


class TwoBallots(_FirstVoter):
    """The same credential casts a second, valid ballot."""

    def change(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        return [ballot, make_ballot(voter, ctx, "again")[0]]


class Unlisted(_FirstVoter):
    """An extra, valid ballot under a credential that is not on the list."""

    def change(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        secret = g.scalar_from_int(987654321)
        ghost = Voter("G1", 999, "", bytes(secret), bytes(g.base_mul(secret)))
        return [ballot, make_ballot(ghost, ctx, "ghost")[0]]


class ForgedShare(Tamper):
    """Member 2's share of group G1, option 0, is replaced by another point."""

    def shares(self, group: str, member: int, shares: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if group == "G1" and member == 2:
            shares[0]["factor"] = g.base_mul(g.scalar_from_int(42)).hex()
        return shares


class WrongCount(Tamper):
    """Group G2's option 1 is reported with one vote more."""

    def counts(self, group: str, counts: list[int]) -> list[int]:
        if group == "G2":
            counts[1] += 1
        return counts


class WrongSeats(Tamper):
    """Group G1's elected candidates are reversed."""

    def seats(self, group: str, output: dict[str, Any]) -> dict[str, Any]:
        if group == "G1":
            output["elected"] = [*reversed(output["elected"]), "G1-C9"]
        return output


class OldCodeVotesAgain(Tamper):
    """After the replacement, the revoked code casts a ballot too (the server failed to refuse it)."""

    def ballots(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        if voter.replaced is None:
            return [ballot]
        return [ballot, make_ballot(voter.replaced, ctx, "old-code")[0]]


class ExtraCredential(Tamper):
    """Group G1's published list holds one credential more than its register has voters (a spare
    credential the server could vote with); the setup entry is consistent with it, so only the count betrays it."""

    def credentials(self, group: str, credentials: list[bytes]) -> list[bytes]:
        if group != "G1":
            return credentials
        return [*credentials, bytes(g.base_mul(g.scalar_from_int(55555)))]


class AddedWithoutRevocation(Tamper):
    """A new credential is added while the one it claims to replace stays listed (ballot stuffing)."""

    def credential_changes(self, voter: Voter, changes: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
        return [change for change in changes if change[0] != bd.CREDENTIAL_REVOKED]


HOOKED: dict[str, type[Tamper]] = {
    "two-in-one-slot": TwoInOneSlot,
    "two-ballots-one-credential": TwoBallots,
    "unlisted-credential": Unlisted,
    "forged-decryption-share": ForgedShare,
    "wrong-count": WrongCount,
    "wrong-seat-allocation": WrongSeats,
    "ballot-after-revocation": OldCodeVotesAgain,
    "added-without-revocation": AddedWithoutRevocation,
    "credentials-beyond-register": ExtraCredential,
}


def _lines(path: Path) -> list[str]:
    return (path / "board.jsonl").read_text().splitlines(keepends=True)


def _write_lines(path: Path, lines: list[str]) -> None:
    (path / "board.jsonl").write_text("".join(lines))


def _first_ballot_index(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "ballot" and i >= 3)


def edit_dropped(path: Path) -> None:
    lines = _lines(path)
    del lines[_first_ballot_index(lines)]
    _write_lines(path, lines)


def edit_inserted(path: Path) -> None:
    lines = _lines(path)
    i = _first_ballot_index(lines)
    lines.insert(i + 1, lines[i])
    _write_lines(path, lines)


def edit_reordered(path: Path) -> None:
    lines = _lines(path)
    i = _first_ballot_index(lines)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    _write_lines(path, lines)


def _edit_first_ballot(path: Path, change: Any) -> None:
    lines = _lines(path)
    i = _first_ballot_index(lines)
    entry = json.loads(lines[i])
    change(entry["payload"])
    lines[i] = bd.canonical_json(entry).decode() + "\n"
    _write_lines(path, lines)


def edit_tampered_proof(path: Path) -> None:
    def change(ballot: dict[str, Any]) -> None:
        v = g.scalar_from_hex(ballot["selections"][1]["proof"]["v"][0])
        ballot["selections"][1]["proof"]["v"][0] = g.scalar_add(v, g.ONE).hex()

    _edit_first_ballot(path, change)


def edit_non_canonical(path: Path) -> None:
    def change(ballot: dict[str, Any]) -> None:
        v = int.from_bytes(bytes.fromhex(ballot["signature"]["v"]), "little")
        ballot["signature"]["v"] = (v + g.L).to_bytes(32, "little").hex()

    _edit_first_ballot(path, change)


def edit_revocation_reason(path: Path) -> None:
    """The revocation's reason is changed after the fact; its payload hash no longer matches."""
    lines = _lines(path)
    i = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == bd.CREDENTIAL_REVOKED)
    entry = json.loads(lines[i])
    entry["payload"]["reason"] = "compromised" if entry["payload"]["reason"] != "compromised" else "lost"
    lines[i] = bd.canonical_json(entry).decode() + "\n"
    _write_lines(path, lines)


def edit_version(path: Path) -> None:
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["version"] = 3
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


EDITED = {
    "dropped-entry": edit_dropped,
    "inserted-entry": edit_inserted,
    "reordered-entries": edit_reordered,
    "tampered-proof": edit_tampered_proof,
    "non-canonical-scalar": edit_non_canonical,
    "wrong-version": edit_version,
    "tampered-revocation": edit_revocation_reason,
}


def make_invalid(name: str) -> None:
    """Rewrite one ``invalid/<name>/`` (an edited fixture is copied from the current ``valid/``)."""
    target = HERE / "invalid" / name
    shutil.rmtree(target, ignore_errors=True)
    if name in HOOKED:
        simulate(PARAMS, target, seat_allocator=allocate_seats, tamper=HOOKED[name]())
    else:
        shutil.copytree(HERE / "valid", target)
        EDITED[name](target)


def main(names: list[str]) -> None:
    """Rewrite ``valid/`` and every ``invalid/<name>/``, or only the named invalid fixtures."""
    unknown = set(names) - set(EXPECTED)
    if unknown:
        raise SystemExit(f"unknown fixture(s): {sorted(unknown)}")
    if not names:
        shutil.rmtree(HERE / "valid", ignore_errors=True)
        shutil.rmtree(HERE / "invalid", ignore_errors=True)
        simulate(PARAMS, HERE / "valid", seat_allocator=allocate_seats)
    for name in names or [*HOOKED, *EDITED]:
        make_invalid(name)
    (HERE / "invalid" / "EXPECTED.json").write_text(
        json.dumps({k: {"fails": sorted(v[0]), "names": v[1]} for k, v in sorted(EXPECTED.items())}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
