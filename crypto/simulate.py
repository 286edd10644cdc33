"""Run a whole election through the real cryptography and write its record (tests, demos, benchmarks).

Key ceremony among ``n`` members with threshold ``t`` (``crypto.ceremony``), voting codes and public
credentials for every voter, encrypted and signed ballots with random choices, a few challenged
(Benaloh) ballots with their disclosures, optionally a few lost codes replaced while voting is open
(``credential_revoked`` and ``credential_added`` entries; the voter then votes with the new code), the
hash-chained board, close, aggregation, decryption
shares with proofs from ``t`` members, discrete logs, and the seat allocation by the injected
allocator (or ``plain_allocation``).

With a ``seed`` every choice, nonce, voting code and timestamp is derived from it, so two runs give the
same ballots' plaintexts and structure; the key ceremony's share transport uses fresh X25519 keys and
nonces from ``crypto.keystore``, so the bytes of a record still differ between runs. A seeded record is
for testing only: anyone with the seed can decrypt it.

``Tamper`` hooks let the fixture generator play a dishonest server at precise points (extra or forged
ballots, a forged share, wrong counts or seats) while everything else stays honest.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crypto import board as bd
from crypto import elgamal
from crypto import group as g
from crypto import record as rc
from crypto import record_hashes as rh
from crypto.ballot import encrypt_ballot
from crypto.ceremony import run_ceremony
from crypto.credential_book import addition_payload, revocation_payload
from crypto.credentials import derive_credential, generate_code
from crypto.dlog import solve
from crypto.threshold import DecryptionShare, DkgParams, combine_decryption_shares, make_decryption_share
from crypto.verify_parallel import default_jobs, run_chunked
from crypto.verify_tally import close_payload, seat_input, tally_payloads

SeatAllocator = Callable[[dict[str, Any]], dict[str, Any]]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SimulationError(ValueError):
    """The simulation parameters are inconsistent."""


@dataclass(frozen=True)
class SimulationParams:
    """The size and shape of a simulated election."""

    voters: int
    candidates: int
    groups: int = 1
    trustees: int = 3
    threshold: int = 2
    lists: int | None = None
    system: str = "list"
    challenged: int = 2
    turnout: float = 1.0
    seed: str | None = None
    jobs: int | None = None
    max_choices: int = 3
    replacements: int = 0
    record_version: int = rc.VERSION
    credential_mode: str = "server"


class Tamper:
    """Hooks for a dishonest server; the default changes nothing."""

    def ballots(self, voter: Voter, ballot: dict[str, Any], ctx: BallotContext) -> list[dict[str, Any]]:
        """The ballot payloads actually posted for this voter (default: the honest one)."""
        return [ballot]

    def shares(self, group: str, member: int, shares: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The decryption shares member ``member`` publishes for ``group``."""
        return shares

    def counts(self, group: str, counts: list[int]) -> list[int]:
        """The counts published for ``group``."""
        return counts

    def seats(self, group: str, output: dict[str, Any]) -> dict[str, Any]:
        """The seat allocation published for ``group``."""
        return output

    def credentials(self, group: str, credentials: list[bytes]) -> list[bytes]:
        """The credential list published for ``group`` (default: one per registered voter)."""
        return credentials

    def credential_changes(self, voter: Voter, changes: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, Any]]:
        """The entries posted when ``voter``'s lost code is replaced (default: revocation, then addition)."""
        return list(changes)


@dataclass(frozen=True)
class Voter:
    """One simulated voter: group, index within it, voting code and credential key pair; ``replaced`` is
    the same voter with the lost code this one replaces."""

    group: str
    index: int
    code: str
    secret: bytes
    credential: bytes
    replaced: Voter | None = None


@dataclass(frozen=True)
class BallotContext:
    """Everything a ballot needs, sent once to each worker."""

    election_hash: bytes
    joint_key: bytes
    seed: bytes
    groups: dict[str, tuple[int, str, int]]


