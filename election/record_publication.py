"""Freezing and publishing the election record of a counted election.

**Frozen.** Once the result exists (seats allocated), the record .zip is built once from the stored
election (:func:`election.count_record.export_record`, the same files and zip settings as the
committee's download) and its bytes are stored in pieces with their SHA-256. From then on every
download, the auditor page and the server-side checks use those stored bytes, so the hash can
never change; ``stembus check`` re-hashes them and compares the board with the one frozen.

**Published.** Making the record public is a committee step, not automatic at the result: the record
holds the counts and the seats, so publishing it discloses the result, and the committee decides
when the result is announced (domain 8 item 22: result letters to employer, staff, candidates and
unions). The step is refused until the result has been announced (the step to RESULT_ANNOUNCED);
then any member with election powers takes it, audit-logged with the hash. The public download
needs no login and carries the hash on the page and in a ``.sha256`` companion file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crypto import record as rc
from crypto import record_hashes as rh
from election import audit_log
from election.board_store import head_hash
from election.count_record import CountError, export_record
from election.invariants import CheckContext, invariant
from election.models import BoardEntry, Election
from election.models.record import PublishedRecord, PublishedRecordChunk
from election.procedure import Phase, precedes

CHUNK_BYTES = 4 * 1024 * 1024
# The committee's download (election.count_record.record_zip) uses the same fixed settings, so both
# give the same bytes; a test holds them to that.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


class RecordRefused(Exception):
    """A record step that may not be taken; ``code`` selects the message shown."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class RecordFile:
    """One file inside the record, with its size and SHA-256."""

    name: str
    size: int
    sha256: str


def record_of(db: Session, election_id: int) -> PublishedRecord | None:
    """The frozen record of the election, if it has been frozen."""
    return db.scalars(select(PublishedRecord).where(PublishedRecord.election_id == election_id)).one_or_none()


def published_record(db: Session, election_id: int) -> PublishedRecord | None:
    """The record, only if the committee published it and it has not been destroyed."""
    record = record_of(db, election_id)
    if record is None or record.published_at is None or record.destroyed_at is not None:
        return None
    return record


def freeze_record(db: Session, election: Election, actor: str, now: datetime) -> PublishedRecord:
    """Build and store the record once; later calls return the stored one unchanged.

    Refuses with ``CountError`` ("no_result") before the seats are allocated. Two requests that
    freeze at the same moment store one record: the unique election id makes the second one
    read the first one's row.
    """
    existing = record_of(db, election.id)
    if existing is not None:
        return existing
    with tempfile.TemporaryDirectory(prefix="stembus-record-") as tmp:
        files = Path(tmp) / "files"
        export_record(db, election, files)
        overview, entries = _overview(files)
        archive = Path(tmp) / "record.zip"
        _write_zip(files, archive)
        digest, size = _sha256(archive)
        row = PublishedRecord(
            election_id=election.id,
            sha256=digest,
            size=size,
            board_entries=entries,
            overview=json.dumps(overview, sort_keys=True, ensure_ascii=False),
            frozen_at=now,
        )
        try:
            with db.begin_nested():
                db.add(row)
                db.flush()
        except IntegrityError:
            stored = record_of(db, election.id)
            assert stored is not None
            return stored
        _store_chunks(db, row.id, archive)
    audit_log.record(db, actor, "record_frozen", election.id, sha256=digest, size=size, board_entries=entries)
    return row


def publish_record(db: Session, election: Election, actor: str, now: datetime) -> PublishedRecord:
    """Make the record public (freezing it first if needed), once the result has been announced."""
    if precedes(Phase(election.phase), Phase.RESULT_ANNOUNCED):
        raise RecordRefused("not_announced", "the result has not been announced yet")
    record = freeze_record(db, election, actor, now)
    if record.destroyed_at is not None:
        raise RecordRefused("destroyed", "the record was destroyed after its retention period")
    if record.published_at is not None:
        raise RecordRefused("already_published", "the record has already been published")
    record.published_at = now
    record.published_by = actor
    db.flush()
    audit_log.record(db, actor, "record_published", election.id, sha256=record.sha256)
    return record


def record_bytes(db: Session, record_id: int) -> Iterator[bytes]:
    """The stored record, piece by piece (never the whole record in memory)."""
    ids = db.scalars(
        select(PublishedRecordChunk.id)
        .where(PublishedRecordChunk.record_id == record_id)
        .order_by(PublishedRecordChunk.seq)
    ).all()
    for chunk_id in ids:
        data = db.scalar(select(PublishedRecordChunk.data).where(PublishedRecordChunk.id == chunk_id))
        if data is not None:
            yield bytes(data)


def stream_record(factory: sessionmaker[Session], record_id: int) -> Iterator[bytes]:
    """Like :func:`record_bytes` in a session of its own, for a response streamed after the view returned."""
    with factory() as db:
        yield from record_bytes(db, record_id)


def write_record(db: Session, record: PublishedRecord, target: Path) -> None:
    """Copy the stored record to ``target`` (for the server-side checks)."""
    with target.open("wb") as fh:
        for piece in record_bytes(db, record.id):
            fh.write(piece)


def overview_of(record: PublishedRecord) -> dict[str, Any]:
    """The readable overview stored with the record (see :func:`_overview` for its keys)."""
    data: dict[str, Any] = json.loads(record.overview)
    return data


def sha256_line(record: PublishedRecord, filename: str) -> str:
    """The ``.sha256`` companion's single line, in the format ``sha256sum --check`` reads."""
    return f"{record.sha256}  {filename}\n"


# --- building -----------------------------------------------------------------------------------


