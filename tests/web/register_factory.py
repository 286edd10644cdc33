"""Test data for the electoral register screens: an election, small HR exports, and the import steps."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

from election.models import Election, ElectoralGroup
from tests.helpers import csrf_token

HEADER = "personeelsnummer;voornaam;tussenvoegsel;achternaam;email;afdeling;datum_in_dienst;dienstverband;kiesgroep"


def make_election(
    app: Any, groups: tuple[str, ...] = ("Noord", "Zuid"), phase: str = "announced", weeks_ahead: int = 10
) -> int:
    """An election whose voting day lies ``weeks_ahead`` weeks after the test clock's today."""
    today = app.config["CLOCK"].today()
    with app.extensions["stembus_sessions"]() as db:
        election = Election(
            organisation="Zorg Noord BV",
            term_end=today + timedelta(weeks=weeks_ahead + 8),
            voting_day=today + timedelta(weeks=weeks_ahead),
            voting_days=1,
            headcount=300,
            seats=11,
            employer_consent_seats=False,
            electoral_system="list",
            phase=phase,
            regulation="{}",
            regulation_version=1,
        )
        election.groups = [
            ElectoralGroup(name=g, position=i, seats=5 + i, earmarked_seats=0) for i, g in enumerate(groups)
        ]
        db.add(election)
        db.commit()
        return election.id


def person_row(
    number: str,
    first: str,
    last: str,
    group: str = "Noord",
    start: str = "2020-01-01",
    email: str | None = None,
    department: str = "Zorg",
    kind: str = "vast",
) -> str:
    """One CSV row in the shape of HEADER."""
    mail = f"{first.lower()}.{last.lower()}@voorbeeld.nl" if email is None else email
    return f"{number};{first};;{last};{mail};{department};{start};{kind};{group}"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    """A semicolon CSV export with a header row."""
    return ("\n".join((header, *rows)) + "\n").encode()


GOOD_ROWS = (
    person_row("1001", "Anna", "Jansen"),
    person_row("1002", "Bram", "Visser", group="Zuid"),
    person_row("1003", "Cem", "Yilmaz", start=(date.today() - timedelta(days=10)).isoformat()),
    person_row("1004", "Dirk", "Bos", kind="bestuurder"),
)


def xlsx_file(rows: list[list[Any]]) -> bytes:
    """An XLSX workbook with the given rows (first row the header)."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Any, election_id: int, data: bytes, name: str = "hr.csv") -> Any:
    """Post a file on the upload screen; returns the response (not followed)."""
    url = f"/committee/elections/{election_id}/register/import"
    page = client.get(url)
    return client.post(
        url, data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def batch_url(response: Any) -> str:
    """The batch's base URL from the redirect after a successful upload."""
    location = response.headers["Location"]
    found = re.search(r"(/committee/elections/\d+/register/import/\d+)/columns", location)
    assert found, location
    return found.group(1)


def confirm_columns(client: Any, base: str, **changes: str) -> Any:
    """Submit the column mapping as pre-filled, with ``changes`` (form field -> value)."""
    page = client.get(f"{base}/columns")
    html = page.get_data(as_text=True)
    data: dict[str, str] = {"csrf_token": csrf_token(page)}
    for name, value in re.findall(r'<select[^>]*name="(col_[a-z_]+|group_by)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', value)
        data[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    checked = re.search(
        r'name="group_source"[^>]*value="([a-z]+)"[^>]*checked|checked[^>]*name="group_source"'
        r'[^>]*value="([a-z]+)"',
        html,
    )
    data["group_source"] = (checked.group(1) or checked.group(2)) if checked else "column"
    data.update(changes)
    return client.post(f"{base}/columns", data=data)


def post_on(client: Any, url: str, data: dict[str, Any] | None = None, form_url: str | None = None) -> Any:
    """Post to ``url`` with the CSRF token of ``form_url`` (default: ``url``)."""
    page = client.get(form_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page), **(data or {})})


def import_file(client: Any, election_id: int, data: bytes, name: str = "hr.csv", skip: bool = False) -> Any:
    """Run the whole import: upload, columns as guessed, checks, apply. Returns the apply response."""
    base = batch_url(upload(client, election_id, data, name))
    confirm_columns(client, base)
    post_on(client, f"{base}/check", {"skip": "y"} if skip else {})
    return post_on(client, f"{base}/preview")
