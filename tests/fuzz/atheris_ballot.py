"""Coverage-guided fuzzing of the ballot decoder with atheris (libFuzzer), run by hand.

    python tests/fuzz/atheris_ballot.py -max_total_time=300 -rss_limit_mb=2048 [CORPUS_DIR ...]

Each input is taken as the body the booth posts. It must be refused as not JSON, refused by
``ballot_from_dict`` with ``BallotError``, or parse into a ballot whose canonical bytes parse back
to the same ballot; a parsed ballot that differs from the two valid seeds must not verify. Any
other exception, or a broken property, stops the run with the crashing input saved by libFuzzer.
Without a corpus directory the run starts from the two valid seed ballots.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from crypto import ballot as b
    from crypto import credentials as cr
    from crypto import elgamal as e
    from crypto import proofs

H_E = bytes(range(32))
SHAPES = {"list": (4, 1), "person": (5, 2)}


def _seeds() -> dict[str, tuple[b.Ballot, object]]:
    joint_key = e.keypair()[1]
    secret, _ = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))
    seeds = {}
    for system, choices in (("list", [0, 1, 0, 0]), ("person", [1, 0, 1, 0, 0])):
        ballot, _ = b.encrypt_ballot(
            choices,
            joint_key=joint_key,
            election_hash=H_E,
            group_id="G1",
            credential_secret=secret,
            system=system,
            k=SHAPES[system][1],
        )
        seeds[system] = (ballot, joint_key)
    return seeds


SEEDS = _seeds()


def test_one_input(data: bytes) -> None:
    """One fuzz case: decode ``data`` as the cast endpoint would and check the decoder's guarantees."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        return
    try:
        ballot = b.ballot_from_dict(raw)
    except b.BallotError:
        return
    again = b.ballot_from_dict(json.loads(b.ballot_to_bytes(ballot)))
    assert again == ballot, "the canonical bytes do not parse back to the same ballot"
    for system, (seed, joint_key) in SEEDS.items():
        if ballot == seed:
            continue
        n, k = SHAPES[system]
        try:
            failures = b.verify_ballot(
                ballot, election_hash=H_E, group_id="G1", n_options=n, k=k, system=system, joint_key=joint_key
            )
        except (b.BallotError, proofs.ProofFormatError):
            continue
        assert failures, f"a changed ballot verifies as a {system} ballot"


def main() -> None:
    """Start libFuzzer; seed a fresh corpus with the valid ballots unless directories are given."""
    args = list(sys.argv)
    if not any(Path(a).is_dir() for a in args[1:]):
        corpus = Path(tempfile.mkdtemp(prefix="ballot-corpus-"))
        for system, (seed, _) in SEEDS.items():
            (corpus / f"{system}.json").write_bytes(b.ballot_to_bytes(seed))
        args.append(str(corpus))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
