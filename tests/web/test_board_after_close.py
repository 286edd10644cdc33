"""After closing: the whole board for download, and a non-voter's yes/no check under their credential."""

from __future__ import annotations

import json

from crypto import board as bd
from crypto.credentials import derive_credential
from election.voting_codes import identity_of
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election


def _uuid_and_hp(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        return identity.uuid, bytes.fromhex(identity.manifest_hash)


def _credential(code, uuid, h_p) -> str:  # type: ignore[no-untyped-def]
    return derive_credential(code, uuid, h_p)[1].hex()


def test_before_closing_neither_the_full_board_nor_the_check_is_available(app, client):
    ce = make_count_election(app)
    cast(app, ce, ce.codes[0], 1)
    uuid, h_p = _uuid_and_hp(app, ce.election_id)
    assert client.get(f"/board/{uuid}/board.jsonl").status_code == 404
    assert client.get(f"/board/{uuid}/credentials/{_credential(ce.codes[0].code, uuid, h_p)}.json").status_code == 404
    page = client.get(f"/vote/{uuid}/check").get_data(as_text=True)
    assert "possible once voting has closed" in page and "check-form" not in page


def test_after_closing_the_whole_board_downloads_as_the_records_board_lines(app, client):
    ce = make_count_election(app)
    cast(app, ce, ce.codes[0], 1)
    cast(app, ce, ce.codes[1], 0)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    uuid, _ = _uuid_and_hp(app, ce.election_id)
    answer = client.get(f"/board/{uuid}/board.jsonl")
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    answer.close()
    # The streamed board read in a session of its own and gave its connection back when done.
    assert app.extensions["stembus_engine"].pool.checkedout() == 0
    types = [line["type"] for line in lines]
    assert types[:3] == ["setup", "ballot", "ballot"] and "close" in types
    listing = client.get(f"/board/{uuid}.json").get_json()
    assert [e["seq"] for e in listing["entries"]] == [line["seq"] for line in lines]
    for line in lines:  # every payload is the one its entry hashes
        if line["type"] in ("ballot", "challenged"):
            expected = bd.ballot_hash(bd.canonical_json(line["payload"]))
        else:
            expected = bd.payload_hash(line["type"], line["payload"])
        assert expected.hex() == line["payload_hash"]
    board_page = client.get(f"/board/{uuid}").get_data(as_text=True)
    assert f"/board/{uuid}/board.jsonl" in board_page and f"/vote/{uuid}/check" in board_page


def test_a_voter_learns_only_yes_or_no_about_their_own_code(app, client):
    ce = make_count_election(app)
    voted, did_not = ce.codes[0], ce.codes[1]
    cast(app, ce, voted, 1)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    uuid, h_p = _uuid_and_hp(app, ce.election_id)
    yes = client.get(f"/board/{uuid}/credentials/{_credential(voted.code, uuid, h_p)}.json")
    no = client.get(f"/board/{uuid}/credentials/{_credential(did_not.code, uuid, h_p)}.json")
    assert yes.get_json() == {"ballot_cast": True}
    assert no.get_json() == {"ballot_cast": False}
    assert client.get(f"/board/{uuid}/credentials/{'Z' * 64}.json").status_code == 400
    assert client.get(f"/board/{uuid}/credentials/abc.json").status_code == 400
    page = client.get(f"/stem/{uuid}/controle").get_data(as_text=True)
    assert 'id="check-form"' in page and "no-vote-check.js" in page
