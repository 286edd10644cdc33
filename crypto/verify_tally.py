"""The verifier's checks after the board: payload entries, aggregates, decryption shares, counts, seats.

Split from ``crypto.verifier`` to keep each module about one concept; ``check_tally`` is called once
the board walk has recomputed the aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crypto import board as bd
from crypto import group as g
from crypto import record as rc
from crypto import verify_ballots as vb
from crypto import verify_paper as vp
from crypto.ceremony import DkgTranscript, verify_dkg_transcript
from crypto.dlog import DlogError, solve
from crypto.elgamal import Ciphertext, CiphertextError
from crypto.threshold import DecryptionShare, ThresholdError, combine_decryption_shares, verify_decryption_share
from crypto.verify_report import Check, Report

if TYPE_CHECKING:
    from crypto.verifier import BoardFindings

SeatAllocator = Callable[[dict[str, Any]], dict[str, Any]]


def check_keys(keys: rc.Keys, check: Check, params_hash: bytes) -> None:
    """The key-generation transcript verifies and reproduces the joint key and every member's key."""
    problems = dkg_problems(keys, params_hash)
    for problem in problems:
        check.fail(problem)
    if not problems:
        check.passed(f"{keys.threshold}-of-{keys.trustees} key generation transcript verifies")


def dkg_problems(keys: rc.Keys, params_hash: bytes) -> list[str]:
    """What is wrong with ``keys.json``'s transcript and keys (empty: nothing)."""
    try:
        transcript = DkgTranscript.from_dict(keys.dkg)
    except ThresholdError as exc:
        return [f"keys.json: dkg: {exc}"]
    problems = [f"key generation: {p}" for p in verify_dkg_transcript(transcript)]
    if (transcript.params.n, transcript.params.t) != (keys.trustees, keys.threshold):
        problems.append(
            f"the transcript is {transcript.params.t} of {transcript.params.n}, keys.json says "
            f"{keys.threshold} of {keys.trustees}"
        )
    if transcript.params.params_hash != params_hash:
        problems.append("the transcript's params_hash is not the manifest hash")
    if transcript.joint_key != keys.joint_key:
        problems.append("keys.json joint_key is not the transcript's joint key")
    for j, vk in enumerate(keys.verification_keys, start=1):
        if transcript.verification_keys.get(j) != vk:
            problems.append(f"member {j}: verification key differs from the transcript's")
    return problems


def tally_payloads(tally: rc.Tally, seats_raw: Any) -> dict[str, Any]:
    """The payloads the tally, share and result entries must carry, computed from the record's files."""
    members: dict[int, dict[str, Any]] = {}
    for gt in tally.groups:
        for ms in gt.shares:
            members.setdefault(ms.member, {})[gt.group] = list(ms.shares)
    return {
        bd.TALLY: [
            {"group": gt.group, "aggregate_hash": bd.json_hash(list(gt.aggregate)).hex()} for gt in tally.groups
        ],
        bd.SHARE: [{"member": j, "shares_hash": bd.json_hash(members[j]).hex()} for j in sorted(members)],
        bd.RESULT: [
            {
                "counts_hash": bd.json_hash({gt.group: list(gt.counts) for gt in tally.groups}).hex(),
                "seats_hash": bd.json_hash(seats_raw).hex(),
            }
        ],
    }


def close_payload(counted: dict[str, int], manifest: rc.Manifest) -> dict[str, Any]:
    """The payload of the ``close`` entry: the number of counted ballots per group."""
    return {"ballots": {grp.id: counted.get(grp.id, 0) for grp in manifest.groups}}


def check_tally(
    record: rc.RecordReader,
    manifest: rc.Manifest,
    keys: rc.Keys,
    findings: BoardFindings,
    report: Report,
    seat_allocator: SeatAllocator | None,
    election_hash: bytes,
) -> None:
    """Aggregates, board payloads, shares, threshold, counts and seats, in that order."""
    tally = record.tally()
    seats_root = record.read_json(rc.SEATS)
    seats = rc.parse_seats(seats_root)
    ids = [gt.group for gt in tally.groups]
    expected_ids = [grp.id for grp in manifest.groups]
    if ids != expected_ids:
        report["aggregates"].fail(f"tally.json lists groups {ids}, the manifest {expected_ids}")
        return
    _check_payloads(tally, seats_root.value, findings, manifest, report)
    _check_aggregates(tally, manifest, findings, report)
    if report["aggregates"].failure_count:
        return
    _check_decryption(tally, manifest, keys, findings, report, election_hash)
    vp.check_paper_totals(manifest, tally, findings, report["counts"])
    if report["counts"].ok:
        _check_seats(manifest, tally, seats, report, seat_allocator)


