"""Replacing a lost code, also while voting is open: the old code is refused, the new one votes, the record verifies."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest
from sqlalchemy import func, select

from crypto import board as bd
from crypto.verifier import verify_record
from election.code_revocation import CodeRevocationError, replace_code
from election.count_record import export_record
from election.models import AuditEntry, Election, ElectoralGroup, RegisterPerson
from election.models.voting import BoardEntry, VotingCredential
from election.offline_codes import dump, generate, read_manifest, read_voter_file
from election.voting_codes import IssuedCode, identity_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election
from tests.web.offline_codes_factory import CODE, make_offline_election
from tests.web.test_count import _fix_lot, _seats, _share
from tests.web.voting_factory import make_ballot, make_voting_election, open_voting_now

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _url(election_id: int, tail: str = "") -> str:
    return f"/committee/elections/{election_id}/code-replacement{tail}"


def _person(app, election_id: int, name: str) -> int:
    with app.extensions["stembus_sessions"]() as db:
        query = select(RegisterPerson.id).where(RegisterPerson.election_id == election_id, RegisterPerson.name == name)
        person_id = db.scalar(query)
        assert person_id is not None
        return int(person_id)


def _replace(client, election_id: int, person_id: int, name: str, reason: str = "lost", upload: bytes | None = None):
    page = client.get(_url(election_id), query_string={"q": name})
    assert page.status_code == 200
    prefix = f"p{person_id}-"
    match = re.search(rf'name="{prefix}csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    token = match.group(1) if match else csrf_token(page)
    data = {f"{prefix}csrf_token": token, f"{prefix}reason": reason, "q": name}
    if upload is not None:
        data[f"{prefix}credentials"] = (io.BytesIO(upload), "public-credentials.json")
    return client.post(_url(election_id, f"/{person_id}"), data=data, content_type="multipart/form-data")


def _board_types(app, election_id: int) -> list[str]:
    with app.extensions["stembus_sessions"]() as db:
        query = select(BoardEntry.type).where(BoardEntry.election_id == election_id).order_by(BoardEntry.seq)
        return list(db.scalars(query))


def _booth(app, client, election_id: int, lang: str = "vote"):
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, election_id).uuid
    page = client.get(f"/{lang}/{uuid}")
    return uuid, {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}


def test_a_lost_code_is_replaced_during_voting_the_old_one_is_refused_and_the_new_one_votes(app, client):
    ve = make_voting_election(app)
    lost = ve.code_in("Noord", 0)
    voted = ve.code_in("Noord", 1)
    uuid, headers = _booth(app, client, ve.election_id)
    ballot, _ = make_ballot(app, ve.election_id, voted, 0)
    assert client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers).status_code == 201
    sign_in(client, make_member(app, email="secretary@example.org"), app)

    answer = _replace(client, ve.election_id, lost.person_id, lost.name, "not_received")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(answer.data)).pages)
    new_code = CODE.search(text.replace("\n", " ")).group(0)
    assert new_code != lost.code
    assert _board_types(app, ve.election_id)[-2:] == [bd.CREDENTIAL_REVOKED, bd.CREDENTIAL_ADDED]
    with app.extensions["stembus_sessions"]() as db:
        revoked = db.scalars(select(BoardEntry).where(BoardEntry.type == bd.CREDENTIAL_REVOKED)).one()
        payload = json.loads(revoked.payload)
        assert set(payload) == {"group", "credential", "reason"} and payload["reason"] == "not_received"
        assert lost.name not in revoked.payload
        logged = db.scalars(select(AuditEntry).where(AuditEntry.action == "voting_code_replaced")).one()
        assert new_code not in logged.details and json.loads(logged.details)["person"] == lost.person_id

    uuid, headers = _booth(app, client, ve.election_id, "stem")
    old_ballot, _ = make_ballot(app, ve.election_id, lost, 0)
    refused = client.post(f"/stem/{uuid}/cast", json=old_ballot, headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"] == "revoked"
    assert "ingetrokken" in refused.get_json()["message"]  # translated: Dutch booth
    renewed = IssuedCode(lost.person_id, lost.name, lost.email, lost.language, lost.group_name, new_code)
    ballot, _ = make_ballot(app, ve.election_id, renewed, 1)
    assert client.post(f"/stem/{uuid}/cast", json=ballot, headers=headers).status_code == 201

    entries = len(_board_types(app, ve.election_id))
    refused = _replace(client, ve.election_id, voted.person_id, voted.name)
    assert refused.status_code == 409 and "has already voted" in refused.get_data(as_text=True)
    assert len(_board_types(app, ve.election_id)) == entries


def test_a_replacement_needs_a_reason_and_a_live_code(app, db_session):
    ve = make_voting_election(app)
    election = db_session.get(Election, ve.election_id)
    issued = ve.code_in("Zuid", 0)
    now = app.config["CLOCK"].now()
    with pytest.raises(CodeRevocationError) as refused:
        replace_code(db_session, election, issued.person_id, "bored", "test", now)
    assert refused.value.code == "reason"
    replace_code(db_session, election, issued.person_id, "lost", "test", now)
    db_session.commit()
    again = replace_code(db_session, election, issued.person_id, "compromised", "test", now)
    assert again.code is not None and again.on_board  # the replacement can itself be replaced
    db_session.commit()
    live = db_session.scalar(
        select(func.count(VotingCredential.id)).where(
            VotingCredential.election_id == ve.election_id, VotingCredential.revoked.is_(False)
        )
    )
    assert live == 12


def test_before_opening_a_replacement_is_not_on_the_board(app, db_session):
    ve = make_voting_election(app, open_vote=False)
    election = db_session.get(Election, ve.election_id)
    issued = ve.code_in("Noord", 0)
    replacement = replace_code(db_session, election, issued.person_id, "lost", "test", app.config["CLOCK"].now())
    db_session.commit()
    assert replacement.code is not None and not replacement.on_board
    assert _board_types(app, ve.election_id) == []


def test_the_record_with_a_replaced_code_passes_stembus_verify(app, tmp_path):
    ce = make_count_election(app)
    groups = sorted({c.group_name for c in ce.codes})
    first = [c for c in ce.codes if c.group_name == groups[0]]
    cast(app, ce, first[0], 0)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        replacement = replace_code(db, election, first[1].person_id, "lost", "test", app.config["CLOCK"].now())
        db.commit()
    assert replacement.code is not None
    renewed = IssuedCode(first[1].person_id, first[1].name, "", "nl", first[1].group_name, replacement.code)
    cast(app, ce, renewed, 1)
    cast(app, ce, next(c for c in ce.codes if c.group_name == groups[1]), 0)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    _share(app, ce, tmp_path, ce.trustees[0])
    _share(app, ce, tmp_path, ce.trustees[1])
    _fix_lot(app, ce)
    with app.extensions["stembus_sessions"]() as db:
        export_record(db, db.get(Election, ce.election_id), tmp_path / "record")
    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert report.valid, report.render()
    assert "2 credential change(s) applied in board order" in report["eligibility"].detail()
    credentials = json.loads((tmp_path / "record" / "credentials.json").read_text())
    assert sum(g["count"] for g in credentials["groups"]) == 12  # the lists as frozen at opening
    board = (tmp_path / "record" / "board.jsonl").read_text()
    assert replacement.code not in board and first[1].name not in board


def test_offline_mode_replaces_a_code_with_an_uploaded_public_credential(app, client):
    oe = make_offline_election(app, people=6)
    sign_in(client, oe.chair, app)
    base = f"/committee/elections/{oe.election_id}/offline-codes"
    manifest = client.get(f"{base}/manifest.json").data
    parsed, digest = read_manifest(manifest)
    doc, made = generate(read_voter_file(client.get(f"{base}/voters.json").data, parsed, digest), digest)
    page = client.get(base)
    upload = {"csrf_token": csrf_token(page), "credentials": (io.BytesIO(dump(doc)), "public-credentials.json")}
    assert client.post(f"{base}/upload", data=upload, content_type="multipart/form-data").status_code == 302
    open_voting_now(app, oe.election_id)
    sign_in(client, oe.chair, app)  # the clock moved on to the voting day: a fresh session
    voter = made[0].voter
    person_id = int(voter.ref[1:])

    refused = _replace(client, oe.election_id, person_id, voter.name)
    assert refused.status_code == 409 and "Upload the public credential file" in refused.get_data(as_text=True)
    one = client.get(_url(oe.election_id, f"/{person_id}/voter.json"))
    assert one.status_code == 200 and [v["ref"] for v in json.loads(one.data)["voters"]] == [voter.ref]
    new_doc, new_made = generate(read_voter_file(one.data, parsed, digest), digest)
    wrong = dict(new_doc, holders=[dict(new_doc["holders"][0], ref=made[1].voter.ref)])
    refused = _replace(client, oe.election_id, person_id, voter.name, upload=dump(wrong))
    assert refused.status_code == 400 and "this one voter only" in refused.get_data(as_text=True)
    assert bd.CREDENTIAL_REVOKED not in _board_types(app, oe.election_id)

    answer = _replace(client, oe.election_id, person_id, voter.name, upload=dump(new_doc))
    assert answer.status_code == 302
    assert _board_types(app, oe.election_id)[-2:] == [bd.CREDENTIAL_REVOKED, bd.CREDENTIAL_ADDED]
    with app.extensions["stembus_sessions"]() as db:
        group = db.get(ElectoralGroup, db.get(RegisterPerson, person_id).electoral_group_id)
    renewed = IssuedCode(person_id, voter.name, voter.email, "nl", group.name, new_made[0].code)
    uuid, headers = _booth(app, client, oe.election_id)
    ballot, _ = make_ballot(app, oe.election_id, renewed, 0)
    assert client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers).status_code == 201
