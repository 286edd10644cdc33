"""The published record of a real election, before the count: the auditor's checks pass on it.

The election runs the committee's procedure: final lists, the manifest frozen with the key
ceremony, codes issued under the same ``H_P``, voting opened, real ballots cast through the booth's
endpoint. The record files are then written from what the server stores, and the verifier's own
set-up and board checks are run on them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crypto import record as rc
from crypto.record import RecordError, RecordReader, RecordWriter
from crypto.verifier import check_board, check_setup, verify_record
from crypto.verify_report import Report
from election.board_store import entries, to_entry
from election.voting_codes import credential_lists, identity_of, keys_document, manifest_of
from tests.web.voting_factory import VotingElection, make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')

# Checked before the count: everything about the set-up and the ballots on the board.
BEFORE_COUNT = (
    "version",
    "manifest",
    "keys",
    "credentials",
    "board_chain",
    "ballots",
    "eligibility",
    "one_ballot_per_credential",
    "challenged",
)
# Need tally.json and seats.json, which exist only once the count has been held.
AFTER_COUNT = ("aggregates", "decryption_shares", "threshold", "counts", "seats")


def _cast_ballots(app: Any, client: Any, ve: VotingElection) -> None:
    """Three counted ballots (two groups, a blank one among them) and one challenged ballot."""
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        uuid = identity.uuid
    page = client.get(f"/vote/{uuid}")
    match = _CSRF_META.search(page.get_data(as_text=True))
    assert match is not None
    headers = {"X-CSRFToken": match.group(1)}
    for issued, choice in ((ve.code_in("Noord", 0), 1), (ve.code_in("Noord", 1), -1), (ve.code_in("Zuid", 0), 0)):
        ballot, _ = make_ballot(app, ve.election_id, issued, choice)
        answer = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
        assert answer.status_code == 201, answer.get_json()
    ballot, reveal = make_ballot(app, ve.election_id, ve.code_in("Zuid", 1), 0)
    answer = client.post(f"/vote/{uuid}/challenge", json={"ballot": ballot, "reveal": reveal}, headers=headers)
    assert answer.status_code == 201, answer.get_json()


def _write_record(app: Any, election_id: int, path: Path) -> None:
    """``manifest.json``, ``keys.json``, ``credentials.json`` and ``board.jsonl`` from the stored election."""
    with app.extensions["stembus_sessions"]() as db, RecordWriter(path) as writer:
        identity = identity_of(db, election_id)
        assert identity is not None and identity.keys is not None
        keys = keys_document(db, election_id)
        assert keys == json.loads(identity.keys)  # the keys frozen into H_E when voting opened
        writer.write_json(rc.MANIFEST, manifest_of(identity))
        writer.write_json(rc.KEYS, keys)
        writer.write_json(rc.CREDENTIALS, {"groups": credential_lists(db, identity)})
        with writer.board() as sink:
            for row in entries(db, election_id):
                sink.append(to_entry(row), json.loads(row.payload))


def test_the_record_of_a_real_election_passes_the_verifiers_checks_before_the_count(app, client, tmp_path):
    ve = make_voting_election(app)
    _cast_ballots(app, client, ve)
    record = tmp_path / "record"
    _write_record(app, ve.election_id, record)

    # The full verifier reads a complete record only: before the count tally.json and seats.json are missing.
    with pytest.raises(RecordError, match=r"tally\.json"):
        verify_record(record)

    # Its set-up and board checks need neither file; the two are written empty only so the reader opens.
    for name in (rc.TALLY, rc.SEATS):
        (record / name).write_text("{}\n")
    report = Report()
    with RecordReader(record) as reader:
        setup = check_setup(reader, report)
        assert setup is not None, report.render()
        findings = check_board(reader, setup, report, 1, False, 8)
    failed = {name: report[name].detail() for name in BEFORE_COUNT if not report[name].ok}
    assert failed == {}
    assert findings.challenged == 1
    assert {grp.name: findings.counted.get(grp.id, 0) for grp in setup.manifest.groups} == {"Noord": 2, "Zuid": 1}
    # The binding: keys.json's transcript, the credentials and H_E all rest on the one manifest hash.
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ve.election_id)
        assert identity is not None
        assert setup.manifest_hash.hex() == identity.manifest_hash
        assert setup.election_hash.hex() == identity.election_hash
    assert setup.keys.raw["dkg"]["params_hash"] == identity.manifest_hash
    for name in AFTER_COUNT:  # not run here: they need the count
        assert not report[name].ran
