"""Reading an HR export file: size limit, file-type sniffing, and rows of text cells.

Accepts CSV (comma, semicolon or tab, UTF-8 with or without BOM) and XLSX (read-only, streamed).
Everything else is refused with a message saying what the file appears to be, and a file over the
size limit is refused before a byte of it is parsed. Also holds the cell parsers the register
import uses for dates and e-mail addresses.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO

from email_validator import EmailNotValidError, validate_email

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024


class RegisterFileError(ValueError):
    """The file as a whole cannot be read (too large, wrong type, not UTF-8, damaged)."""


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """Read an ISO date (2027-03-15, a time after it is ignored) or a Dutch one (15-03-2027)."""
    t = text.strip()
    if len(t) > 10 and t[4] == "-" and t[10] in " T":
        t = t[:10]
    if len(t) == 10 and t[4] == "-":
        return date.fromisoformat(t)
    parts = t.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and len(parts[2]) == 4 and all(p.isdigit() for p in parts):
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    raise ValueError(t)


_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*\Z")


@lru_cache(maxsize=4096)
def _domain_problem(domain: str) -> str | None:
    try:
        validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def email_problem(address: str) -> str | None:
    """Return why ``address`` is not a valid e-mail address, or None (syntax only, no DNS).

    Plain ASCII local parts are checked here and each domain once, with email-validator; anything
    else goes through email-validator whole. Both paths accept the same addresses.
    """
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and len(address) <= 254 and _PLAIN_LOCAL.match(local):
        return _domain_problem(domain)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def cell_text(value: object) -> str:
    """Normalise a spreadsheet cell to text (dates as ISO, whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


Source = str | Path | bytes | IO[bytes]


def _read_limited(source: Source, max_bytes: int) -> tuple[IO[bytes], str]:
    """Open the source for reading after checking its size against the limit."""
    limit_text = f"the file is larger than the limit of {max_bytes / 1024 / 1024:.0f} MB"
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise RegisterFileError(f"{path}: cannot read file ({exc.strerror})") from None
        if size > max_bytes:
            raise RegisterFileError(f"{path}: {limit_text}")
        if not path.is_file():
            raise RegisterFileError(f"{path}: not a file")
        return path.open("rb"), str(path)
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise RegisterFileError(limit_text)
        return io.BytesIO(source), "upload"
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RegisterFileError(limit_text)
    return io.BytesIO(data), "upload"


def _sniff(head: bytes, label: str) -> str:
    """Tell CSV from XLSX by content; refuse everything else with a message saying what it is."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RegisterFileError(f"{label}: an old Excel (.xls) workbook; save it as .xlsx or CSV")
    if head.startswith(b"%PDF"):
        raise RegisterFileError(f"{label}: a PDF document, not a CSV or XLSX export")
    if not head.strip():
        raise RegisterFileError(f"{label}: the file is empty")
    if b"\x00" in head:
        raise RegisterFileError(f"{label}: a binary file that is neither CSV nor XLSX")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise RegisterFileError(
            f"{label}: not UTF-8 text (byte {exc.start}); export the file as 'CSV UTF-8' or XLSX"
        ) from None
    return "csv"


def _csv_rows(text: IO[str], label: str, head: bytes) -> Iterator[list[str]]:
    first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    # The delimiter is whichever of ; , or tab the header line uses most.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        yield from reader
    except UnicodeDecodeError:
        raise RegisterFileError(f"{label}: not UTF-8 text after row {reader.line_num}; export as 'CSV UTF-8'") from None
    except csv.Error as exc:
        raise RegisterFileError(f"{label}: row {reader.line_num}: {exc}") from None


def _xlsx_rows(stream: IO[bytes], label: str) -> Generator[list[str], None, None]:
    from openpyxl import load_workbook

    # openpyxl unpacks and parses an untrusted zip of XML: a damaged file can fail anywhere inside
    # it (zlib, zipfile, XML, openpyxl's own checks), while the sheet is opened or row by row.
    # Every such failure means the same thing to the committee: the workbook cannot be read.
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise RegisterFileError(f"{label}: not a readable XLSX workbook ({_short(exc)})") from None
    try:
        ws = wb.active
        if ws is None:
            raise RegisterFileError(f"{label}: the workbook has no sheet")
        rows = ws.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:
                raise RegisterFileError(
                    f"{label}: the workbook is damaged after row {number} ({_short(exc)})"
                ) from None
            if values is None:
                return
            number += 1
            yield [cell_text(v) for v in values]
    finally:
        wb.close()


def _short(exc: Exception) -> str:
    """A one-line description of a parser failure for the refusal message."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


@contextmanager
def open_export(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, Iterator[list[str]]]]:
    """Open an export and yield its kind (``"csv"`` or ``"xlsx"``) and an iterator over its rows.

    Raises :class:`RegisterFileError` for a file that is too large, unreadable, or neither a UTF-8
    CSV nor an XLSX workbook. The file is closed when the ``with`` block ends.
    """
    stream, label = _read_limited(source, max_bytes)
    with stream:
        head = stream.read(_SNIFF_BYTES)
        stream.seek(0)
        kind = _sniff(head, label)
        if kind == "xlsx":
            rows = _xlsx_rows(stream, label)
            try:
                yield kind, rows
            finally:
                rows.close()
            return
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            yield kind, _csv_rows(text, label, head)
        finally:
            text.detach()  # the outer ``with`` closes the binary stream
