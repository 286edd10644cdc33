"""Files that come with lists: paper-list scans, signed consent forms and candidates' photos.

Only what is needed is accepted, and checked by content rather than by name: a scan is a PDF or a
PNG/JPEG image of at most :data:`SCAN_MAX_BYTES`; a photo is a PNG or JPEG of at most
:data:`PHOTO_MAX_BYTES`, decoded and re-encoded as a small JPEG so that nothing but pixels (no
metadata, no hidden payload) is stored.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PIL import Image, UnidentifiedImageError

from election.models import ListFile

SCAN_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_EDGE = 600


class FileRefused(ValueError):
    """A file that is not accepted: ``code`` is ``too_large``, ``wrong_type``, ``empty`` or ``missing``."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    """A checked file, ready to store."""

    content_type: str
    content: bytes

    def row(self, list_id: int, kind: str, now: datetime, candidacy_id: int | None = None) -> ListFile:
        """The database row for this file."""
        return ListFile(
            list_id=list_id,
            candidacy_id=candidacy_id,
            kind=kind,
            content_type=self.content_type,
            size=len(self.content),
            sha256=hashlib.sha256(self.content).hexdigest(),
            content=self.content,
            uploaded_at=now,
        )


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def read_limited(stream: Any, limit: int) -> bytes:
    """Read at most ``limit`` + 1 bytes, so an oversized upload is never held in memory whole."""
    data: bytes = stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused("too_large", limit)
    return data


def check_scan(data: bytes) -> StoredFile:
    """A paper list or consent form: PDF, PNG or JPEG, at most SCAN_MAX_BYTES."""
    if not data:
        raise FileRefused("empty")
    if len(data) > SCAN_MAX_BYTES:
        raise FileRefused("too_large", SCAN_MAX_BYTES)
    kind = _sniff(data)
    if kind is None:
        raise FileRefused("wrong_type")
    return StoredFile(kind, data)


def check_photo(data: bytes) -> StoredFile:
    """A candidate's photo: PNG or JPEG up to PHOTO_MAX_BYTES, re-encoded as a JPEG of at most 600 px."""
    if not data:
        raise FileRefused("empty")
    if len(data) > PHOTO_MAX_BYTES:
        raise FileRefused("too_large", PHOTO_MAX_BYTES)
    if _sniff(data) not in ("image/png", "image/jpeg"):
        raise FileRefused("wrong_type")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise FileRefused("too_large", PHOTO_MAX_BYTES)
            probe.load()
            image = probe.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise FileRefused("wrong_type") from None
    image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return StoredFile("image/jpeg", out.getvalue())
