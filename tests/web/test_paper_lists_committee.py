"""The committee enters a union list received on paper with its scan, and records signed consent forms.

A union may hand in its list on paper (WOR art. 9 lid 2 sub a); the committee enters it with a scan
of the paper, and a candidate may consent by a signed form instead of the link. Files are judged by
their content (PDF, PNG or JPEG, at most 5 MB), and a refused entry leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import timedelta
from io import BytesIO
from typing import Any

from sqlalchemy import func, select

from election.list_files import SCAN_MAX_BYTES
from election.list_rules import UNION_CONDITIONS
from election.models import Candidacy, CandidateList, Election, RegisterPerson
from election.models.audit import AuditEntry
from election.models.lists import ListFile
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.lists_factory import make_list_election, noord

# A complete one-page PDF (header, catalogue, page tree, page, cross-reference table, trailer).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def _png() -> bytes:
    """A real 2x2 grey PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = (2).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _signed_in_chair(app, client):  # type: ignore[no-untyped-def]
    chair = make_member(app)
    sign_in(client, chair, app)
    return chair


def _ids(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        assert election is not None
        unions = {u.name: u.id for u in election.unions}
        groups = {g.name: g.id for g in election.groups}
        return unions, groups


def _post_paper_list(app, client, election_id, scan=None, candidates=None) -> Any:  # type: ignore[no-untyped-def]
    unions, groups = _ids(app, election_id)
    url = f"/committee/elections/{election_id}/lists/paper"
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, Any] = {
        "csrf_token": csrf_token(page),
        "union": unions["CNV"],
        "group": groups["Noord"],
        "name": "CNV op papier",
        "candidates": "\n".join(candidates if candidates is not None else noord(range(3))),
        "received_on": (app.config["CLOCK"].today() - timedelta(days=1)).isoformat(),
        **{condition: "y" for condition in UNION_CONDITIONS},
    }
    if scan is not None:
        data["scan"] = scan
    return client.post(url, data=data, content_type="multipart/form-data")