def _write_zip(files: Path, archive: Path) -> None:
    """Zip the record files in their fixed order with fixed timestamps, streaming each file."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in rc.FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with (files / name).open("rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, CHUNK_BYTES)


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while piece := fh.read(CHUNK_BYTES):
            h.update(piece)
            size += len(piece)
    return h.hexdigest(), size


def _store_chunks(db: Session, record_id: int, archive: Path) -> None:
    with archive.open("rb") as fh:
        seq = 0
        while piece := fh.read(CHUNK_BYTES):
            chunk = PublishedRecordChunk(record_id=record_id, seq=seq, data=piece)
            db.add(chunk)
            db.flush()
            db.expunge(chunk)  # keep only one piece in memory at a time
            seq += 1


def _file_facts(files: Path) -> list[RecordFile]:
    out = []
    for name in rc.FILES:
        digest, size = _sha256(files / name)
        out.append(RecordFile(name, size, digest))
    return out


def _board_facts(files: Path) -> tuple[int, dict[str, int]]:
    """How many entries the board has, per entry type (one pass, one line at a time)."""
    per_type: dict[str, int] = {}
    lines = 0
    with (files / rc.BOARD).open("rb") as fh:
        for raw in fh:
            lines += 1
            kind = json.loads(raw).get("type", "?")
            per_type[kind] = per_type.get(kind, 0) + 1
    return lines, per_type


def _overview(files: Path) -> tuple[dict[str, Any], int]:
    """What the auditor page shows, read back from the record's own files (not from the database).

    Keys: ``election``, ``hashes`` (manifest and election hash recomputed from the files),
    ``committee`` (threshold, joint key, members' verification keys), ``groups`` (register count and
    published credentials per group), ``board`` (entries per type and head), ``manifest``,
    ``tally`` (online ballots and counts per group, and ``paper``: the group's paper totals in a hybrid
    election, else ``None``), ``seats`` (the allocation per group) and ``files``.
    """
    with rc.RecordReader(files) as reader:
        manifest = reader.manifest()
        keys = reader.keys()
        credentials = reader.credentials()
        tally = reader.tally()
        seats = reader.seats()
    manifest_digest = rh.manifest_hash(manifest.raw)
    roots = [(cl.group, rh.credential_root(cl.group, cl.register_count, cl.credentials)) for cl in credentials]
    election_digest = rh.election_hash(manifest.version, manifest_digest, rh.keys_hash(keys.raw), roots)
    entries, per_type = _board_facts(files)
    published = {cl.group: cl for cl in credentials}
    overview = {
        "election": manifest.raw.get("election", {}),
        "hashes": {"manifest": manifest_digest.hex(), "election": election_digest.hex()},
        "committee": {
            "trustees": keys.trustees,
            "threshold": keys.threshold,
            "joint_key": keys.joint_key.hex(),
            "verification_keys": [vk.hex() for vk in keys.verification_keys],
        },
        "groups": [
            {
                "id": grp.id,
                "name": grp.name,
                "system": grp.system,
                "seats": grp.seats,
                "register_count": grp.register_count,
                "credentials": len(published[grp.id].credentials) if grp.id in published else 0,
            }
            for grp in manifest.groups
        ],
        "board": {"entries": entries, "per_type": per_type, "head": tally.board_head.hex()},
        "manifest": manifest.raw,
        "tally": {
            t.group: {
                "ballots": t.ballots,
                "counts": list(t.counts),
                "paper": t.paper.to_dict() if t.paper is not None else None,
            }
            for t in tally.groups
        },
        "seats": {"groups": [{"id": s.group, "output": s.output} for s in seats]},
        "files": [vars(f) for f in _file_facts(files)],
    }
    return overview, entries


# --- invariants for ``stembus check`` --------------------------------------------------------------


@invariant("record.frozen_bytes_unchanged")
def frozen_bytes_unchanged(session: Session, context: CheckContext) -> Iterator[str]:
    """Every frozen election record still hashes to the SHA-256 shown when it was frozen."""
    for record in session.scalars(
        select(PublishedRecord).where(PublishedRecord.destroyed_at.is_(None)).order_by(PublishedRecord.id)
    ):
        h = hashlib.sha256()
        size = 0
        pieces = session.execute(
            select(PublishedRecordChunk.seq, PublishedRecordChunk.data)
            .where(PublishedRecordChunk.record_id == record.id)
            .order_by(PublishedRecordChunk.seq)
            .execution_options(yield_per=1)
        )
        for expected, (seq, data) in enumerate(pieces):
            if seq != expected:
                yield f"record of election {record.election_id}: piece {expected} is missing"
                break
            h.update(data)
            size += len(data)
        else:
            if size != record.size or h.hexdigest() != record.sha256:
                yield (
                    f"record of election {record.election_id}: stored bytes hash to {h.hexdigest()[:16]}… "
                    f"({size} bytes), frozen as {record.sha256[:16]}… ({record.size} bytes)"
                )


@invariant("record.board_unchanged_since_frozen")
def board_unchanged_since_frozen(session: Session, context: CheckContext) -> Iterator[str]:
    """No bulletin board changed after its election's record was frozen (same entries, same head)."""
    for record in session.scalars(
        select(PublishedRecord).where(PublishedRecord.destroyed_at.is_(None)).order_by(PublishedRecord.id)
    ):
        frozen = overview_of(record)["board"]
        entries = session.scalar(select(func.count()).where(BoardEntry.election_id == record.election_id))
        head = head_hash(session, record.election_id)
        if entries != frozen["entries"]:
            yield f"election {record.election_id}: the board has {entries} entries, the record {frozen['entries']}"
        elif head != frozen["head"]:
            yield f"election {record.election_id}: the board head is {head}, the record's {frozen['head']}"


__all__ = [
    "CountError",
    "RecordRefused",
    "freeze_record",
    "publish_record",
    "published_record",
    "record_bytes",
    "record_of",
    "stream_record",
]
