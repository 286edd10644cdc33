"""Recording a completed key ceremony bound to the frozen manifest, reading the keys back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from crypto import group as g
from crypto.ceremony import run_ceremony
from crypto.elgamal import Ciphertext
from crypto.threshold import DkgParams, decrypt_with_shares, make_decryption_share
from election.key_ceremony import CeremonyError, completed_ceremony, record_completed_ceremony
from election.models import AuditEntry, CommitteeMember, Election, KeyCeremony
from election.models.committee import Role
from election.voting_codes import freeze_manifest, identity_of
from tests.helpers import make_member
from tests.web.ceremony_factory import complete_ceremony
from tests.web.voting_factory import make_final_lists_election


def _trustees(app, db, count: int = 3) -> list[CommitteeMember]:
    roles = [Role.CHAIR] + [Role.MEMBER] * (count - 1)
    ids = [make_member(app, role, f"trustee{i}@example.org").id for i, role in enumerate(roles, start=1)]
    return [db.get(CommitteeMember, i) for i in ids]


def _election(app, db) -> Election:
    election = db.get(Election, make_final_lists_election(app))
    assert election is not None
    return election


def test_a_recorded_ceremony_gives_keys_any_two_of_three_can_decrypt_with(app, db_session):
    election = _election(app, db_session)
    members = _trustees(app, db_session)
    assert completed_ceremony(db_session, election.id) is None
    shares = complete_ceremony(db_session, election, members, 2)
    db_session.commit()
    done = completed_ceremony(db_session, election.id)
    identity = identity_of(db_session, election.id)
    assert done is not None and identity is not None
    assert done.transcript.params.params_hash.hex() == identity.manifest_hash
    assert done.threshold == 2
    assert done.trustees == tuple(m.id for m in members)
    assert set(shares) == {m.id for m in members}
    for j, member in enumerate(members, start=1):
        assert g.base_mul(shares[member.id]) == done.verification_keys[j]
    r = g.random_scalar()
    ct = Ciphertext(g.base_mul(r), g.add(g.mul(r, done.joint_key), g.int_mul(7, g.BASE)))
    h_e = bytes(64)
    parts = [make_decryption_share(h_e, j, shares[members[j - 1].id], ct) for j in (1, 3)]
    assert decrypt_with_shares(ct, parts, 2) == 7
    assert db_session.query(AuditEntry).filter_by(action="key_ceremony_completed").count() == 1


def test_a_transcript_that_does_not_verify_is_refused_and_nothing_is_stored(app, db_session):
    election = _election(app, db_session)
    members = _trustees(app, db_session)
    h_p = bytes.fromhex(freeze_manifest(db_session, election, "test", datetime.now(UTC)).manifest_hash)
    db_session.commit()
    result = run_ceremony(DkgParams(3, 2, h_p))
    forged = dataclasses.replace(result.transcript, joint_key=g.base_mul(g.random_scalar()))
    with pytest.raises(CeremonyError, match="does not verify"):
        record_completed_ceremony(db_session, election, forged, members)
    db_session.rollback()
    assert db_session.query(KeyCeremony).count() == 0
    with pytest.raises(CeremonyError, match="distinct trustees"):
        record_completed_ceremony(db_session, election, result.transcript, members[:2])


def test_a_transcript_not_bound_to_the_frozen_manifest_is_refused(app, db_session):
    election = _election(app, db_session)
    members = _trustees(app, db_session)
    result = run_ceremony(DkgParams(3, 2, bytes(32)))
    with pytest.raises(CeremonyError, match="manifest has not been frozen"):
        record_completed_ceremony(db_session, election, result.transcript, members)
    freeze_manifest(db_session, election, "test", datetime.now(UTC))
    with pytest.raises(CeremonyError, match="not to the frozen manifest hash") as refused:
        record_completed_ceremony(db_session, election, result.transcript, members)
    assert refused.value.code == "manifest_mismatch"
    with pytest.raises(CeremonyError, match="not to the frozen manifest hash"):
        complete_ceremony(db_session, election, members, 2, params_hash=bytes(32))
    db_session.rollback()
    assert db_session.query(KeyCeremony).count() == 0


def test_a_second_completion_is_refused(app, db_session):
    election = _election(app, db_session)
    members = _trustees(app, db_session)
    complete_ceremony(db_session, election, members, 2)
    db_session.commit()
    with pytest.raises(CeremonyError, match="already completed"):
        complete_ceremony(db_session, election, members, 2)
