"""Reading the HR export into the electoral register: formats, column mapping, row checks."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from election.eligibility import EmploymentKind
from election.register_import import (
    ImportResult,
    RegisterEntry,
    RegisterFileError,
    diff_registers,
    email_problem,
    guess_column_map,
    import_register,
    parse_date,
)
from election.regulation import Regulation

DATA = Path(__file__).parent / "data"
V = date(2027, 5, 15)
GROUPS = Regulation(electoral_groups=("Noord", "Zuid"))


def by_number(result: ImportResult) -> dict[str, RegisterEntry]:
    return {p.employee_number: p for p in result.people}


def test_reads_the_hr_export_shape_and_decides_rights_on_the_voting_day() -> None:
    result = import_register(DATA / "register-small.csv", date(2027, 3, 15))
    assert result.errors == ()
    assert result.file_kind == "csv"
    people = by_number(result)
    assert people["200000"].reasons == ("bestuurder",)
    assert people["200000"].bestuurder
    assert people["200001"].active
    assert people["200001"].name == "Mila van der Kok"
    agency = people["200004"]
    assert agency.kind is EmploymentKind.AGENCY_WORKER and agency.active
    assert not people["200005"].active
    assert "not_working_in_company" in people["200006"].reasons
    summary = result.summary()
    assert summary["rows"] == 8 and summary["people"] == 8
    assert summary["groups"] == [{"electoral_group": None, "total": 8, "active": 3, "passive": 3}]


def test_three_month_boundary_in_the_register() -> None:
    people = by_number(import_register(DATA / "register-small.csv", V))
    assert people["200003"].active  # started 2027-02-15
    assert not people["200002"].active  # started 2027-02-16


def test_semicolons_bom_and_dutch_dates_with_electoral_group_column() -> None:
    result = import_register(DATA / "register-semicolon-bom.csv", V, GROUPS)
    assert result.errors == ()
    people = by_number(result)
    assert people["300001"].start_date == date(2020, 2, 1)
    assert people["300004"].name == "Joris Müller"
    assert result.column_map["electoral_group"] == "Kiesgroep"
    groups = {g["electoral_group"]: g for g in result.summary()["groups"]}
    assert groups["Noord"] == {"electoral_group": "Noord", "total": 2, "active": 2, "passive": 2}
    assert groups["Zuid"]["active"] == 1


def test_electoral_group_by_rule_from_the_location() -> None:
    reg = Regulation(
        electoral_groups=("Noord", "Zuid"),
        group_by="location",
        group_map=(("Eindhoven", "Zuid"), ("Tilburg", "Zuid"), ("Utrecht", "Noord")),
    )
    result = import_register(DATA / "register-small.csv", V, reg)
    assert {p.electoral_group for p in result.people} == {"Noord", "Zuid"}
    reg_missing = replace(reg, group_map=(("Eindhoven", "Zuid"),))
    errors = import_register(DATA / "register-small.csv", V, reg_missing).errors
    assert errors and all(e.code == "unknown_electoral_group" for e in errors)
    assert errors[0].column == "vestiging"


def test_every_row_error_names_row_and_column() -> None:
    result = import_register(DATA / "register-errors.csv", V, GROUPS)
    found = {(e.row, e.column, e.code) for e in result.errors}
    assert found == {
        (3, "datum_in_dienst", "bad_date"),
        (4, "personeelsnummer", "duplicate_employee_number"),
        (5, "email", "invalid_email"),
        (6, "achternaam", "empty_name"),
        (7, "kiesgroep", "unknown_electoral_group"),
        (8, "dienstverband", "unknown_employment_kind"),
    }
    assert [p.employee_number for p in result.people] == ["400001", "400009"]
    assert result.rows == 8
    assert result.summary()["rows_with_errors"] == 6
    assert "first in row 2" in next(e.message for e in result.errors if e.row == 4)


def test_missing_required_columns_are_a_file_level_error() -> None:
    result = import_register(DATA / "register-english.csv", V)
    assert result.people == ()
    missing = {e.column for e in result.errors}
    assert missing == {"employee_number", "start_date"}
    assert all(e.row == 1 and e.code == "missing_column" for e in result.errors)


def test_column_map_names_the_columns_the_guess_cannot_find() -> None:
    cmap = {"employee_number": "Staff ID", "start_date": "hired on", "email": "Work e-mail"}
    result = import_register(DATA / "register-english.csv", V, column_map=cmap)
    assert result.errors == ()
    people = by_number(result)
    assert people["A-1"].active and not people["A-2"].active
    assert people["A-1"].name == "Anna Jansen"


def test_column_map_with_an_absent_column_is_reported() -> None:
    result = import_register(
        DATA / "register-english.csv", V, column_map={"employee_number": "Nummer", "start_date": "Hired on"}
    )
    assert [(e.row, e.column, e.code) for e in result.errors] == [(1, "Nummer", "column_not_found")]


def test_unknown_field_in_column_map_is_refused() -> None:
    with pytest.raises(ValueError, match="vakbond"):
        import_register(DATA / "register-small.csv", V, column_map={"vakbond": "x"})


def test_groups_configured_but_no_group_column_is_a_file_level_error() -> None:
    result = import_register(DATA / "register-small.csv", V, GROUPS)
    assert [(e.row, e.column) for e in result.errors] == [(1, "electoral_group")]


def test_reads_xlsx_with_date_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Personeelsnummer", "Naam", "E-mail", "Datum in dienst", "Dienstverband"])
    ws.append([500001, "Anna Jansen", "anna@voorbeeld.nl", datetime(2020, 1, 1), "vast"])
    ws.append([500002.0, "Bram Visser", None, "16-02-2027", "vast"])
    ws.append([None, None, None, None, None])
    ws.append([500004, "Cem Kaya", "cem@", datetime(2020, 1, 1), "vast"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    result = import_register(path, V)
    assert result.file_kind == "xlsx"
    assert [p.employee_number for p in result.people] == ["500001", "500002"]
    assert by_number(result)["500001"].active
    assert [(e.row, e.column, e.code) for e in result.errors] == [(5, "E-mail", "invalid_email")]
    assert import_register(path.read_bytes(), V).rows == 3


def test_reads_an_uploaded_stream() -> None:
    data = (DATA / "register-small.csv").read_bytes()
    assert len(import_register(io.BytesIO(data), V).people) == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "neither CSV nor XLSX"),
        (b"naam;datum\r\nJos\xe9;01-01-2020\r\n", "not UTF-8"),
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "XLSX"),
    ],
)
def test_files_that_are_neither_csv_nor_xlsx_are_refused(
    tmp_path: Path,
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterFileError, match=message):
        import_register(path, V)


def test_size_limit_is_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"\x00" * 2048)  # garbage: parsing it would give another message
    with pytest.raises(RegisterFileError, match="larger than the limit"):
        import_register(path, V, max_bytes=1024)
    with pytest.raises(RegisterFileError, match="larger than the limit"):
        import_register(io.BytesIO(b"\x00" * 2048), V, max_bytes=1024)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(RegisterFileError, match="cannot read"):
        import_register(tmp_path / "nope.csv", V)


def test_header_guess_ignores_case_spaces_and_punctuation() -> None:
    cmap = guess_column_map(["Personeels-nummer", "ACHTERNAAM", "Datum in dienst", "E-mail"])
    assert cmap == {
        "employee_number": "Personeels-nummer",
        "last_name": "ACHTERNAAM",
        "start_date": "Datum in dienst",
        "email": "E-mail",
    }


def test_dates_in_iso_and_dutch_notation() -> None:
    assert parse_date("2027-03-15") == parse_date("15-03-2027") == parse_date("15/03/2027")
    assert parse_date("2027-03-15 00:00:00") == parse_date("2027-03-15T09:00") == date(2027, 3, 15)
    for bad in ("2027-02-30", "15-3-27", "maart", "03/15/2027"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_email_checks_agree_with_email_validator_on_odd_addresses() -> None:
    assert email_problem("jan.de.vries@voorbeeld.nl") is None
    assert email_problem("zoë@voorbeeld.nl") is None
    for bad in (
        "jan..vries@voorbeeld.nl",
        "jan@voorbeeld",
        ".jan@voorbeeld.nl",
        "jan@@x.nl",
        "jan vries@x.nl",
        "a" * 250 + "@x.nl",
    ):
        assert email_problem(bad), bad


def test_diff_shows_added_removed_and_changed_fields() -> None:
    old = import_register(DATA / "register-small.csv", V).people
    moved = replace(old[1], department="ICT", email="mila@voorbeeld.nl")
    new = (*old[:1], moved, *old[3:], replace(old[2], employee_number="299999"))
    diff = diff_registers(old, new)
    assert [p.employee_number for p in diff.added] == ["299999"]
    assert [p.employee_number for p in diff.removed] == ["200002"]
    assert {(c.employee_number, c.field, c.new) for c in diff.changed} == {
        ("200001", "department", "ICT"),
        ("200001", "email", "mila@voorbeeld.nl"),
    }
    assert diff.to_dict()["changed"][0]["employee_number"] == "200001"


def test_reimport_of_the_same_file_changes_nothing() -> None:
    a = import_register(DATA / "register-small.csv", V).people
    b = import_register(DATA / "register-small.csv", V).people
    diff = diff_registers(a, b)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_json_document_has_no_names_or_addresses() -> None:
    doc = import_register(DATA / "register-small.csv", V).to_dict()
    assert set(doc["people"][0]) == {"employee_number", "row", "active", "passive", "electoral_group", "reasons"}
    assert "Hoekstra" not in str(doc["people"])


SHARED_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "register-1000.csv"


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared sample register not beside the repository")
def test_reads_the_shared_thousand_person_sample() -> None:
    result = import_register(SHARED_SAMPLE, date(2027, 3, 15))
    assert result.errors == ()
    assert result.rows == len(result.people) == 1000
    assert result.people[0].reasons == ("bestuurder",)
    summary = result.summary()
    assert 0 < summary["active"] < 1000
