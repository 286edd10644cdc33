"""The optional second factor for voters: a one-time code by e-mail besides the voting code."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from crypto.credentials import derive_credential
from election.models import Election, OutboxMessage
from election.models.second_factor import VoterSecondFactor
from election.voting_codes import identity_of
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _require_second_factor(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        election.regulation = json.dumps({**json.loads(election.regulation), "voter_second_factor": True})
        db.commit()


def _booth(app, client, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        uuid, h_p = identity.uuid, bytes.fromhex(identity.manifest_hash)
    page = client.get(f"/vote/{uuid}")
    return uuid, h_p, {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}


def _mailed_code(app) -> str:  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        row = db.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "voter_second_factor").order_by(OutboxMessage.id.desc())
        ).first()
        assert row is not None and row.sensitive
        return re.search(r"\b(\d{6})\b", row.body_text).group(1)


def test_with_the_mailed_one_time_code_the_vote_counts_and_without_it_nothing_is_stored(app, client):
    ve = make_voting_election(app)
    _require_second_factor(app, ve.election_id)
    uuid, h_p, headers = _booth(app, client, ve.election_id)
    issued = ve.code_in("Noord")
    credential = derive_credential(issued.code, uuid, h_p)[1].hex()
    answer = client.post(f"/vote/{uuid}/credential", json={"credential": credential}, headers=headers)
    assert answer.get_json()["second_factor"] is True
    ballot, _ = make_ballot(app, ve.election_id, issued, 0)
    refused = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"] == "second_factor_expired"

    assert (
        client.post(f"/vote/{uuid}/second-factor", json={"credential": credential}, headers=headers).status_code == 202
    )
    code = _mailed_code(app)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(f"/vote/{uuid}/cast", json=ballot, headers={**headers, "X-Second-Factor": wrong})
    assert refused.status_code == 403 and refused.get_json()["error"] == "second_factor_wrong"
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalars(select(VoterSecondFactor.attempts)).one() == 1  # counted although the cast rolled back
        assert code not in db.scalars(select(VoterSecondFactor.code_hash)).one()
    cast = client.post(f"/vote/{uuid}/cast", json=ballot, headers={**headers, "X-Second-Factor": code})
    assert cast.status_code == 201, cast.get_json()
    retry = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)  # dropped connection: same receipt
    assert retry.status_code == 200 and retry.get_json()["tracking_code"] == cast.get_json()["tracking_code"]


def test_one_time_codes_are_rate_limited_expire_and_lock_after_five_wrong_tries(app, client):
    ve = make_voting_election(app)
    _require_second_factor(app, ve.election_id)
    uuid, h_p, headers = _booth(app, client, ve.election_id)
    issued = ve.code_in("Zuid")
    credential = derive_credential(issued.code, uuid, h_p)[1].hex()
    ballot, _ = make_ballot(app, ve.election_id, issued, 1)
    ask = {"credential": credential}
    assert client.post(f"/vote/{uuid}/second-factor", json=ask, headers=headers).status_code == 202
    again = client.post(f"/vote/{uuid}/second-factor", json=ask, headers=headers)
    assert again.status_code == 429 and again.get_json()["error"] == "second_factor_wait"

    app.config["CLOCK"].advance(timedelta(minutes=11))
    _, _, headers = _booth(app, client, ve.election_id)
    expired = client.post(f"/vote/{uuid}/cast", json=ballot, headers={**headers, "X-Second-Factor": _mailed_code(app)})
    assert expired.get_json()["error"] == "second_factor_expired"

    assert client.post(f"/vote/{uuid}/second-factor", json=ask, headers=headers).status_code == 202
    code = _mailed_code(app)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(f"/vote/{uuid}/cast", json=ballot, headers={**headers, "X-Second-Factor": wrong})
    locked = client.post(f"/vote/{uuid}/cast", json=ballot, headers={**headers, "X-Second-Factor": code})
    assert locked.status_code == 403 and locked.get_json()["error"] == "second_factor_locked"


def test_without_the_setting_the_booth_asks_for_no_second_factor(app, client):
    ve = make_voting_election(app)
    uuid, h_p, headers = _booth(app, client, ve.election_id)
    credential = derive_credential(ve.code_in("Noord").code, uuid, h_p)[1].hex()
    answer = client.post(f"/vote/{uuid}/credential", json={"credential": credential}, headers=headers)
    assert answer.get_json()["second_factor"] is False
    assert (
        client.post(f"/vote/{uuid}/second-factor", json={"credential": credential}, headers=headers).status_code == 404
    )