class SeededScalars:
    """A deterministic scalar source: SHA-512 of (seed, label, counter) reduced modulo L, never zero."""

    def __init__(self, seed: bytes, label: str) -> None:
        self.prefix = hashlib.sha512(seed + b"/" + label.encode()).digest()
        self.counter = 0

    def __call__(self) -> g.Scalar:
        while True:
            self.counter += 1
            s = g.scalar_from_wide(hashlib.sha512(self.prefix + self.counter.to_bytes(8, "big")).digest())
            if s != g.ZERO:
                return s


def _rand(seed: bytes, label: str) -> random.Random:
    return random.Random(hashlib.sha256(seed + b"/" + label.encode()).digest())  # noqa: S311 - simulation only


def build_manifest(params: SimulationParams, seed: bytes) -> dict[str, Any]:
    """The manifest of the simulated election."""
    groups = []
    per_group = _split(params.voters, params.groups)
    for gi in range(params.groups):
        gid = f"G{gi + 1}"
        c = params.candidates
        group: dict[str, Any] = {
            "id": gid,
            "name": f"Kiesgroep {gi + 1}",
            "system": params.system,
            "seats": max(1, min(c - 1, 5)) if c > 1 else 1,
            "register_count": per_group[gi],
            "max_choices": 1 if params.system == "list" else max(1, min(params.max_choices, c)),
            "rules": {
                "remainder_method": "largest_remainders",
                "remainder_threshold": "0",
                "preference_threshold": "1/4",
                "surplus_seats": "vacant",
                "lot_seed": hashlib.sha256(seed + gid.encode()).hexdigest()[:32],
            },
        }
        cands = [{"id": f"{gid}-C{k + 1}", "name": f"Kandidaat {k + 1}"} for k in range(c)]
        if params.system == "list":
            n_lists = params.lists or max(1, (c + 4) // 5)
            n_lists = min(n_lists, c)
            bounds = _split(c, n_lists)
            lists, start = [], 0
            for li, size in enumerate(bounds):
                lists.append(
                    {"id": f"{gid}-L{li + 1}", "name": f"Lijst {li + 1}", "candidates": cands[start : start + size]}
                )
                start += size
            group["lists"] = lists
        else:
            group["candidates"] = cands
        groups.append(group)
    manifest: dict[str, Any] = {
        "format": rc.FORMAT,
        "version": params.record_version,
        "election": {
            "id": str(uuid.UUID(bytes=hashlib.sha256(seed + b"/uuid").digest()[:16], version=4)),
            "organisation": "Simulated Organisation BV",
            "title": "Simulated works council election",
            "voting_opens": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "voting_closes": (START + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "committee": {"trustees": params.trustees, "threshold": params.threshold},
        "groups": groups,
    }
    if params.record_version >= 2:
        manifest["credential_mode"] = params.credential_mode
    return manifest


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _choices(rnd: random.Random, n_options: int, system: str, k: int) -> list[int]:
    choices = [0] * n_options
    if rnd.random() < 0.05:
        choices[-1] = 1  # blank
    elif system == "list":
        choices[rnd.randrange(n_options - 1)] = 1
    else:
        for i in rnd.sample(range(n_options - 1), rnd.randint(1, k)):
            choices[i] = 1
    return choices


_ctx: BallotContext | None = None


def _init(ctx: BallotContext) -> None:
    global _ctx
    _ctx = ctx


def make_ballot(voter: Voter, ctx: BallotContext, label: str = "ballot") -> tuple[dict[str, Any], dict[str, Any]]:
    """Encrypt a random (seeded) vote for ``voter``; return the ballot and its Benaloh disclosure."""
    n, system, k = ctx.groups[voter.group]
    tag = f"{label}/{voter.group}/{voter.index}"
    choices = _choices(_rand(ctx.seed, tag), n, system, k)
    ballot, secrets_ = encrypt_ballot(
        choices,
        joint_key=g.Point(ctx.joint_key),
        election_hash=ctx.election_hash,
        group_id=voter.group,
        credential_secret=g.Scalar(voter.secret),
        system=system,
        k=k,
        rng=SeededScalars(ctx.seed, tag),
    )
    return ballot.to_dict(), secrets_.reveal()


def _ballot_chunk(voters: list[tuple[str, Voter]]) -> list[tuple[str, Voter, dict[str, Any], dict[str, Any]]]:
    assert _ctx is not None
    return [(kind, v, *make_ballot(v, _ctx, kind)) for kind, v in voters]


def plain_allocation(doc: dict[str, Any]) -> dict[str, Any]:
    """A simple stand-in for ``stembus seats`` when no allocator is injected: D'Hondt over lists (list
    system) or the most votes (person system), ties by order. Not the legal rules; for tests only."""
    seats = doc["seats"]
    if doc["system"] == "person":
        ranked = sorted(doc["candidates"], key=lambda c: -c["votes"])
        return {"elected": [c["id"] for c in ranked[:seats]]}
    lists = [(lst["id"], sum(c["votes"] for c in lst["candidates"]), lst) for lst in doc["lists"]]
    won = {lid: 0 for lid, _, _ in lists}
    for _ in range(seats):
        best = max(lists, key=lambda x: (x[1] / (won[x[0]] + 1), -lists.index(x)))
        won[best[0]] += 1
    elected = [c["id"] for lid, _, lst in lists for c in lst["candidates"][: won[lid]]]
    return {"elected": elected, "lists": [{"id": lid, "seats": won[lid]} for lid, _, _ in lists]}


def simulate(
    params: SimulationParams,
    out: str | Path,
    *,
    seat_allocator: SeatAllocator | None = None,
    tamper: Tamper | None = None,
) -> dict[str, Any]:
    """Run the election and write its record to ``out`` (directory, or .zip); return a summary."""
    if not 1 <= params.threshold <= params.trustees:
        raise SimulationError("the threshold must lie in 1..trustees")
    if params.voters < params.groups:
        raise SimulationError("need at least one voter per electoral group")
    if params.system not in ("list", "person"):
        raise SimulationError("system is 'list' or 'person'")
    if params.record_version not in rc.SUPPORTED_VERSIONS:
        raise SimulationError(f"record version is one of {rc.supported_text()}")
    if params.replacements and params.record_version < 2:
        raise SimulationError("replacing codes needs record version 2")
    tamper = tamper or Tamper()
    allocator = seat_allocator or plain_allocation
    seed = (params.seed if params.seed is not None else secrets.token_hex(16)).encode()
    manifest = build_manifest(params, seed)
    manifest_hash = rh.manifest_hash(manifest)
    ceremony = run_ceremony(DkgParams(params.trustees, params.threshold, manifest_hash), rng=SeededScalars(seed, "dkg"))
    tr = ceremony.transcript
    keys = {
        "trustees": params.trustees,
        "threshold": params.threshold,
        "joint_key": tr.joint_key.hex(),
        "verification_keys": [tr.verification_keys[j].hex() for j in range(1, params.trustees + 1)],
        "dkg": tr.to_dict(),
    }
    voters: dict[str, list[Voter]] = {}
    cred_groups = []
    for grp in manifest["groups"]:
        rnd = _rand(seed, "codes/" + grp["id"])
        vs = []
        for i in range(grp["register_count"]):
            code = generate_code(rnd.choice)
            x, big_x = derive_credential(code, manifest["election"]["id"], manifest_hash)
            vs.append(Voter(grp["id"], i, code, bytes(x), bytes(big_x)))
        voters[grp["id"]] = vs
        creds = sorted(tamper.credentials(grp["id"], [v.credential for v in vs]))
        cred_groups.append(
            {
                "id": grp["id"],
                "register_count": grp["register_count"],
                "count": len(creds),
                "credentials": [c.hex() for c in creds],
            }
        )
    roots = [
        (c["id"], rh.credential_root(c["id"], c["register_count"], [bytes.fromhex(x) for x in c["credentials"]]))
        for c in cred_groups
    ]
    election_hash = rh.election_hash(params.record_version, manifest_hash, rh.keys_hash(keys), roots)
    ctx = BallotContext(
        election_hash,
        bytes(tr.joint_key),
        seed,
        {
            grp["id"]: (len(rc.parse_manifest(_field(manifest)).groups[gi].options), grp["system"], grp["max_choices"])
            for gi, grp in enumerate(manifest["groups"])
        },
    )
    clock = _Clock()
    with rc.RecordWriter(out) as writer:
        writer.write_json(rc.MANIFEST, manifest)
        writer.write_json(rc.KEYS, keys)
        writer.write_json(rc.CREDENTIALS, {"groups": cred_groups})
        with writer.board() as sink:
            post = _Poster(sink, election_hash, clock)
            post(bd.SETUP, {"election_hash": election_hash.hex(), "manifest_hash": manifest_hash.hex()})
            sums: dict[str, list[elgamal.Ciphertext]] = {}
            counted: dict[str, int] = {}
            replace = _Replacer(seed, manifest["election"]["id"], manifest_hash)
            plan = list(_plan(params, voters, seed, replace))
            jobs = params.jobs or default_jobs()
            replaced: set[bytes] = set()
            for chunk in run_chunked(plan, _ballot_chunk, jobs=jobs, chunk_size=16, initializer=_init, initargs=(ctx,)):
                for kind, voter, ballot, reveal in chunk:
                    if voter.replaced is not None and voter.credential not in replaced:
                        replaced.add(voter.credential)
                        for change, payload in tamper.credential_changes(voter, _replacement_entries(voter)):
                            post(change, payload)
                    if kind == bd.CHALLENGED:
                        post(bd.CHALLENGED, {"ballot": ballot, "reveal": reveal})
                        continue
                    for posted in tamper.ballots(voter, ballot, ctx):
                        post.ballot(posted)
                        gid = posted["group"]
                        counted[gid] = counted.get(gid, 0) + 1
                        cts = [elgamal.Ciphertext.from_dict(s["ciphertext"]) for s in posted["selections"]]
                        prev = sums.get(gid)
                        sums[gid] = cts if prev is None else [elgamal.add(a, b) for a, b in zip(prev, cts, strict=True)]
            parsed = rc.parse_manifest(_field(manifest))
            post(bd.CLOSE, close_payload(counted, parsed))
            tally_groups, seat_groups = [], []
            dec_rng = SeededScalars(seed, "decrypt")
            members = list(range(1, params.threshold + 1))
            for grp in parsed.groups:
                n = len(grp.options)
                agg = sums.get(grp.id) or [elgamal.ZERO_CIPHERTEXT] * n
                member_shares = []
                per_member: dict[int, list[DecryptionShare]] = {}
                for j in members:
                    shares = [
                        make_decryption_share(election_hash, j, ceremony.secret_shares[j], ct, dec_rng) for ct in agg
                    ]
                    per_member[j] = shares
                    member_shares.append(
                        {"member": j, "shares": tamper.shares(grp.id, j, [s.to_dict() for s in shares])}
                    )
                bound = counted.get(grp.id, 0)
                counts = [
                    solve(combine_decryption_shares(ct, [per_member[j][i] for j in members], params.threshold), bound)
                    for i, ct in enumerate(agg)
                ]
                published = tamper.counts(grp.id, counts)
                doc = seat_input(grp, dict(zip(grp.options, published, strict=True)))
                seat_groups.append({"id": grp.id, "input": doc, "output": tamper.seats(grp.id, allocator(doc))})
                tally_groups.append(
                    {
                        "id": grp.id,
                        "ballots": counted.get(grp.id, 0),
                        "aggregate": [ct.to_dict() for ct in agg],
                        "shares": member_shares,
                        "counts": published,
                    }
                )
            tally = {"board_head": "00" * 32, "groups": tally_groups}
            seats_doc = {"groups": seat_groups}
            payloads = tally_payloads(rc.parse_tally(_field(tally, rc.TALLY)), seats_doc)
            for kind in (bd.TALLY, bd.SHARE, bd.RESULT):
                for payload in payloads[kind]:
                    post(kind, payload)
        tally["board_head"] = post.head.hex()
        writer.write_json(rc.TALLY, tally)
        writer.write_json(rc.SEATS, seats_doc)
    return {
        "record": str(out),
        "election_hash": election_hash.hex(),
        "groups": len(parsed.groups),
        "ballots": sum(counted.values()),
        "challenged": sum(1 for kind, _ in plan if kind == bd.CHALLENGED),
        "replacements": len(replaced),
        "board_entries": post.count,
        "counts": {t["id"]: t["counts"] for t in tally_groups},
    }


def _field(obj: Any, name: str = rc.MANIFEST) -> Any:
    from crypto.record_schema import Field

    return Field(name, "", obj)


class _Replacer:
    """Makes the new code of a voter whose code was lost (seeded like every other code)."""

    def __init__(self, seed: bytes, election_id: str, manifest_hash: bytes) -> None:
        self.rnd = _rand(seed, "replacement-codes")
        self.election_id, self.manifest_hash = election_id, manifest_hash

    def __call__(self, voter: Voter) -> Voter:
        code = generate_code(self.rnd.choice)
        x, big_x = derive_credential(code, self.election_id, self.manifest_hash)
        return Voter(voter.group, voter.index, code, bytes(x), bytes(big_x), replaced=voter)


def _replacement_entries(voter: Voter) -> list[tuple[str, dict[str, Any]]]:
    assert voter.replaced is not None
    old = voter.replaced.credential
    return [
        (bd.CREDENTIAL_REVOKED, revocation_payload(voter.group, old, "lost")),
        (bd.CREDENTIAL_ADDED, addition_payload(voter.group, voter.credential, old)),
    ]


def _plan(
    params: SimulationParams, voters: dict[str, list[Voter]], seed: bytes, replace: Callable[[Voter], Voter]
) -> Iterator[tuple[str, Voter]]:
    """Who votes, in which order, where the challenged ballots fall and whose code is replaced (all seeded).

    Replaced codes fall in the second half of the voting, so the first entries are ballots and challenges only.
    """
    rnd = _rand(seed, "plan")
    casting = []
    for vs in voters.values():
        casting += vs[: max(0, round(len(vs) * params.turnout))]
    rnd.shuffle(casting)
    later = range(len(casting) // 2, len(casting))
    for i in rnd.sample(later, min(params.replacements, len(later))):
        casting[i] = replace(casting[i])
    challenge_at = set(rnd.sample(range(len(casting)), min(params.challenged, len(casting))))
    for i, voter in enumerate(casting):
        if i in challenge_at:
            yield bd.CHALLENGED, voter
        yield bd.BALLOT, voter


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def tick(self) -> str:
        self.now += timedelta(seconds=7)
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Poster:
    """Appends entries to the board sink, keeping the chain."""

    def __init__(self, sink: rc.BoardSink, election_hash: bytes, clock: _Clock) -> None:
        self.sink, self.election_hash, self.clock = sink, election_hash, clock
        self.last: bd.Entry | None = None
        self.count = 0

    @property
    def head(self) -> bytes:
        assert self.last is not None
        return bd.entry_hash(self.last)

    def _append(self, kind: str, digest: bytes, payload: Any) -> None:
        self.last = bd.next_entry(self.last, self.election_hash, kind, digest, self.clock.tick())
        self.sink.append(self.last, payload)
        self.count += 1

    def __call__(self, kind: str, payload: Any) -> None:
        self._append(kind, bd.payload_hash(kind, payload), payload)

    def ballot(self, ballot: dict[str, Any]) -> None:
        self._append(bd.BALLOT, bd.ballot_hash(bd.canonical_json(ballot)), ballot)