def _counts(app) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(lists, stored files, audit entries about lists and consent forms)."""
    actions = ("union_list_submitted", "consent_form_recorded")
    with app.extensions["stembus_sessions"]() as db:
        return (
            db.scalar(select(func.count()).select_from(CandidateList)),
            db.scalar(select(func.count()).select_from(ListFile)),
            db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.in_(actions))),
        )


def _audit(app, action):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).all()
        return [(row.actor, json.loads(row.details)) for row in rows]


def test_a_paper_union_list_is_entered_with_its_scan(app, client):
    election_id = make_list_election(app)
    chair = _signed_in_chair(app, client)
    answer = _post_paper_list(app, client, election_id, scan=(BytesIO(PDF), "cnv-noord.pdf"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        lst = db.scalars(select(CandidateList)).one()
        assert answer.headers["Location"].endswith(f"/committee/elections/{election_id}/lists/{lst.id}")
        assert (lst.via, lst.kind, lst.name, lst.entered_by) == ("paper", "union", "CNV op papier", chair.id)
        assert lst.received_on == app.config["CLOCK"].today() - timedelta(days=1)
        ordered = [c.person_id for c in sorted(lst.candidates, key=lambda c: c.position)]
        numbers = [db.get(RegisterPerson, pid).employee_number for pid in ordered]
        assert numbers == noord(range(3))
        scan = db.scalars(select(ListFile)).one()
        assert (scan.list_id, scan.kind, scan.candidacy_id) == (lst.id, "paper_list", None)
        assert (scan.content_type, scan.content, scan.size) == ("application/pdf", PDF, len(PDF))
        assert scan.sha256 == hashlib.sha256(PDF).hexdigest()
        list_id = lst.id
    [(actor, details)] = _audit(app, "union_list_submitted")
    assert actor == chair.email
    assert details["list"] == list_id and details["via"] == "paper" and details["union"] == "CNV"
    assert details["candidates"] == noord(range(3))
    page = client.get(answer.headers["Location"])
    assert "The paper list has been entered with its scan." in page.get_data(as_text=True)
    assert client.get(f"/committee/elections/{election_id}/lists/{list_id}/files/{scan.id}").data == PDF


def test_a_paper_list_without_a_proper_scan_or_with_an_unknown_candidate_stores_nothing(app, client):
    election_id = make_list_election(app)
    _signed_in_chair(app, client)
    refusals = [
        (None, None, "Attach the scan of the list as it was received on paper."),
        ((BytesIO(b""), "empty.pdf"), None, "The file is empty."),
        ((BytesIO(b"just some text, not a scan"), "list.pdf"), None, "use a PDF, PNG or JPEG file"),
        ((BytesIO(PDF + b"0" * SCAN_MAX_BYTES), "huge.pdf"), None, "The file is too large: at most 5 MB."),
        ((BytesIO(PDF), "list.pdf"), ["1001", "9999"], "Employee number 9999 is not in the electoral register."),
    ]
    for scan, candidates, message in refusals:
        answer = _post_paper_list(app, client, election_id, scan=scan, candidates=candidates)
        assert answer.status_code == 200, message
        assert message in answer.get_data(as_text=True)
        assert _counts(app) == (0, 0, 0), message


def _entered_list(app, client, election_id):  # type: ignore[no-untyped-def]
    """Enter a paper list through the committee form; its id and candidacy ids in list order."""
    answer = _post_paper_list(app, client, election_id, scan=(BytesIO(PDF), "list.pdf"))
    assert answer.status_code == 302
    with app.extensions["stembus_sessions"]() as db:
        lst = db.scalars(select(CandidateList)).one()
        return lst.id, [c.id for c in sorted(lst.candidates, key=lambda c: c.position)]


def _post_consent(client, election_id, list_id, candidacy_id, scan=None):  # type: ignore[no-untyped-def]
    detail = client.get(f"/committee/elections/{election_id}/lists/{list_id}")
    data: dict[str, Any] = {"csrf_token": csrf_token(detail)}
    if scan is not None:
        data["scan"] = scan
    url = f"/committee/elections/{election_id}/lists/{list_id}/consent/{candidacy_id}"
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)


def _consent(app, candidacy_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        candidacy = db.get(Candidacy, candidacy_id)
        assert candidacy is not None
        files = db.scalars(select(ListFile).where(ListFile.candidacy_id == candidacy_id)).all()
        return (
            candidacy.consent_at,
            candidacy.consent_via,
            candidacy.consent_recorded_by,
            [(f.kind, f.content_type, f.content) for f in files],
        )


def test_a_signed_consent_form_is_recorded_with_its_scan(app, client):
    election_id = make_list_election(app)
    chair = _signed_in_chair(app, client)
    list_id, (first, second, _) = _entered_list(app, client, election_id)
    png = _png()

    answer = _post_consent(client, election_id, list_id, first, scan=(BytesIO(png), "form.png"))
    assert answer.status_code == 200
    assert "The signed consent form has been recorded." in answer.get_data(as_text=True)
    at, via, by, files = _consent(app, first)
    assert at is not None and via == "form" and by == chair.id
    assert files == [("consent_form", "image/png", png)]

    # The scan is optional: a form recorded without one stores no file.
    _post_consent(client, election_id, list_id, second)
    at, via, _, files = _consent(app, second)
    assert at is not None and via == "form" and files == []
    assert _audit(app, "consent_form_recorded") == [
        (chair.email, {"list": list_id, "candidacy": first, "scan": True}),
        (chair.email, {"list": list_id, "candidacy": second, "scan": False}),
    ]


def test_a_consent_form_with_a_bad_scan_is_refused_and_stores_nothing(app, client):
    election_id = make_list_election(app)
    _signed_in_chair(app, client)
    list_id, (first, *_) = _entered_list(app, client, election_id)
    before = _counts(app)
    bad = [
        ((BytesIO(b"GIF89a not accepted"), "form.gif"), "use a PDF, PNG or JPEG file"),
        ((BytesIO(_png() + b"0" * SCAN_MAX_BYTES), "form.png"), "The file is too large: at most 5 MB."),
    ]
    for scan, message in bad:
        answer = _post_consent(client, election_id, list_id, first, scan=scan)
        assert message in answer.get_data(as_text=True)
        assert _consent(app, first) == (None, None, None, [])
        assert _counts(app) == before
    # A candidacy that is not on this list is not found.
    url = f"/committee/elections/{election_id}/lists/{list_id + 1}/consent/{first}"
    detail = client.get(f"/committee/elections/{election_id}/lists/{list_id}")
    assert client.post(url, data={"csrf_token": csrf_token(detail)}).status_code == 404
    assert _counts(app) == before
