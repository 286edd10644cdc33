"""Benchmark: the cost of the crypto core on this machine.

``python -m benchmarks.crypto --json`` prints one JSON object with, among others:

* ``verify01_ms`` / ``prove01_ms`` / ``encrypt_ms``: one 0/1 proof verified, one produced, one
  encryption of a 0/1 choice;
* ``ballot20_verify_ms``: one list-system ballot with 20 candidates and blank (21 options), parsed
  from JSON and verified;
* ``verify_ballots_per_s_jobs1`` / ``verify_ballots_per_s_jobs2``: the same over ``--ballots``
  ballots in one process, and in a pool of two.

``libdecaf`` says whether verification used libdecaf (``crypto.fastgroup``); the ``*_libsodium``
figures are the same measurements with it switched off, and ``decaf_*_us`` its primitives.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from crypto import ballot as b
from crypto import credentials as cr
from crypto import dlog
from crypto import elgamal as e
from crypto import fastgroup as fg
from crypto import group as g
from crypto import proofs as p

H_E = bytes(range(64))
GROUP = "bench"
N_OPTIONS = 21
_KEY: g.Point = g.IDENTITY


def _per_call_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median over five runs of the mean time per call, in milliseconds."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        runs.append((time.perf_counter() - start) / repeat * 1000)
    return statistics.median(runs)


def _init_worker(key_hex: str) -> None:
    global _KEY
    _KEY = g.point_from_hex(key_hex)


def _verify_raw(raw: bytes) -> bool:
    ballot = b.ballot_from_dict(json.loads(raw))
    failures = b.verify_ballot(
        ballot, election_hash=H_E, group_id=GROUP, n_options=N_OPTIONS, k=1, system=b.LIST_SYSTEM, joint_key=_KEY
    )
    return not failures


def _throughput(raws: list[bytes], key: g.Point, jobs: int) -> float:
    start = time.perf_counter()
    if jobs == 1:
        _init_worker(key.hex())
        ok = all(_verify_raw(r) for r in raws)
    else:
        with multiprocessing.get_context("fork").Pool(jobs, _init_worker, (key.hex(),)) as pool:
            ok = all(pool.imap_unordered(_verify_raw, raws, chunksize=8))
    if not ok:
        raise SystemExit("a benchmark ballot failed to verify")
    return len(raws) / (time.perf_counter() - start)


def run(n_ballots: int) -> dict[str, Any]:
    """Measure everything and return the figures."""
    _, key = e.keypair()
    x, pub = cr.derive_credential(cr.generate_code(), "3f1d6a52-8a0e-4c49-9d7c-0e6a9f1f5b21", bytes(32))
    voter = p.VoterContext(H_E, pub, GROUP)
    s, point = g.random_scalar(), g.base_mul(g.random_scalar())
    ct, r = e.encrypt(key, 1)
    proof = p.prove_zero_one(ct, 1, r, key, voter, 0)
    assert p.verify_zero_one(ct, proof, key, voter, 0)
    choices = [0] * N_OPTIONS
    choices[3] = 1

    def encrypt20() -> b.Ballot:
        return b.encrypt_ballot(
            choices, joint_key=key, election_hash=H_E, group_id=GROUP, credential_secret=x, system=b.LIST_SYSTEM
        )[0]

    raws = [b.ballot_to_bytes(encrypt20()) for _ in range(n_ballots)]
    _init_worker(key.hex())
    dlog.solve(g.BASE)
    figures = {
        "libsodium": ".".join(map(str, g.libsodium_version())),
        "cpus": os.cpu_count(),
        "scalar_mult_us": _per_call_ms(lambda: g.mul(s, point), 400) * 1000,
        "base_mult_us": _per_call_ms(lambda: g.base_mul(s), 400) * 1000,
        "point_add_us": _per_call_ms(lambda: g.add(point, point), 400) * 1000,
        "libdecaf": fg.AVAILABLE,
        "verify01_ms": _per_call_ms(lambda: p.verify_zero_one(ct, proof, key, voter, 0), 200),
        "prove01_ms": _per_call_ms(lambda: p.prove_zero_one(ct, 1, r, key, voter, 0), 200),
        "encrypt_ms": _per_call_ms(lambda: e.encrypt(key, 1), 200),
        "ballot20_encrypt_ms": _per_call_ms(encrypt20, 5),
        "ballot20_verify_ms": _per_call_ms(lambda: _verify_raw(raws[0]), 10),
        "dlog_1000000_ms": _per_call_ms(lambda: dlog.solve(g.base_mul(g.scalar_from_int(1_000_000))), 3),
        "ballots": n_ballots,
        "verify_ballots_per_s_jobs1": _throughput(raws, key, 1),
        "verify_ballots_per_s_jobs2": _throughput(raws, key, 2),
    }
    if fg.AVAILABLE:
        fs, fp = fg.decode(point), fg.decode(point)
        table = fg.table(key)
        figures["decaf_base_combine_us"] = _per_call_ms(lambda: fg.base_combine(s, fp, s), 400) * 1000
        figures["decaf_table_mul_us"] = _per_call_ms(lambda: table.mul(s), 400) * 1000
        figures["decaf_add_us"] = _per_call_ms(lambda: fg.add(fs, fp), 400) * 1000
        figures["decaf_encode_us"] = _per_call_ms(lambda: fg.encode(fp), 400) * 1000
        with fg.disabled():
            figures["verify01_ms_libsodium"] = _per_call_ms(lambda: p.verify_zero_one(ct, proof, key, voter, 0), 200)
            figures["ballot20_verify_ms_libsodium"] = _per_call_ms(lambda: _verify_raw(raws[0]), 10)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--ballots", type=int, default=200, help="ballots for the throughput figures")
    args = parser.parse_args(argv)
    figures = run(args.ballots)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