def _check_payloads(
    tally: rc.Tally, seats_raw: Any, findings: BoardFindings, manifest: rc.Manifest, report: Report
) -> None:
    check = report["board_payloads"]
    expected = tally_payloads(tally, seats_raw)
    expected[bd.CLOSE] = [close_payload(findings.counted, manifest)]
    for kind in (bd.CLOSE, bd.TALLY, bd.SHARE, bd.RESULT):
        posts = findings.posts.get(kind, [])
        wanted = expected[kind]
        if len(posts) != len(wanted):
            check.fail(f"the board has {len(posts)} {kind!r} entries, the record implies {len(wanted)}")
            continue
        for (entry, line, payload), want in zip(posts, wanted, strict=True):
            if payload != want:
                check.fail(
                    f"{kind} entry seq {entry.seq} (line {line}): payload {_short(payload)} should be {_short(want)}"
                )
            elif entry.payload_hash != bd.payload_hash(kind, payload):
                check.fail(f"{kind} entry seq {entry.seq} (line {line}): payload does not match its hash")
    paper = vp.check_paper_entries(tally, findings, check)
    if findings.head is not None and tally.board_head != findings.head:
        check.fail(f"tally.json board_head {tally.board_head.hex()[:16]}… is not the board's head")
    if not check.failure_count:
        kinds = "close, tally, paper_count, share and result" if paper else "close, tally, share and result"
        check.passed(f"{kinds} entries commit to this record's files")


def _short(obj: Any) -> str:
    text = bd.canonical_json(obj).decode()
    return text if len(text) < 120 else text[:117] + "..."


def _check_aggregates(tally: rc.Tally, manifest: rc.Manifest, findings: BoardFindings, report: Report) -> None:
    check = report["aggregates"]
    for grp, gt in zip(manifest.groups, tally.groups, strict=True):
        counted = findings.counted.get(grp.id, 0)
        if gt.ballots != counted:
            check.fail(f"group {grp.id}: tally.json counts {gt.ballots} ballots, the board has {counted}")
        if len(gt.aggregate) != len(grp.options):
            check.fail(f"group {grp.id}: {len(gt.aggregate)} aggregate ciphertexts for {len(grp.options)} options")
            continue
        mine = findings.sums.get(grp.id) or vb.zero_sums(len(grp.options))
        for i, (published, option) in enumerate(zip(gt.aggregate, grp.options, strict=True)):
            try:
                ct = Ciphertext.from_dict(published, allow_identity=True)
            except CiphertextError as exc:
                check.fail(f"group {grp.id}, option {i} ({option}): malformed aggregate: {exc}")
                continue
            if ct != vb.sum_ciphertext(mine, i):
                check.fail(f"group {grp.id}, option {i} ({option}): aggregate is not the sum of the counted ballots")
    if not check.failure_count:
        check.passed(f"{sum(len(g.options) for g in manifest.groups)} aggregate ciphertext(s) recomputed")


def _check_decryption(
    tally: rc.Tally,
    manifest: rc.Manifest,
    keys: rc.Keys,
    findings: BoardFindings,
    report: Report,
    election_hash: bytes,
) -> None:
    shares_check, thr, counts_check = report["decryption_shares"], report["threshold"], report["counts"]
    total_shares = 0
    for grp, gt in zip(manifest.groups, tally.groups, strict=True):
        cts = [
            vb.sum_ciphertext(findings.sums.get(grp.id) or vb.zero_sums(len(grp.options)), i)
            for i in range(len(grp.options))
        ]
        good: dict[int, list[DecryptionShare]] = {}
        seen: set[int] = set()
        for ms in gt.shares:
            where = f"group {grp.id}, member {ms.member}"
            if ms.member in seen:
                shares_check.fail(f"{where}: shares published twice")
                continue
            seen.add(ms.member)
            if ms.member > keys.trustees:
                shares_check.fail(f"{where}: no such committee member (there are {keys.trustees})")
                continue
            if len(ms.shares) != len(grp.options):
                shares_check.fail(f"{where}: {len(ms.shares)} shares for {len(grp.options)} options")
                continue
            parsed: list[DecryptionShare] = []
            vk = g.point_from_bytes(keys.verification_keys[ms.member - 1])
            for i, (raw, option) in enumerate(zip(ms.shares, grp.options, strict=True)):
                total_shares += 1
                try:
                    share = DecryptionShare.from_dict(raw, "share")
                except ThresholdError as exc:
                    shares_check.fail(f"{where}, option {i} ({option}): malformed share: {exc}")
                    continue
                if share.member != ms.member:
                    shares_check.fail(f"{where}, option {i} ({option}): share names member {share.member}")
                elif not verify_decryption_share(share, cts[i], vk, election_hash):
                    shares_check.fail(f"{where}, option {i} ({option}): decryption proof does not verify")
                else:
                    parsed.append(share)
            if len(parsed) == len(grp.options):
                good[ms.member] = parsed
        if len(good) < keys.threshold:
            thr.fail(
                f"group {grp.id}: {len(good)} member(s) with valid shares ({sorted(good)}), "
                f"the threshold is {keys.threshold}"
            )
            continue
        counts = combine_counts(cts, good, keys.threshold, max(gt.ballots, findings.counted.get(grp.id, 0)))
        report.counts[grp.id] = {}
        if len(gt.counts) != len(grp.options):
            counts_check.fail(f"group {grp.id}: {len(gt.counts)} counts for {len(grp.options)} options")
            continue
        for i, (option, published, mine) in enumerate(zip(grp.options, gt.counts, counts, strict=True)):
            if mine is None:
                counts_check.fail(
                    f"group {grp.id}, option {i} ({option}): the decryption is no count up to the ballots cast"
                )
                continue
            report.counts[grp.id][option] = mine
            if mine != published:
                counts_check.fail(f"group {grp.id}, option {i} ({option}): published {published}, decrypts to {mine}")
    if not shares_check.failure_count:
        shares_check.passed(f"{total_shares} share proof(s) verified")
    if not thr.failure_count:
        thr.passed(f"at least {keys.threshold} of {keys.trustees} members in every group")
    if not counts_check.failure_count and not thr.failure_count:
        counts_check.passed("every published count reproduced")


