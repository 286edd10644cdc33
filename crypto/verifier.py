"""The auditor's verifier: re-check a whole election from its published record alone.

``verify_record(path)`` trusts nothing in the record. It recomputes the manifest hash, the credential-list
roots and the election identity ``H_E``; checks the key-generation transcript and the credential lists;
walks the bulletin board once, streaming, checking the chain in this process while ballot proofs and
signatures are checked in worker processes chunk by chunk (memory stays flat however long the board);
recomputes every aggregate from the counted ballots; checks every decryption share's proof, that at
least ``t`` distinct members took part, that Lagrange combination and discrete logs give the published
counts; and recomputes the seat allocation with the injected ``seat_allocator``.

The result is a ``Report`` of named checks (``crypto.verify_report.CHECKS``), each failure naming its
culprit: ballot seq, credential, member, group or option. A record that cannot be read at all (missing
file, bad JSON, wrong field types) raises ``RecordError`` instead. Checks whose inputs failed are
reported as not checked, never as passed.

The order of checks, and what each covers, is documented in ``docs/election-record.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crypto import board as bd
from crypto import group as g
from crypto import record as rc
from crypto import record_hashes as rh
from crypto import verify_ballots as vb
from crypto import verify_tally as vt
from crypto.credential_book import CredentialBook
from crypto.record_schema import Field
from crypto.verify_parallel import Progress, default_jobs, run_chunked
from crypto.verify_report import Report

SeatAllocator = Callable[[dict[str, Any]], dict[str, Any]]

DEFAULT_CHUNK = 32


@dataclass
class Setup:
    """What the board and tally checks need from manifest, keys and credentials."""

    manifest: rc.Manifest
    keys: rc.Keys
    election_hash: bytes
    manifest_hash: bytes
    credentials: dict[str, frozenset[bytes]]


@dataclass
class BoardFindings:
    """What the board walk found, for the tally checks."""

    head: bytes | None = None
    counted: dict[str, int] = field(default_factory=dict)
    sums: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    posts: dict[str, list[tuple[bd.Entry, int, Any]]] = field(default_factory=dict)
    entries: int = 0
    challenged: int = 0
    paper_marks: dict[str, int] = field(default_factory=dict)  # credential_disabled entries per group


def verify_record(
    path: str | Path,
    *,
    seat_allocator: SeatAllocator | None = None,
    jobs: int | None = None,
    progress: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
) -> Report:
    """Verify the record at ``path`` (directory or .zip) and return the report.

    ``jobs`` is the number of processes for ballot checks (default: every core). ``progress`` writes
    throttled progress lines to stderr. Raises ``RecordError`` when the record cannot be read.
    """
    report = Report()
    with rc.RecordReader(path) as record:
        setup = check_setup(record, report)
        if setup is None:
            report.skip_rest("the record's set-up (version, manifest, keys or credentials) is not valid")
            return report
        findings = check_board(record, setup, report, jobs or default_jobs(), progress, chunk_size)
        vt.check_tally(record, setup.manifest, setup.keys, findings, report, seat_allocator, setup.election_hash)
    report.summary = {
        "election": setup.manifest.election_id,
        "election_hash": setup.election_hash.hex(),
        "board_entries": findings.entries,
        "board_head": findings.head.hex() if findings.head else None,
        "ballots": findings.counted,
        "challenged": findings.challenged,
    }
    report.skip_rest("an earlier check failed")
    return report


# --- version, manifest, keys, credentials --------------------------------------------------------


def check_setup(record: rc.RecordReader, report: Report) -> Setup | None:
    """Run the checks that need no board; return what the later checks need, or None if they cannot run."""
    root = record.read_json(rc.MANIFEST)
    root.obj()
    version = report["version"]
    fmt, ver = root.value.get("format"), root.value.get("version")
    if fmt != rc.FORMAT:
        version.fail(f"manifest.json: format is {fmt!r}, not {rc.FORMAT!r}")
        return None
    if not isinstance(ver, int) or isinstance(ver, bool) or ver not in rc.SUPPORTED_VERSIONS:
        version.fail(f"manifest.json: record version {ver!r} is not supported (known: {rc.supported_text()})")
        return None
    version.passed(f"{rc.FORMAT} version {ver}")

    manifest = rc.parse_manifest(root)
    keys = record.keys()
    lists = record.credentials()
    m_check = report["manifest"]
    manifest_hash = rh.manifest_hash(manifest.raw)
    if (keys.trustees, keys.threshold) != (manifest.trustees, manifest.threshold):
        m_check.fail(
            f"keys.json has {keys.threshold} of {keys.trustees} members, the manifest "
            f"{manifest.threshold} of {manifest.trustees}"
        )
    vt.check_keys(keys, report["keys"], manifest_hash)
    credentials = check_credentials(manifest, lists, report)
    roots = [(cl.group, rh.credential_root(cl.group, cl.register_count, cl.credentials)) for cl in lists]
    election_hash = rh.election_hash(manifest.version, manifest_hash, rh.keys_hash(keys.raw), roots)
    if not m_check.failure_count:
        m_check.passed(
            f"{len(manifest.groups)} electoral group(s); manifest hash {manifest_hash.hex()[:16]}…, "
            f"election hash {election_hash.hex()[:16]}… (compared with the setup entry)"
        )
    if report["keys"].failure_count or credentials is None:
        return None
    return Setup(manifest, keys, election_hash, manifest_hash, credentials)


def check_credentials(
    manifest: rc.Manifest, lists: tuple[rc.CredentialList, ...], report: Report
) -> dict[str, frozenset[bytes]] | None:
    """Credential lists: one per group, sorted, distinct, valid non-identity points, within the register."""
    check = report["credentials"]
    ids = [cl.group for cl in lists]
    expected = [grp.id for grp in manifest.groups]
    if ids != expected:
        check.fail(f"credentials.json lists groups {ids}, the manifest {expected} (same order required)")
        return None
    out: dict[str, frozenset[bytes]] = {}
    total = 0
    for grp, cl in zip(manifest.groups, lists, strict=True):
        if cl.register_count != grp.register_count:
            check.fail(
                f"group {grp.id}: register count {cl.register_count} differs from the manifest's {grp.register_count}"
            )
        if len(cl.credentials) > grp.register_count:
            check.fail(f"group {grp.id}: {len(cl.credentials)} credentials for {grp.register_count} registered voters")
        previous = b""
        for i, cred in enumerate(cl.credentials):
            if cred <= previous:
                what = "repeated" if cred == previous else "out of order"
                check.fail(f"group {grp.id}: credential {i} ({cred.hex()[:16]}…) is {what}")
            previous = cred
            try:
                g.point_from_bytes(cred)
            except g.GroupError as exc:
                check.fail(f"group {grp.id}: credential {i} ({cred.hex()[:16]}…): {exc}")
        out[grp.id] = frozenset(cl.credentials)
        total += len(cl.credentials)
    if not check.failure_count:
        check.passed(f"{total} credential(s) in {len(lists)} group(s)")
    return out


# --- the board ---------------------------------------------------------------------------------------


def check_board(
    record: rc.RecordReader, setup: Setup, report: Report, jobs: int, progress: bool, chunk_size: int
) -> BoardFindings:
    """Walk the board once: chain, eligibility, duplicates here; ballot proofs in worker processes."""
    findings = BoardFindings()
    chain, eligibility, once = report["board_chain"], report["eligibility"], report["one_ballot_per_credential"]
    seen: dict[str, dict[bytes, tuple[int, int]]] = {grp.id: {} for grp in setup.manifest.groups}
    book = CredentialBook.from_lists(setup.credentials)
    state = bd.ChainState()
    broken = False
    meter = Progress("verifying board entries", progress)

    def follow(info: vb.LineInfo) -> None:
        """The checks that need the board's order, in this process, one line at a time."""
        nonlocal broken
        entry = info.entry
        findings.entries += 1
        meter.update(findings.entries)
        if not broken:
            try:
                bd.check_next(state, entry, setup.election_hash)
            except bd.BoardError as exc:
                chain.fail(f"board.jsonl line {info.line}, seq {exc.seq}: {exc}")
                broken = True
        if entry.type == bd.BALLOT:
            group_id, credential = info.group_id, info.credential
            where = f"ballot seq {entry.seq} (line {info.line})"
            if group_id not in seen:
                eligibility.fail(f"{where}: unknown electoral group {group_id!r}")
            else:
                # Every ballot entry counts as posted; the checks below say whether it should have been.
                findings.counted[group_id] = findings.counted.get(group_id, 0) + 1
                # Listed when voting opened, or added by a replacement, and not retired before this ballot.
                if credential is None:
                    eligibility.fail(f"{where}: credential missing is not listed for group {group_id}")
                elif (problem := book.ballot(group_id, credential, entry.seq)) is not None:
                    eligibility.fail(f"{where}: {problem}")
                else:
                    first = seen[group_id].setdefault(credential, (info.line, entry.seq))
                    if first[0] != info.line:
                        once.fail(
                            f"{where}: credential {credential.hex()[:16]}… already cast ballot seq {first[1]}"
                            f" (line {first[0]})"
                        )
        elif entry.type == bd.CHALLENGED:
            findings.challenged += 1
            book.other()
        elif entry.type in bd.RETIRING_TYPES or entry.type in bd.ADDING_TYPES:
            check_credential_entry(book, setup, entry, info, report)
            if entry.type == bd.CREDENTIAL_DISABLED and isinstance(info.payload, dict):
                # A voter who voted on paper: the paper count of their group may hold one more ballot.
                group = str(info.payload.get("group"))
                findings.paper_marks[group] = findings.paper_marks.get(group, 0) + 1
        else:
            book.other()
            findings.posts.setdefault(entry.type, []).append((entry, info.line, info.payload))

    context = vb.WorkerContext(
        election_hash=setup.election_hash,
        joint_key=setup.keys.joint_key,
        groups={grp.id: vb.GroupParams(len(grp.options), grp.system, grp.max_choices) for grp in setup.manifest.groups},
    )
    ballots = report["ballots"]
    challenged = report["challenged"]
    checked = 0
    for result in run_chunked(
        record.iter_board_lines(),
        vb.verify_chunk,
        jobs=jobs,
        chunk_size=chunk_size,
        initializer=vb.init_worker,
        initargs=(context,),
    ):
        for info in result.lines:
            follow(info)
        checked += result.checked
        for check_name, message in result.failures:
            (challenged if check_name == "challenged" else ballots).fail(message)
        for group_id, partial in result.sums.items():
            findings.sums[group_id] = vb.add_sums(findings.sums.get(group_id), partial)
    meter.finish(findings.entries)
    findings.head = state.head if not broken else None
    if state.head is None and not broken:
        chain.fail("board.jsonl: the board is empty")
    if not chain.failure_count:
        chain.passed(f"{findings.entries} entries, head {state.head.hex()[:16] if state.head else '-'}…")
    counted = sum(findings.counted.values())
    if not ballots.failure_count:
        ballots.passed(f"{counted} ballot(s) verified over {jobs} process(es)")
    if not eligibility.failure_count:
        changes = f"; {book.changes} credential change(s) applied in board order" if book.changes else ""
        eligibility.passed(f"{counted} ballot(s), each under a listed credential{changes}")
    if not once.failure_count:
        once.passed(f"{counted} distinct credential(s)")
    if not challenged.failure_count:
        challenged.passed(f"{findings.challenged} challenged ballot(s) opened, none counted")
    check_setup_entry(findings, setup, report)
    return findings


