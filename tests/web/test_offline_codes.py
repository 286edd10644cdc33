"""High-assurance mode: codes made offline with ``stembus codes generate``, only public credentials uploaded."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from election.cli import main
from election.models import AuditEntry, Election, ElectoralGroup, RegisterPerson
from election.models.voting import VotingCredential
from election.offline_codes import dump, generate, read_manifest, read_voter_file
from election.voting_codes import VotingSetupError, identity_of, issue_codes, manifest_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.offline_codes_factory import codes_from_mails, issued, make_offline_election
from tests.web.voting_factory import make_ballot, make_voting_election, open_voting_now

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _url(election_id: int, tail: str = "") -> str:
    return f"/committee/elections/{election_id}/offline-codes{tail}"


def _downloads(client, election_id: int) -> tuple[bytes, bytes]:
    manifest = client.get(_url(election_id, "/manifest.json"))
    voters = client.get(_url(election_id, "/voters.json"))
    assert manifest.status_code == 200 and voters.status_code == 200
    assert voters.headers["Cache-Control"] == "no-store"
    return manifest.data, voters.data


def _upload(client, election_id: int, body: bytes):
    page = client.get(_url(election_id))
    data = {"csrf_token": csrf_token(page), "credentials": (io.BytesIO(body), "public-credentials.json")}
    return client.post(_url(election_id, "/upload"), data=data, content_type="multipart/form-data")


def _stored(app, election_id: int) -> int:
    with app.extensions["stembus_sessions"]() as db:
        query = select(func.count(VotingCredential.id)).where(VotingCredential.election_id == election_id)
        return int(db.scalar(query) or 0)


def test_codes_made_offline_are_uploaded_as_public_credentials_and_one_of_them_votes(app, client, tmp_path):
    oe = make_offline_election(app)
    sign_in(client, oe.chair, app)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, oe.election_id)
        identity = identity_of(db, oe.election_id)
        assert identity is not None and identity.credential_mode == "offline"
        assert manifest_of(identity)["credential_mode"] == "offline"
        with pytest.raises(VotingSetupError, match="made offline") as refused:
            issue_codes(db, election, "test", app.config["CLOCK"].now())
        assert refused.value.code == "offline"
    page = client.get(_url(oe.election_id))
    assert page.status_code == 200 and "12" in page.get_data(as_text=True)
    manifest, voters = _downloads(client, oe.election_id)
    assert manifest.decode("utf-8") == identity.manifest  # byte for byte what was hashed
    (tmp_path / "manifest.json").write_bytes(manifest)
    (tmp_path / "voters.json").write_bytes(voters)
    assert len(json.loads(voters)["voters"]) == 12

    out = tmp_path / "codes"
    args = ["codes", "generate", str(tmp_path / "manifest.json"), str(tmp_path / "voters.json"), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(pypdf.PdfReader(out / "letters.pdf").pages) == 12
    codes = codes_from_mails(out / "mail")
    assert len(codes) == 12 and (out / "mail" / "mail.mbox").stat().st_size > 0
    public = (out / "public-credentials.json").read_bytes()
    assert not any(code in public.decode() for code in codes.values())

    answer = _upload(client, oe.election_id, public)
    assert answer.status_code == 302
    assert _stored(app, oe.election_id) == 12
    assert "12 public credential(s) stored" in client.get(_url(oe.election_id)).get_data(as_text=True)
    assert _upload(client, oe.election_id, public).status_code == 409  # every voter has a code now

    open_voting_now(app, oe.election_id)
    with app.extensions["stembus_sessions"]() as db:
        person = db.scalars(select(RegisterPerson).where(RegisterPerson.email.in_(list(codes)))).first()
        assert person is not None
        group = db.get(ElectoralGroup, person.electoral_group_id)
        voter = issued(person.id, person.name, person.email, group.name, codes[person.email])
        logged = " ".join(row.details for row in db.scalars(select(AuditEntry)))
        uuid = identity_of(db, oe.election_id).uuid
    assert not any(code in logged for code in codes.values())
    ballot, _ = make_ballot(app, oe.election_id, voter, 0)
    booth = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(booth.get_data(as_text=True)).group(1)}
    cast = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
    assert cast.status_code == 201, cast.get_json()


def _public_file(app, client, election_id: int, tmp_path: Path) -> dict:
    manifest, voters = _downloads(client, election_id)
    parsed, digest = read_manifest(manifest)
    doc, _made = generate(read_voter_file(voters, parsed, digest), digest)
    return doc


def _wrong_hash(doc: dict) -> None:
    doc["manifest_hash"] = "ab" * 32


def _duplicate_holder(doc: dict) -> None:
    doc["holders"][3] = dict(doc["holders"][1])


def _bad_point(doc: dict) -> None:
    doc["holders"][2]["credential"] = "ff" * 32


def _missing_holder(doc: dict) -> None:
    del doc["holders"][4]


def _duplicate_credential(doc: dict) -> None:
    doc["holders"][5]["credential"] = doc["holders"][0]["credential"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_wrong_hash, "made for another election manifest (the manifest hash differs)"),
        (_duplicate_holder, "Row 4 (P"),
        (_bad_point, "Row 3 (P"),
        (_missing_holder, "1 voter(s) have no credential in the file, for example P"),
        (_duplicate_credential, "Row 6 (P"),
    ],
)
def test_a_bad_upload_is_refused_whole_with_the_row_named(app, client, tmp_path, change, message):
    oe = make_offline_election(app, people=8)
    sign_in(client, oe.chair, app)
    doc = _public_file(app, client, oe.election_id, tmp_path)
    change(doc)
    answer = _upload(client, oe.election_id, dump(doc))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in text and "Nothing was stored." in text
    assert _stored(app, oe.election_id) == 0


def test_a_bad_point_and_a_duplicate_say_what_is_wrong(app, client, tmp_path):
    oe = make_offline_election(app, people=8)
    sign_in(client, oe.chair, app)
    doc = _public_file(app, client, oe.election_id, tmp_path)
    _bad_point(doc)
    assert "not a valid public key" in _upload(client, oe.election_id, dump(doc)).get_data(as_text=True)
    doc = _public_file(app, client, oe.election_id, tmp_path)
    _duplicate_holder(doc)
    assert "this voter is listed twice" in _upload(client, oe.election_id, dump(doc)).get_data(as_text=True)
    assert _upload(client, oe.election_id, b"{not json").status_code == 400
    assert _stored(app, oe.election_id) == 0


def test_the_cli_refuses_a_voter_file_of_another_manifest_and_a_used_folder(app, client, tmp_path):
    oe = make_offline_election(app, people=6)
    sign_in(client, oe.chair, app)
    manifest, voters = _downloads(client, oe.election_id)
    other = json.loads(voters)
    other["manifest_hash"] = "00" * 32
    (tmp_path / "manifest.json").write_bytes(manifest)
    (tmp_path / "voters.json").write_text(json.dumps(other))
    args = ["codes", "generate", str(tmp_path / "manifest.json"), str(tmp_path / "voters.json")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "belongs to another election manifest" in result.output
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "used")])
    assert result.exit_code == 2 and "is not empty" in result.output


def test_a_server_mode_election_has_no_offline_files(app, client):
    ve = make_voting_election(app, open_vote=False)
    account = make_member(app, email="secretary@example.org")
    sign_in(client, account, app)
    assert client.get(_url(ve.election_id)).status_code == 200
    refused = client.get(_url(ve.election_id, "/voters.json"))
    assert refused.status_code == 409 and "made by the server" in refused.get_data(as_text=True)
