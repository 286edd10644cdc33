"""Benchmark: from the closed board to the counts, and the official report as PDF.

    python -m benchmarks.tally --json [--ballots 100000] [--candidates 20] [--pool 512] [--rederive]
        [--report-seats 25] [--report-candidates 200]

Prints one JSON object. ``tally_100k_s`` is the machine time from a closed board of ``--ballots``
ballots (default 100,000; the key keeps its name for smaller runs) to the seat allocation, the
human steps (trustees fetching files, typing passphrases, the lot thrown at the meeting) excluded.
It is the sum of

* ``aggregate_s``: the server sums every ballot's ciphertexts per option from the board payloads
  (``election.count_board.aggregates`` over the parsed JSON of each ballot entry) and hashes each
  aggregate for its ``tally`` entry. This is the slow path: closing takes the sums every cast kept
  (``election.running_tally``) and sums the board only when those do not cover it;
* ``decrypt_s``: ``--threshold`` trustees each make a decryption share with its Chaum-Pedersen
  proof for every option (done one after the other here; trustees work on their own computers);
* ``check_s``: the server checks every share's proof against the trustee's verification key;
* ``combine_s``: Lagrange combination of the shares and the discrete logarithm of every count;
* ``seats_s``: ``election.tally_store.seats_document``, the regulation's allocation per group.

``trustee_rederive_s`` (with ``--rederive``) is one trustee's re-derivation of the tally from the
whole board before decrypting (``election.count_board.derive_from_count_file``: the hash chain,
every payload hash and the sums); trustees run it in parallel, each on their own computer, so it
counts once; reading the count file's JSON from disk is not included.

The board is simulated: ``--pool`` distinct voters cast honestly encrypted, proven and signed
ballots (random choices, 5 % blank), and the board's ballot entries cycle through them in a
correctly hash-chained board. The count only adds ciphertexts, so an entry costs the same whether
or not its payload occurred before: the point-decoding cache of ``crypto.fastgroup`` holds 512
points, far fewer than the pool's ``2 x options x pool``. Proofs and signatures are checked when a
ballot is cast, not at the count, so they take no part here.

``report_pdf_s`` renders the official report (``election.result_report``) of one electoral group
with ``--report-seats`` seats and ``--report-candidates`` candidates on 8 lists, with counts that
force ties decided by lot, as a tagged PDF in Dutch.

``tally_cpu_s`` and ``report_pdf_cpu_s`` are the processor time this process spent in the same
steps: on a shared, busy machine they show what the work costs without the waits for a free core.
``peak_mb`` is the largest resident set of the process (the simulated board included), in MiB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto import board as bd
from crypto import fastgroup as fg
from crypto import record as rc
from crypto import record_hashes as rh
from crypto.ballot import encrypt_ballot
from crypto.ceremony import run_ceremony
from crypto.credentials import derive_credential, generate_code
from crypto.dlog import solve
from crypto.elgamal import Ciphertext
from crypto.simulate import SimulationParams, build_manifest
from crypto.threshold import (
    DecryptionShare,
    DkgParams,
    combine_decryption_shares,
    make_decryption_share,
    verify_decryption_share,
)
from election.count_board import COUNT_FILE_FORMAT, aggregates, board_line, derive_from_count_file, parse_manifest

START = datetime(2027, 3, 15, 20, 0, tzinfo=UTC)


def _stamp(n: int) -> str:
    return (START + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pool(
    manifest: dict[str, Any], joint_key: bytes, election_hash: bytes, size: int, seed: bytes
) -> tuple[list[str], list[list[int]]]:
    """``size`` distinct honest ballots of the (single) group as the JSON a board entry stores, and their choices."""
    from crypto import group as g

    grp = manifest["groups"][0]
    options = len(parse_manifest(manifest).groups[0].options)
    rnd = random.Random(seed)
    texts, chosen = [], []
    for _ in range(size):
        x, _pub = derive_credential(generate_code(rnd.choice), manifest["election"]["id"], rh.manifest_hash(manifest))
        choices = [0] * options
        choices[-1 if rnd.random() < 0.05 else rnd.randrange(options - 1)] = 1
        ballot, _secrets = encrypt_ballot(
            choices,
            joint_key=g.Point(joint_key),
            election_hash=election_hash,
            group_id=grp["id"],
            credential_secret=x,
            system=grp["system"],
            k=grp["max_choices"],
        )
        texts.append(json.dumps(ballot.to_dict(), separators=(",", ":")))
        chosen.append(choices)
    return texts, chosen


def _board(election_hash: bytes, pool: list[str], ballots: int, group_id: str) -> tuple[list[bd.Entry], list[str]]:
    """A closed, hash-chained board: setup, ``ballots`` ballot entries cycling through ``pool``, close."""
    digests = [bd.ballot_hash(bd.canonical_json(json.loads(text))) for text in pool]
    entries: list[bd.Entry] = []
    payloads: list[str] = []
    last: bd.Entry | None = None

    def post(kind: str, digest: bytes, payload: str) -> None:
        nonlocal last
        last = bd.next_entry(last, election_hash, kind, digest, _stamp(len(entries)))
        entries.append(last)
        payloads.append(payload)

    setup = {"election_hash": election_hash.hex()}
    post(bd.SETUP, bd.payload_hash(bd.SETUP, setup), json.dumps(setup))
    for n in range(ballots):
        post(bd.BALLOT, digests[n % len(pool)], pool[n % len(pool)])
    close = {"ballots": {group_id: ballots}}
    post(bd.CLOSE, bd.payload_hash(bd.CLOSE, close), json.dumps(close))
    return entries, payloads


def run_tally(
    ballots: int, candidates: int, pool_size: int, trustees: int, threshold: int, rederive: bool
) -> dict[str, Any]:
    """Simulate a closed board (not timed), then time the count from it; return the figures."""
    from election.tally_store import seats_document

    seed = b"stembus-tally-benchmark"
    params = SimulationParams(voters=ballots, candidates=candidates, trustees=trustees, threshold=threshold)
    manifest = build_manifest(params, seed)
    manifest_hash = rh.manifest_hash(manifest)
    ceremony = run_ceremony(DkgParams(trustees, threshold, manifest_hash))
    tr = ceremony.transcript
    keys = {
        "trustees": trustees,
        "threshold": threshold,
        "joint_key": tr.joint_key.hex(),
        "verification_keys": [tr.verification_keys[j].hex() for j in range(1, trustees + 1)],
        "dkg": tr.to_dict(),
    }
    group_id = manifest["groups"][0]["id"]
    credentials = {"groups": [{"id": group_id, "register_count": ballots, "count": 0, "credentials": []}]}
    election_hash = rh.election_hash(
        rc.VERSION, manifest_hash, rh.keys_hash(keys), [(group_id, rh.credential_root(group_id, ballots, []))]
    )
    t0 = time.perf_counter()
    pool, chosen = _pool(manifest, bytes(tr.joint_key), election_hash, min(pool_size, ballots), seed)
    entries, payloads = _board(election_hash, pool, ballots, group_id)
    setup_s = time.perf_counter() - t0
    parsed = parse_manifest(manifest)
    figures: dict[str, Any] = {
        "ballots": ballots,
        "candidates": candidates,
        "pool": len(pool),
        "libdecaf": fg.AVAILABLE,
    }

    # 1. The server's tally after closing: every ballot entry's payload parsed and summed.
    cpu = 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    ballot_texts = (text for entry, text in zip(entries, payloads, strict=True) if entry.type == bd.BALLOT)
    groups = aggregates(parsed, (json.loads(text) for text in ballot_texts))
    tally = [grp.to_dict() for grp in groups]
    for doc in tally:
        bd.json_hash(doc["aggregate"])
    figures["aggregate_s"] = time.perf_counter() - t0
    cpu += time.process_time() - c0

    if rederive:
        # One trustee re-derives the tally from the whole board (chain, payload hashes, sums).
        pool_docs = {text: json.loads(text) for text in pool}
        count_file = {
            "format": COUNT_FILE_FORMAT,
            "manifest": manifest,
            "keys": keys,
            "credentials": credentials,
            "board": [
                board_line(e, pool_docs[p] if e.type == bd.BALLOT else json.loads(p))
                for e, p in zip(entries, payloads, strict=True)
            ],
        }
        t0 = time.perf_counter()
        derived = derive_from_count_file(count_file)
        figures["trustee_rederive_s"] = time.perf_counter() - t0
        assert [g.to_dict() for g in derived.groups] == tally, "the trustee derived another tally"
        del count_file

    # 2. t trustees: a decryption share with its proof for every option of every group.
    members = list(range(1, threshold + 1))
    t0, c0 = time.perf_counter(), time.process_time()
    share_files = {
        j: {
            doc["id"]: [
                make_decryption_share(election_hash, j, ceremony.secret_shares[j], Ciphertext.from_dict(ct)).to_dict()
                for ct in doc["aggregate"]
            ]
            for doc in tally
        }
        for j in members
    }
    figures["decrypt_s"] = time.perf_counter() - t0

    # 3. The server checks every share's proof before storing it (as tally_store does).
    t0 = time.perf_counter()
    for j in members:
        for doc in tally:
            for raw, ct_raw in zip(share_files[j][doc["id"]], doc["aggregate"], strict=True):
                share = DecryptionShare.from_dict(raw)
                ct = Ciphertext.from_dict(ct_raw, allow_identity=True)
                if share.member != j or not verify_decryption_share(share, ct, tr.verification_keys[j], election_hash):
                    raise SystemExit("a benchmark decryption share did not verify")
    figures["check_s"] = time.perf_counter() - t0

    # 4. Combine t shares per option and solve the discrete logarithm of each count.
    t0 = time.perf_counter()
    counts: dict[str, list[int]] = {}
    for doc in tally:
        values = []
        for i, ct_raw in enumerate(doc["aggregate"]):
            ct = Ciphertext.from_dict(ct_raw, allow_identity=True)
            shares = [DecryptionShare.from_dict(share_files[j][doc["id"]][i]) for j in members]
            values.append(solve(combine_decryption_shares(ct, shares, threshold), doc["ballots"]))
        counts[doc["id"]] = values
    figures["combine_s"] = time.perf_counter() - t0
    times = [ballots // len(pool) + (1 if k < ballots % len(pool) else 0) for k in range(len(pool))]
    expected = [sum(t * c[i] for t, c in zip(times, chosen, strict=True)) for i in range(len(chosen[0]))]
    if counts[group_id] != expected:
        raise SystemExit("the decrypted counts differ from the ballots on the board")

    # 5. Seats per the regulation, and the hashes of the result entry.
    t0 = time.perf_counter()
    lot_seed = hashlib.sha256(b"stembus/v1/lot-seed\x00benchmark").hexdigest()
    seats = seats_document(manifest, counts, lot_seed)
    bd.json_hash(counts)
    bd.json_hash(seats)
    figures["seats_s"] = time.perf_counter() - t0
    cpu += time.process_time() - c0

    steps = ("aggregate_s", "decrypt_s", "check_s", "combine_s", "seats_s")
    figures["tally_100k_s"] = round(sum(figures[k] for k in steps), 2)
    for key in (*steps, "trustee_rederive_s"):
        if key in figures:
            figures[key] = round(figures[key], 3)
    figures["tally_cpu_s"] = round(cpu, 2)
    figures["board_setup_s"] = round(setup_s, 2)
    return figures


def _report_inputs(seats: int, candidates: int) -> tuple[dict[str, Any], dict[str, list[int]], dict[str, int]]:
    """A manifest of one group with ``candidates`` on 8 lists, and counts that tie on purpose.

    Every list gets the same total, so the remaining seat (and more, by preference) is drawn by lot.
    """
    params = SimulationParams(voters=9000, candidates=candidates, lists=8)
    manifest = build_manifest(params, b"stembus-report-benchmark")
    grp = manifest["groups"][0]
    grp["seats"] = seats
    grp["name"] = "Alle medewerkers"
    rnd = random.Random(7)
    votes: list[int] = []
    for lst in grp["lists"]:
        lst["name"] = f"{lst['name']} Samen Sterk"
        for c in lst["candidates"]:
            c["name"] = f"{c['name']} van Achternaamsen"
        own = [rnd.randrange(0, 60) for _ in lst["candidates"]]
        own[-1] += 60 * len(own) - sum(own)  # every list totals 60 votes per candidate
        votes += own
    blank = 120
    return manifest, {grp["id"]: [*votes, blank]}, {grp["id"]: sum(votes) + blank}


def run_report(seats: int, candidates: int) -> dict[str, Any]:
    """Time the official report's PDF for one group of ``seats`` seats and ``candidates`` candidates."""
    from admin.app import create_app
    from election.count_results import group_results
    from election.documents import render_pdf
    from election.regulation import Regulation
    from election.result_report import (
        Event,
        ObjectionLine,
        OfficialReport,
        Signatory,
        Trustee,
        voted_groups,
    )
    from election.tally_store import seats_document

    manifest, counts, ballots = _report_inputs(seats, candidates)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": hashlib.sha256(b"benchmark only").hexdigest(),
                "STEMBUS_DATABASE_URL": f"sqlite:///{tmp}/b.db",
            },
            instance_path=tmp,
        )
        with app.app_context():
            t0, c0 = time.perf_counter(), time.process_time()
            seat_doc = seats_document(manifest, counts, "ab" * 32)
            rows = group_results(manifest, ballots, counts, seat_doc)
            report = OfficialReport(
                election_id=1,
                organisation="Benchmark Industrie BV",
                headcount=9000,
                seats=seats,
                electoral_system="list",
                regulation=Regulation(),
                voting_day=START.date(),
                voting_opens_at=START - timedelta(hours=12),
                voting_closes_at=START,
                term_end=START.date() + timedelta(weeks=6),
                groups=tuple(voted_groups(manifest, seat_doc, rows)),
                generated_at=START + timedelta(days=1),
                events=tuple(
                    Event(START + timedelta(hours=n), "phase_changed", "voorzitter@example.org", {"phase_to": "voting"})
                    for n in range(20)
                ),
                board_head_closed="11" * 32,
                board_head="22" * 32,
                election_hash="33" * 64,
                record_sha256="44" * 32,
                lot_text="dobbelstenen 3 6 1 2 5",
                lot_seed="ab" * 32,
                lot_fixed_by="voorzitter@example.org",
                lot_fixed_at=START + timedelta(hours=2),
                threshold=3,
                trustees=tuple(Trustee(j, f"Lid {j}", j <= 3) for j in range(1, 6)),
                objections=(
                    ObjectionLine(START.date(), "A. Bezwaarmaker", "De uitslag klopt niet.", None, None, None),
                ),
                announced_at=START + timedelta(days=1),
                objection_deadline=START.date() + timedelta(days=15),
                committee=tuple(Signatory(f"Lid {j}", "member") for j in range(1, 6)),
            )
            pdf = render_pdf("official_report", report, "nl")
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        app.extensions["stembus_engine"].dispose()
    if not pdf.startswith(b"%PDF"):
        raise SystemExit("the benchmark report is not a PDF")
    return {
        "report_pdf_s": round(seconds, 2),
        "report_pdf_cpu_s": round(cpu, 2),
        "report_seats": seats,
        "report_candidates": candidates,
        "report_bytes": len(pdf),
        "report_lots": len(report.lots),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--pool", type=int, default=512, help="distinct honest ballots the board cycles through")
    parser.add_argument("--trustees", type=int, default=3)
    parser.add_argument("--threshold", type=int, default=2)
    parser.add_argument("--rederive", action="store_true", help="also time one trustee's re-derivation")
    parser.add_argument("--report-seats", type=int, default=25)
    parser.add_argument("--report-candidates", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print JSON (the default output)")
    args = parser.parse_args(argv)
    if args.ballots < 1 or args.candidates < 2 or args.pool < 1:
        parser.error("--ballots and --pool must be at least 1, --candidates at least 2")
    if args.report_candidates < 8 or args.report_seats < 1:
        parser.error("--report-candidates must be at least 8 (8 lists), --report-seats at least 1")
    figures = run_tally(args.ballots, args.candidates, args.pool, args.trustees, args.threshold, args.rederive)
    figures |= run_report(args.report_seats, args.report_candidates)
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
