"""A ballot for another electoral group than the voter's is refused and leaves nothing behind.

Each electoral group (*kiesgroep*, art. 9 WOR) elects its own members from its own lists, so a
credential of one group may not vote on another group's ballot, even with a ballot valid in itself.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from crypto import group as g
from crypto.ballot import encrypt_ballot
from crypto.credentials import derive_credential
from election.models.throttle import ThrottleCounter
from election.models.voting import BoardEntry
from election.voting_codes import identity_of, manifest_of
from tests.web.voting_factory import make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _ballot_for_other_group(app, election_id, issued, other_name):  # type: ignore[no-untyped-def]
    """A correctly encrypted, proved and signed ballot for group ``other_name`` under ``issued``'s credential."""
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, election_id)
        assert identity is not None
        x, _ = derive_credential(issued.code, identity.uuid, bytes.fromhex(identity.manifest_hash))
        other = next(gr for gr in manifest_of(identity)["groups"] if gr["name"] == other_name)
        n = sum(len(lst["candidates"]) for lst in other["lists"]) + len(other["candidates"]) + 1
        ballot, secrets_ = encrypt_ballot(
            [1] + [0] * (n - 1),
            joint_key=g.Point(bytes.fromhex(identity.joint_key)),
            election_hash=bytes.fromhex(identity.election_hash),
            group_id=other["id"],
            credential_secret=x,
            system=other["system"],
            k=other["max_choices"],
        )
        return identity.uuid, ballot.to_dict(), secrets_.reveal()


def _board_types(app, election_id):  # type: ignore[no-untyped-def]
    with app.extensions["stembus_sessions"]() as db:
        query = select(BoardEntry.type).where(BoardEntry.election_id == election_id).order_by(BoardEntry.seq)
        return list(db.scalars(query))


def test_a_real_ballot_for_the_other_group_is_refused_and_nothing_is_stored(app, client):
    ve = make_voting_election(app)
    north = ve.code_in("Noord")
    uuid, ballot, reveal = _ballot_for_other_group(app, ve.election_id, north, "Zuid")
    page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}
    own, _ = make_ballot(app, ve.election_id, north, 0)
    assert ballot["credential"] == own["credential"] and ballot["group"] != own["group"]

    refused = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "wrong_group", "message": "This ballot is not for your electoral group."}
    tested = client.post(f"/vote/{uuid}/challenge", json={"ballot": ballot, "reveal": reveal}, headers=headers)
    assert tested.status_code == 400 and tested.get_json()["error"] == "wrong_group"
    assert _board_types(app, ve.election_id) == ["setup"]
    with app.extensions["stembus_sessions"]() as db:
        # Not a guess at a code: the address is not charged for it.
        assert db.scalar(select(func.count()).select_from(ThrottleCounter)) == 0

    # The credential is not used up: its own group's ballot is still accepted.
    assert client.post(f"/vote/{uuid}/cast", json=own, headers=headers).status_code == 201
    assert _board_types(app, ve.election_id) == ["setup", "ballot"]
