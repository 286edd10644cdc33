"""Fuzzing the HR-export importer: any bytes, any table, any damaged workbook.

The importer's contract: a file it cannot read as a whole raises ``RegisterFileError`` (and nothing
else); a file it can read gives an ``ImportResult`` whose every error names the row (the header is
row 1, as a spreadsheet shows it) and the column of the file it is about.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from election.register_import import FIELD_SYNONYMS, ImportResult, RegisterFileError, import_register
from election.regulation import Regulation

VOTING_DAY = date(2027, 5, 15)
GROUPS = Regulation(electoral_groups=("Noord", "Zuid"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Header cells: our spellings (so rows get checked), their near misses, and anything at all.
KNOWN_HEADERS = [s for spellings in FIELD_SYNONYMS.values() for s in spellings]
header_cell = st.one_of(
    st.sampled_from(KNOWN_HEADERS),
    st.sampled_from(KNOWN_HEADERS).map(lambda h: f" {h.upper()}\ufeff"),
    st.text(max_size=12),
)
# Cells: dates in every shape, group names, kinds, e-mail addresses, numbers, and noise.
cell = st.one_of(
    st.dates(min_value=date(1900, 1, 1)).map(lambda d: d.isoformat()),
    st.dates(min_value=date(1900, 1, 1)).map(lambda d: d.strftime("%d-%m-%Y")),
    st.sampled_from(["Noord", "Zuid", "noord", "vast", "uitzend", "stagiair", "zzp", "ja", "nee", "x", ""]),
    st.emails().map(str),
    st.integers(-(10**12), 10**12).map(str),
    st.text(max_size=30),
    st.sampled_from(["31-02-2027", "2027-13-01", "²³-01-2027", "0000-00-00", "1-1-1", "\x00", '"', ";", "\r\n"]),
)
tables = st.lists(header_cell, min_size=1, max_size=8).flatmap(
    lambda header: st.tuples(
        st.just(header), st.lists(st.lists(cell, min_size=0, max_size=len(header) + 2), max_size=12)
    )
)


def _csv(header: list[str], rows: list[list[str]], delimiter: str, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in [header, *rows]:
        ws.append([_cell_for_xlsx(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_for_xlsx(value: str) -> str | int:
    """openpyxl refuses control characters in cells; numbers go in as numbers, like Excel would."""
    cleaned = "".join(c for c in value if c >= " " or c in "\t\n")
    digits = cleaned.lstrip("-")
    # isdigit() also holds for characters such as "¹" that int() does not read: ASCII digits only.
    return int(cleaned) if digits.isascii() and digits.isdigit() and len(cleaned) < 15 else cleaned


def _read(data: bytes, regulation: Regulation | None = None) -> ImportResult | None:
    """Import ``data``; None when the file as a whole was refused (the only exception allowed)."""
    try:
        return import_register(data, VOTING_DAY, regulation)
    except RegisterFileError as refused:
        assert str(refused), "a refusal says what is wrong"
        return None


def assert_errors_are_located(result: ImportResult, header: list[str], rows: int) -> None:
    """Every error names a row of the file and the column (or, for the header, the field) it is about."""
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    for error in result.errors:
        assert 1 <= error.row <= rows + 1, error
        assert error.message and error.code, error
        if error.row == 1:
            assert error.column, error
        else:
            assert error.column in cleaned, (error, cleaned)
    for person in result.people:
        assert 2 <= person.row <= rows + 1


@FUZZ
@given(data=st.binary(max_size=2048))
def test_any_bytes_are_read_or_refused_with_the_register_file_error(data: bytes) -> None:
    _read(data)


@FUZZ
@given(table=tables, delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans(), groups=st.booleans())
def test_any_table_as_csv_gives_located_errors(
    table: tuple[list[str], list[list[str]]], delimiter: str, bom: bool, groups: bool
) -> None:
    header, rows = table
    result = _read(_csv(header, rows, delimiter, bom), GROUPS if groups else None)
    if result is not None:
        assert result.file_kind == "csv"
        assert_errors_are_located(result, header, len(rows))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables)
def test_any_table_as_xlsx_gives_located_errors(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    header = [str(_cell_for_xlsx(h)) for h in header]
    result = _read(_xlsx(header, rows))
    if result is not None:
        assert result.file_kind == "xlsx"
        assert_errors_are_located(result, header, len(rows))


_WORKBOOK = _xlsx(
    ["personeelsnummer", "naam", "datum in dienst", "kiesgroep", "email"],
    [["1001", "Anna", "2020-01-01", "Noord", "anna@example.org"], ["1002", "Bram", "01-02-2021", "Zuid", ""]],
)


def _damage(data: bytes, rnd: random.Random, edits: int) -> bytes:
    """``edits`` random byte changes, insertions and cuts anywhere in ``data``."""
    out = bytearray(data)
    for _ in range(edits):
        position = rnd.randrange(max(len(out), 1))
        how = rnd.choice(("set", "set", "insert", "cut"))
        if how == "set" and out:
            out[position] = rnd.randrange(256)
        elif how == "insert":
            out[position:position] = rnd.randbytes(rnd.randint(1, 8))
        elif out:
            del out[position : position + rnd.randint(1, 64)]
    return bytes(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), edits=st.integers(1, 4))
def test_a_damaged_workbook_is_refused_with_the_register_file_error(rnd: random.Random, edits: int) -> None:
    # Damage inside the compressed sheet (zlib), the zip directory, or the XML all end the same way.
    _read(_damage(_WORKBOOK, rnd, edits), GROUPS)


def test_damage_inside_the_compressed_sheet_is_a_refusal_not_a_crash() -> None:
    rnd = random.Random(7)
    outcomes = {_read(_damage(_WORKBOOK, rnd, 2), GROUPS) is None for _ in range(300)}
    assert True in outcomes  # most damaged workbooks are refused, none escapes with another error