def check_credential_entry(
    book: CredentialBook, setup: Setup, entry: bd.Entry, info: vb.LineInfo, report: Report
) -> None:
    """A retiring or adding entry: legal at its place (``crypto.credential_book``), payload matching its hash."""
    where = f"board.jsonl line {info.line}"
    if entry.type in (bd.CREDENTIAL_REVOKED, bd.CREDENTIAL_ADDED) and setup.manifest.version < 2:
        report["eligibility"].fail(f"{where}: a version 1 record has no {entry.type} entries (seq {entry.seq})")
    problem = book.step(entry.type, entry.seq, info.payload)
    if problem is not None:
        report["eligibility"].fail(f"{where}: {problem}")
    try:
        digest = bd.payload_hash(entry.type, info.payload)
    except bd.BoardError as exc:
        report["board_payloads"].fail(f"{entry.type} entry seq {entry.seq} ({where}): {exc}")
        return
    if entry.payload_hash != digest:
        report["board_payloads"].fail(f"{entry.type} entry seq {entry.seq} ({where}): payload does not match its hash")


def check_setup_entry(findings: BoardFindings, setup: Setup, report: Report) -> None:
    """The setup entry names the election hash and manifest hash the verifier recomputed."""
    posts = findings.posts.get(bd.SETUP, [])
    check = report["manifest"]
    if len(posts) != 1:
        check.fail(f"the board has {len(posts)} setup entries, not 1")
        return
    entry, line, payload = posts[0]
    expected = {"election_hash": setup.election_hash.hex(), "manifest_hash": setup.manifest_hash.hex()}
    f = Field(rc.BOARD, "payload", payload, line).obj({"election_hash", "manifest_hash"})
    for key, value in expected.items():
        if f.get(key).value != value:
            check.fail(
                f"setup entry (seq {entry.seq}) names {key} {str(f.get(key).value)[:16]}…, recomputed {value[:16]}…"
            )
    if entry.payload_hash != bd.payload_hash(bd.SETUP, payload):
        report["board_payloads"].fail(f"setup entry (seq {entry.seq}): payload does not match its hash")
