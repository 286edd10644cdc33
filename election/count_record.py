"""The published election record of a counted election, written with ``crypto.record.RecordWriter``.

The record holds everything an auditor needs to recompute the count (``docs/election-record.md``):
the frozen manifest, the keys, the credential lists, the whole board with every payload, the tally
with every trustee's decryption shares and the counts, and the seat allocation. The .zip offered for
download is built with fixed timestamps and file order, so its SHA-256 is the same on every download.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from crypto import record as rc
from election.board_store import entries, to_entry
from election.models import Election
from election.tally_store import CountError, count_of, opened_identity, tally_json
from election.voting_codes import credential_lists, manifest_of

_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def export_record(db: Session, election: Election, path: str | Path) -> None:
    """Write the record of a counted election to ``path`` (a directory, or a .zip)."""
    tally = tally_json(db, election)  # refuses before the result
    count = count_of(db, election.id)
    identity = opened_identity(db, election.id)
    assert count is not None and count.seats is not None and identity.keys is not None
    with rc.RecordWriter(path) as writer:
        writer.write_json(rc.MANIFEST, manifest_of(identity))
        writer.write_json(rc.KEYS, json.loads(identity.keys))
        writer.write_json(rc.CREDENTIALS, {"groups": credential_lists(db, identity)})
        with writer.board() as sink:
            for row in entries(db, election.id):
                sink.append(to_entry(row), json.loads(row.payload))
        writer.write_json(rc.TALLY, tally)
        writer.write_json(rc.SEATS, json.loads(count.seats))


def record_zip(db: Session, election: Election) -> tuple[bytes, str]:
    """The record as a reproducible .zip and its SHA-256 (hex)."""
    with tempfile.TemporaryDirectory(prefix="stembus-record-") as tmp:
        export_record(db, election, tmp)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in rc.FILES:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, (Path(tmp) / name).read_bytes())
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


__all__ = ["CountError", "export_record", "record_zip"]