def combine_counts(
    cts: list[Ciphertext], good: dict[int, list[DecryptionShare]], t: int, bound: int
) -> list[int | None]:
    """Combine the shares of the ``t`` lowest-numbered valid members and solve each count (0..bound)."""
    members = sorted(good)[:t]
    out: list[int | None] = []
    for i, ct in enumerate(cts):
        point = combine_decryption_shares(ct, [good[j][i] for j in members], t)
        try:
            out.append(solve(point, bound))
        except DlogError:
            out.append(None)
    return out


def seat_input(grp: rc.Group, counts: dict[str, int], invalid: int = 0) -> dict[str, Any]:
    """The ``stembus seats`` input for one group, from the manifest's rules and the verified counts.

    In a hybrid election ``counts`` are the online and paper votes added together and ``invalid`` the
    invalid paper ballots (an online ballot is valid or blank by construction).
    """
    doc: dict[str, Any] = {"system": grp.system, "seats": grp.seats, **grp.rules}
    if grp.system == "list":
        doc["lists"] = [
            {"id": lst.id, "candidates": [{"id": c.id, "votes": counts[c.id]} for c in lst.candidates]}
            for lst in grp.lists
        ]
        doc["candidates"] = []
    else:
        doc["lists"] = []
        doc["candidates"] = [{"id": c.id, "votes": counts[c.id]} for c in grp.candidates]
    doc["blank"] = counts[rc.BLANK]
    doc["invalid"] = invalid
    return doc


def _check_seats(
    manifest: rc.Manifest,
    tally: rc.Tally,
    seats: tuple[rc.GroupSeats, ...],
    report: Report,
    seat_allocator: SeatAllocator | None,
) -> None:
    check = report["seats"]
    ids = [s.group for s in seats]
    if ids != [grp.id for grp in manifest.groups]:
        check.fail(f"seats.json lists groups {ids}, the manifest {[grp.id for grp in manifest.groups]}")
        return
    paper = {gt.group: gt.paper for gt in tally.groups}
    for grp, gs in zip(manifest.groups, seats, strict=True):
        # Hybrid voting (domain 8 item 15): online and paper votes are added before the allocation.
        doc = seat_input(grp, *vp.with_paper(grp, report.counts[grp.id], paper.get(grp.id)))
        public_seed = gs.input.get("lot_seed")
        if isinstance(public_seed, str):  # the committee may fix the lot seed in public after closing
            doc["lot_seed"] = public_seed
        if gs.input != doc:
            check.fail(f"group {grp.id}: seats.json input {_short(gs.input)} should be {_short(doc)}")
            continue
        if seat_allocator is None:
            continue
        try:
            mine = seat_allocator(doc)
        except Exception as exc:
            check.fail(f"group {grp.id}: the seat allocation cannot be recomputed: {exc}")
            continue
        report.seats[grp.id] = mine
        if mine != gs.output:
            diff = sorted(k for k in set(mine) | set(gs.output) if mine.get(k) != gs.output.get(k))
            check.fail(f"group {grp.id}: published seat allocation differs in {', '.join(diff)}")
    if not check.failure_count:
        if seat_allocator is None:
            check.passed("seat inputs match the counts; allocation not recomputed (no allocator given)")
        else:
            check.passed(f"seat allocation recomputed for {len(seats)} group(s)")
