"""Importing the electoral register through the committee screens: checks, skips, re-import, apply."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from election.models import AuditEntry, Election, RegisterImport, RegisterPerson, Role
from tests.helpers import make_member, sign_in
from tests.web.register_factory import (
    GOOD_ROWS,
    HEADER,
    batch_url,
    confirm_columns,
    csv_file,
    import_file,
    make_election,
    person_row,
    post_on,
    upload,
    xlsx_file,
)


@pytest.fixture
def chair(app, client):
    """A signed-in chair and an announced election with groups Noord and Zuid."""
    sign_in(client, make_member(app, Role.CHAIR), app)
    return make_election(app)


def _people(db_session) -> dict[str, RegisterPerson]:
    db_session.expire_all()
    return {p.employee_number: p for p in db_session.scalars(select(RegisterPerson))}


def _batches(db_session) -> list[RegisterImport]:
    db_session.expire_all()
    return list(db_session.scalars(select(RegisterImport)))


def _actions(db_session) -> list[str]:
    return [e.action for e in db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_csv_import_stores_the_register_with_rights_on_the_voting_day(chair, client, db_session):
    response = import_file(client, chair, csv_file(*GOOD_ROWS))
    assert response.status_code == 302
    people = _people(db_session)
    assert set(people) == {"1001", "1002", "1003", "1004"}
    assert people["1001"].active and people["1001"].passive
    assert not people["1003"].active and "active_term_not_met" in people["1003"].reason_codes
    assert not people["1004"].active and people["1004"].reason_codes == ("bestuurder",)
    assert people["1004"].token_hash is None
    [batch] = _batches(db_session)
    assert batch.status == "applied" and batch.file_data is None  # the upload is not kept
    assert "register_import_applied" in _actions(db_session)
    overview = client.get(f"/committee/elections/{chair}/register").get_data(as_text=True)
    assert "4 people in the register" in overview
    assert "Anna Jansen" not in overview  # totals only, no list of names


def test_xlsx_import_works_like_csv(chair, client, db_session):
    rows = [HEADER.split(";"), ["2001", "Eva", "", "de Wit", "eva@voorbeeld.nl", "Zorg", "01-02-2019", "vast", "Zuid"]]
    response = import_file(client, chair, xlsx_file(rows), name="hr.xlsx")
    assert response.status_code == 302
    person = _people(db_session)["2001"]
    assert person.name == "Eva de Wit" and person.active
    assert person.start_date.isoformat() == "2019-02-01"


def test_preview_shows_counts_per_group_with_reasons(chair, client):
    base = batch_url(upload(client, chair, csv_file(*GOOD_ROWS)))
    confirm_columns(client, base)
    post_on(client, f"{base}/check")
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "Noord" in page and "Zuid" in page
    assert "bestuurder (top executive) is not represented" in page


@pytest.mark.parametrize(
    ("rows", "header", "expected", "row", "column"),
    [
        (GOOD_ROWS, HEADER.replace("datum_in_dienst", "iets_anders"), "A required column is missing", 1, "start_date"),
        ((person_row("1", "Anna", "Jansen", start="2020-31-01"),), HEADER, "This is not a date", 2, "datum_in_dienst"),
        (
            (person_row("1", "Anna", "Jansen"), person_row("1", "Bram", "Visser")),
            HEADER,
            "more than once",
            3,
            "personeelsnummer",
        ),
        ((person_row("1", "Anna", "Jansen", email="anna@@voorbeeld"),), HEADER, "not a valid e-mail", 2, "email"),
    ],
    ids=["missing-column", "bad-date", "duplicate-number", "bad-email"],
)
def test_file_with_errors_names_row_and_column_and_stores_nothing(
    chair, client, db_session, rows, header, expected, row, column
):
    base = batch_url(upload(client, chair, csv_file(*rows, header=header)))
    confirm_columns(client, base)
    page = client.get(f"{base}/check").get_data(as_text=True)
    assert f"<tr><td>{row}</td><td>{column}</td><td>" in page
    assert expected in page
    assert "Nothing was stored" in post_on(client, f"{base}/check").get_data(as_text=True)
    assert post_on(client, f"{base}/preview", form_url=f"{base}/check").status_code == 302
    assert _people(db_session) == {}
    assert _batches(db_session)[0].status == "mapped"


def test_skipping_the_named_rows_imports_the_rest(chair, client, db_session):
    rows = (
        person_row("1001", "Anna", "Jansen"),
        person_row("1002", "Bram", "Visser", start="gisteren"),
        person_row("1003", "Cem", "Yilmaz"),
    )
    base = batch_url(upload(client, chair, csv_file(*rows)))
    confirm_columns(client, base)
    page = client.get(f"{base}/check").get_data(as_text=True)
    assert "Rows with errors: 3." in page and "datum_in_dienst" in page
    post_on(client, f"{base}/check")  # without ticking the box: refused
    assert _batches(db_session)[0].status == "mapped"
    post_on(client, f"{base}/check", {"skip": "y"})
    post_on(client, f"{base}/preview")
    assert set(_people(db_session)) == {"1001", "1003"}
    assert json.loads(_batches(db_session)[0].skip_rows) == [3]


def test_header_errors_cannot_be_skipped(chair, client, db_session):
    base = batch_url(upload(client, chair, csv_file(*GOOD_ROWS, header=HEADER.replace("personeelsnummer", "x"))))
    confirm_columns(client, base)
    post_on(client, f"{base}/check", {"skip": "y"})
    assert _batches(db_session)[0].status == "mapped"
    assert post_on(client, f"{base}/preview", form_url=f"{base}/check").status_code == 302
    assert _people(db_session) == {}


def test_a_file_that_is_not_csv_or_xlsx_is_refused_and_nothing_is_stored(chair, client, db_session):
    response = upload(client, chair, b"%PDF-1.7 a document", name="register.pdf")
    assert response.status_code == 200
    assert "not a CSV (UTF-8) or XLSX export" in response.get_data(as_text=True)
    assert re.search(r'aria-describedby="[^"]*file-error', response.get_data(as_text=True))
    assert _batches(db_session) == []


def test_upload_over_the_register_limit_is_refused(app, chair, client, db_session):
    app.config["REGISTER_MAX_BYTES"] = 200
    response = upload(client, chair, csv_file(*GOOD_ROWS * 5))
    assert "larger than the limit" in response.get_data(as_text=True)
    assert _batches(db_session) == []


def test_a_50_mb_upload_gets_a_clear_message(chair, client, db_session):
    response = upload(client, chair, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than the limit of 20 MB" in response.get_data(as_text=True)
    assert _batches(db_session) == []


def test_reimport_shows_the_difference_then_applies_it(chair, client, db_session):
    import_file(client, chair, csv_file(*GOOD_ROWS))
    anna_id = _people(db_session)["1001"].id
    second = (
        person_row("1001", "Anna", "Jansen", group="Zuid"),
        person_row("1002", "Bram", "Visser", group="Zuid"),
        person_row("1003", "Cem", "Yilmaz", start="2019-05-01"),
        person_row("1005", "Fleur", "Smit"),
    )
    base = batch_url(upload(client, chair, csv_file(*second)))
    confirm_columns(client, base)
    post_on(client, f"{base}/check")
    page = client.get(f"{base}/preview").get_data(as_text=True)
    assert "1 added, 1 removed" in page
    assert "Fleur Smit" in page and "Dirk Bos" in page
    assert "<td>1001</td><td>Electoral group</td><td>Noord</td><td>Zuid</td>" in page
    assert len(_people(db_session)) == 4 and _people(db_session)["1001"].electoral_group_id is not None
    post_on(client, f"{base}/preview")
    people = _people(db_session)
    assert set(people) == {"1001", "1002", "1003", "1005"}
    assert people["1001"].id == anna_id  # updated in place: a self-check link stays valid
    assert people["1003"].active


def test_group_rule_assigns_groups_by_department(chair, client, db_session):
    header = HEADER.replace(";kiesgroep", "")
    rows = ("1;Anna;;Jansen;a@voorbeeld.nl;Zorg;2020-01-01;vast", "2;Bram;;Visser;b@voorbeeld.nl;ICT;2020-01-01;vast")
    base = batch_url(upload(client, chair, csv_file(*rows, header=header)))
    response = confirm_columns(client, base, group_source="rule", group_by="department")
    assert response.headers["Location"].endswith("/groups")
    page = client.get(f"{base}/groups").get_data(as_text=True)
    assert "ICT" in page and "Zorg" in page
    post_on(client, f"{base}/groups", {"v0": "Zuid", "v1": "Noord"})  # values sorted: ICT, Zorg
    post_on(client, f"{base}/check")
    post_on(client, f"{base}/preview")
    db_session.expire_all()
    election = db_session.get(Election, chair)
    names = {g.id: g.name for g in election.groups}
    people = _people(db_session)
    assert names[people["1"].electoral_group_id] == "Noord"
    assert names[people["2"].electoral_group_id] == "Zuid"


def test_cancel_deletes_the_uploaded_file(chair, client, db_session):
    base = batch_url(upload(client, chair, csv_file(*GOOD_ROWS)))
    post_on(client, f"{base}/cancel", form_url=f"{base}/columns")
    [batch] = _batches(db_session)
    assert batch.status == "cancelled" and batch.file_data is None
    assert client.get(f"{base}/columns").status_code == 404
    assert _people(db_session) == {}


def test_import_refused_once_the_register_is_final(app, client, db_session):
    sign_in(client, make_member(app, Role.CHAIR), app)
    election_id = make_election(app, phase="register_final")
    response = client.get(f"/committee/elections/{election_id}/register/import", follow_redirects=True)
    assert "The register is final" in response.get_data(as_text=True)


def test_art_6_lid_4_agreement_in_the_regulation_widens_and_narrows_the_electorate(chair, client, db_session):
    # WOR art. 6 lid 4: employer and council jointly exclude 1001 and admit the intern 1005;
    # the intern 1006 is not named and so does not work in the company in the sense of the law.
    election = db_session.get(Election, chair)
    profile = json.loads(election.regulation or "{}")
    profile.update(art64_excluded=["1001"], art64_included=["1005"])
    election.regulation = json.dumps(profile)
    db_session.commit()
    interns = (person_row("1005", "Eva", "Smit", kind="stagiair"), person_row("1006", "Fenna", "Kok", kind="stagiair"))
    import_file(client, chair, csv_file(*GOOD_ROWS, *interns))
    people = _people(db_session)
    assert not people["1001"].active and "excluded_art_6_4" in people["1001"].reason_codes
    assert people["1005"].active and "included_art_6_4" in people["1005"].reason_codes
    assert not people["1006"].active and "not_working_in_company" in people["1006"].reason_codes
    assert people["1002"].active  # everyone else as the law says
