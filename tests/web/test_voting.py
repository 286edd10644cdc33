"""Voting end to end: codes issued, real ballots cast through the web endpoint, the public board."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from crypto import board as bd
from crypto.credentials import derive_credential
from election import ceremony_relay as relay
from election.board_store import verify_stored_chain
from election.models import CommitteeMember, Election, RegisterPerson
from election.models.voting import BoardEntry, CredentialHolder, VotingCredential
from election.procedure_store import regulation_of
from election.voting_codes import VotingSetupError, identity_of, issue_codes, manifest_of, revoke_and_reissue
from tests.web.ceremony_factory import complete_ceremony
from tests.web.voting_factory import make_ballot, make_final_lists_election, make_trustees, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _booth(client, ve, app):
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    page = client.get(f"/vote/{uuid}")
    assert page.status_code == 200
    token = _CSRF_META.search(page.get_data(as_text=True)).group(1)
    return uuid, {"X-CSRFToken": token}


def _cast(client, uuid, headers, ballot):
    return client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)


def test_codes_are_issued_only_under_the_manifest_the_completed_key_ceremony_is_bound_to(app, db_session):
    election = db_session.get(Election, make_final_lists_election(app))
    now = app.config["CLOCK"].now()
    with pytest.raises(VotingSetupError, match="frozen when the key ceremony is set up") as refused:
        issue_codes(db_session, election, "test", now)
    assert refused.value.code == "no_manifest" and identity_of(db_session, election.id) is None
    regulation = regulation_of(election)
    ids = make_trustees(app, regulation.trustees)
    ceremony = relay.set_up_ceremony(db_session, election, ids, "trustee1@example.org", now)
    identity = identity_of(db_session, election.id)
    assert identity is not None and ceremony.params_hash == identity.manifest_hash
    assert manifest_of(identity)["committee"] == {
        "trustees": regulation.trustees,
        "threshold": regulation.decryption_threshold,
    }
    with pytest.raises(VotingSetupError, match="not been completed"):
        issue_codes(db_session, election, "test", now)
    members = [db_session.get(CommitteeMember, i) for i in ids]
    complete_ceremony(db_session, election, members, regulation.decryption_threshold)
    codes = issue_codes(db_session, election, "test", now)
    assert len(codes) == 12
    stored = set(db_session.scalars(select(VotingCredential.credential)))
    for issued in codes:  # every credential derives from its code under H_P = the manifest hash
        _, public = derive_credential(issued.code, identity.uuid, bytes.fromhex(identity.manifest_hash))
        assert public.hex() in stored


def test_a_real_ballot_is_cast_and_found_on_the_board_by_its_tracking_code(app, client):
    ve = make_voting_election(app)
    uuid, headers = _booth(client, ve, app)
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 1)
    answer = _cast(client, uuid, headers, ballot)
    assert answer.status_code == 201, answer.get_json()
    receipt = answer.get_json()
    assert receipt["tracking_code"] == bd.tracking_code(bd.canonical_json(ballot))
    board = client.get(f"/board/{uuid}?code={receipt['tracking_code'].lower()}")
    assert "will be counted" in board.get_data(as_text=True)
    listing = client.get(f"/board/{uuid}.json").get_json()
    assert [e["type"] for e in listing["entries"]] == ["setup", "ballot"]
    assert listing["head"] == receipt["board_head"]
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert verify_stored_chain(db, ve.election_id, bytes.fromhex(identity.election_hash)) == []


def test_a_second_ballot_with_the_same_code_is_refused_and_an_identical_retry_gets_the_receipt(app, client):
    ve = make_voting_election(app)
    uuid, headers = _booth(client, ve, app)
    code = ve.code_in("Zuid")
    first, _ = make_ballot(app, ve.election_id, code, 0)
    receipt = _cast(client, uuid, headers, first).get_json()
    retry = _cast(client, uuid, headers, first)
    assert retry.status_code == 200
    assert retry.get_json()["tracking_code"] == receipt["tracking_code"]
    assert retry.get_json()["repeated"] is True
    second, _ = make_ballot(app, ve.election_id, code, -1)
    refused = _cast(client, uuid, headers, second)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "already_voted"
    with app.extensions["stembus_sessions"]() as db:
        assert len(list(db.scalars(select(BoardEntry).where(BoardEntry.type == "ballot")))) == 1


def test_a_revoked_code_is_refused_and_its_replacement_votes(app, client):
    ve = make_voting_election(app, open_vote=False)
    lost = ve.code_in("Noord")
    with app.extensions["stembus_sessions"]() as db:
        from election.models import Election

        election = db.get(Election, ve.election_id)
        new = revoke_and_reissue(db, election, lost.person_id, "test", app.config["CLOCK"].now())
        db.commit()
    from tests.web.voting_factory import open_voting_now

    open_voting_now(app, ve.election_id)
    uuid, headers = _booth(client, ve, app)
    old_ballot, _ = make_ballot(app, ve.election_id, lost, 0)
    refused = _cast(client, uuid, headers, old_ballot)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "revoked"
    assert _cast(client, uuid, headers, make_ballot(app, ve.election_id, new, 0)[0]).status_code == 201


def test_an_unlisted_credential_and_a_tampered_proof_are_refused(app, client):
    ve = make_voting_election(app)
    uuid, headers = _booth(client, ve, app)
    from crypto.credentials import generate_code
    from election.voting_codes import IssuedCode

    stranger = IssuedCode(0, "x", "", "nl", "Noord", generate_code())
    unlisted = _cast(client, uuid, headers, make_ballot(app, ve.election_id, stranger, 0)[0])
    assert unlisted.status_code == 403 and unlisted.get_json()["error"] == "unknown_credential"
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 0)
    proof = ballot["selections"][0]["proof"]
    proof["c"][0], proof["c"][1] = proof["c"][1], proof["c"][0]
    tampered = _cast(client, uuid, headers, ballot)
    assert tampered.status_code == 400 and tampered.get_json()["error"] == "invalid"
    assert _cast(client, uuid, headers, {"version": 1}).status_code == 400
    assert client.post(f"/vote/{uuid}/cast", data="not json", headers=headers).status_code == 400


def test_a_ballot_cast_after_closing_is_refused(app, client):
    ve = make_voting_election(app)
    uuid, headers = _booth(client, ve, app)
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 0)
    app.config["CLOCK"].advance(timedelta(hours=12))
    uuid, headers = _booth(client, ve, app)  # a fresh page: the old session has expired meanwhile
    late = _cast(client, uuid, headers, ballot)
    assert late.status_code == 409 and late.get_json()["error"] == "closed"


def test_a_cast_without_csrf_token_is_refused(app, client):
    ve = make_voting_election(app)
    uuid, _ = _booth(client, ve, app)
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 0)
    assert _cast(client, uuid, {}, ballot).status_code == 400


def test_a_challenged_ballot_is_posted_but_not_counted(app, client):
    ve = make_voting_election(app)
    uuid, headers = _booth(client, ve, app)
    code = ve.code_in("Noord")
    ballot, reveal = make_ballot(app, ve.election_id, code, 0)
    answer = client.post(f"/vote/{uuid}/challenge", json={"ballot": ballot, "reveal": reveal}, headers=headers)
    assert answer.status_code == 201
    fresh, _ = make_ballot(app, ve.election_id, code, 0)
    assert _cast(client, uuid, headers, fresh).status_code == 201
    types = [e["type"] for e in client.get(f"/board/{uuid}.json").get_json()["entries"]]
    assert types == ["setup", "challenged", "ballot"]


def test_ballot_tables_hold_no_voter_identifier(app):
    # Domain 8 item 16: only the committee's holder table links a person to a credential.
    engine = app.extensions["stembus_engine"]
    inspector = inspect(engine)
    for table in (BoardEntry.__tablename__, VotingCredential.__tablename__):
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert not columns & {"person_id", "employee_number", "name", "email", "voter_id"}, table
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "register_person" not in targets, table
    holder = {c["name"] for c in inspector.get_columns(CredentialHolder.__tablename__)}
    assert "person_id" in holder
    assert RegisterPerson.__tablename__ == "register_person"


def test_the_booth_page_has_no_inline_script_and_the_code_form(app, client):
    ve = make_voting_election(app)
    uuid, _ = _booth(client, ve, app)
    for path in (f"/stem/{uuid}", f"/vote/{uuid}", f"/board/{uuid}"):
        html = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, path
        assert not re.search(r"<script[^>]*>\s*[^<\s]", html), path
        assert " style=" not in html, path
    assert 'lang="nl"' in client.get(f"/stem/{uuid}").get_data(as_text=True)
    assert client.get("/stem").status_code == 302


def test_the_booth_form_cannot_send_a_voting_code_to_the_server(app, client):
    ve = make_voting_election(app)
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
    page = client.get(f"/stem/{identity.uuid}").get_data(as_text=True)
    # Pressing Enter before the script has loaded submits the form natively: only named inputs travel.
    for input_id in ("voting-code", "second-factor"):
        tag = re.search(rf'<input id="{input_id}"[^>]*>', page)
        assert tag is not None, input_id
        assert " name=" not in tag.group(0), tag.group(0)
