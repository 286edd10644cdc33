"""The count: closing by two members, the fixed tally, trustees' shares through the CLI, seats and the record."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import admin.cli  # noqa: F401  (registers ``stembus trustee decrypt``)
from crypto import board as bd
from crypto.verifier import verify_record
from election.cli import main
from election.count_record import export_record, record_zip
from election.models import CommitteeMember, Election
from election.models.committee import Role
from election.models.count import DecryptionShareSet
from election.models.record import PublishedRecordChunk
from election.procedure import Phase, StepRefused
from election.record_publication import publish_record, published_record
from election.seats import allocate, parse_contest
from election.tally_store import (
    CountError,
    count_file,
    count_of,
    fix_lot_seed,
    submit_decryption_share,
    tally_document,
)
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.count_factory import PASSPHRASE, after_voting, cast, close_vote, make_count_election, write_backup
from tests.web.record_factory import make_result_election, take_step


def _seats(doc):
    return allocate(parse_contest(doc)).to_dict()


def _voted(app, *, ballots=((0, 0), (0, 1), (1, 0), (0, 0))):
    """A closed vote with real ballots: (group index, option) pairs, one voter each."""
    ce = make_count_election(app)
    groups = sorted({c.group_name for c in ce.codes})
    used: dict[str, int] = {}
    for group_index, option in ballots:
        name = groups[group_index]
        cast(app, ce, [c for c in ce.codes if c.group_name == name][used.get(name, 0)], option)
        used[name] = used.get(name, 0) + 1
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    return ce


def _files(app, ce, tmp_path):
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        count_path = tmp_path / "count-file.json"
        tally_path = tmp_path / "tally.json"
        count_path.write_text(json.dumps(count_file(db, election)), encoding="utf-8")
        tally_path.write_text(json.dumps(tally_document(db, election)), encoding="utf-8")
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    return count_path, tally_path


def _decrypt(app, ce, tmp_path, member_id, *, tally_path=None):
    count_path, default_tally = _files(app, ce, tmp_path)
    backup = write_backup(tmp_path / f"backup-{member_id}.json", app, ce, member_id)
    out = tmp_path / f"shares-{member_id}.json"
    args = ["trustee", "decrypt", "--election-file", str(count_path), "--tally", str(tally_path or default_tally)]
    args += ["--backup", str(backup), "--passphrase-file", str(tmp_path / "pass.txt"), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    return result, out


def _submit(app, ce, member_id, doc):
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        member = db.get(CommitteeMember, member_id)
        try:
            submit_decryption_share(db, election, member, doc, app.config["CLOCK"].now())
        except CountError:
            db.rollback()
            raise
        db.commit()


def _share(app, ce, tmp_path, member_id):
    result, out = _decrypt(app, ce, tmp_path, member_id)
    assert result.exit_code == 0, result.output
    _submit(app, ce, member_id, json.loads(out.read_text(encoding="utf-8")))


def _fix_lot(app, ce, text="dice 3 1 6 5 2"):
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        fix_lot_seed(db, election, db.get(CommitteeMember, ce.trustees[0]), text, app.config["CLOCK"].now())
        db.commit()


def _counts(app, ce):
    with app.extensions["stembus_sessions"]() as db:
        count = count_of(db, ce.election_id)
        return None if count is None or count.counts is None else json.loads(count.counts)


def _expected(app, ce):
    with app.extensions["stembus_sessions"]() as db:
        groups = json.loads(count_of(db, ce.election_id).aggregates)
    out = {}
    for grp in groups:
        values = [0] * len(grp["aggregate"])
        for option in ce.cast.get(grp["id"], []):
            values[option] += 1
        out[grp["id"]] = values
    return out


def test_closing_fixes_the_board_with_a_close_and_a_tally_entry_per_group(app):
    ce = _voted(app)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        assert election.phase == "counted"
        tally = tally_document(db, election)
        board = count_file(db, election)["board"]
    kinds = [line["type"] for line in board]
    assert kinds.count("ballot") == 4 and kinds[-3:] == ["close", "tally", "tally"]
    close = next(line for line in board if line["type"] == "close")
    assert sum(close["payload"]["ballots"].values()) == 4
    head = bd.entry_hash(
        bd.Entry(
            close["seq"],
            bytes.fromhex(close["prev_hash"]),
            "close",
            bytes.fromhex(close["payload_hash"]),
            close["time"],
        )
    )
    assert tally["board_head"] == head.hex()


def test_two_trustees_through_the_cli_give_the_cast_counts_and_the_record_verifies(app, tmp_path):
    ce = _voted(app)
    _share(app, ce, tmp_path, ce.trustees[0])
    assert _counts(app, ce) is None  # one share alone decrypts nothing
    _share(app, ce, tmp_path, ce.trustees[2])
    assert _counts(app, ce) == _expected(app, ce)
    _fix_lot(app, ce)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        export_record(db, election, tmp_path / "record")
        data, digest = record_zip(db, election)
        again, digest_again = record_zip(db, election)
    assert digest == digest_again and data == again
    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert report.valid, report.render()


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_any_two_of_three_trustees_give_the_same_counts(app, tmp_path, pair):
    ce = _voted(app)
    for k in pair:
        _share(app, ce, tmp_path, ce.trustees[k])
    assert _counts(app, ce) == _expected(app, ce)


def test_a_forged_share_is_refused_and_named(app, tmp_path):
    ce = _voted(app)
    _result, out = _decrypt(app, ce, tmp_path, ce.trustees[1])
    doc = json.loads(out.read_text(encoding="utf-8"))
    gid = sorted(doc["groups"])[0]
    first, second = doc["groups"][gid][0], doc["groups"][gid][1]
    first["factor"] = second["factor"]
    with pytest.raises(CountError) as refused:
        _submit(app, ce, ce.trustees[1], doc)
    assert refused.value.code == "bad_share" and "trustee 2" in str(refused.value) and gid in str(refused.value)
    with app.extensions["stembus_sessions"]() as db:
        assert not db.scalars(select(DecryptionShareSet)).all()


def test_shares_from_a_non_trustee_twice_or_for_another_tally_are_refused(app, tmp_path):
    ce = _voted(app)
    _result, out = _decrypt(app, ce, tmp_path, ce.trustees[0])
    doc = json.loads(out.read_text(encoding="utf-8"))
    outsider = make_member(app, Role.MEMBER, "outsider@example.org")
    with pytest.raises(CountError) as refused:
        _submit(app, ce, outsider.id, doc)
    assert refused.value.code == "not_trustee"
    with pytest.raises(CountError) as refused:
        _submit(app, ce, ce.trustees[1], doc)
    assert refused.value.code == "wrong_member"
    with pytest.raises(CountError) as refused:
        _submit(app, ce, ce.trustees[0], {**doc, "election": ce.election_id + 1})
    assert refused.value.code == "other_election"
    _submit(app, ce, ce.trustees[0], doc)
    with pytest.raises(CountError) as refused:
        _submit(app, ce, ce.trustees[0], doc)
    assert refused.value.code == "already_shared"


def test_the_cli_refuses_a_tally_that_is_not_the_sum_of_the_whole_board(app, tmp_path):
    ce = _voted(app)
    _, tally_path = _files(app, ce, tmp_path)
    tally = json.loads(tally_path.read_text(encoding="utf-8"))
    grp = tally["groups"][0]
    grp["aggregate"][0], grp["aggregate"][1] = grp["aggregate"][1], grp["aggregate"][0]
    forged = tmp_path / "forged-tally.json"
    forged.write_text(json.dumps(tally), encoding="utf-8")
    result, out = _decrypt(app, ce, tmp_path, ce.trustees[0], tally_path=forged)
    assert result.exit_code != 0 and "nothing decrypted" in result.output and grp["id"] in result.output
    assert not out.exists()


def test_the_lot_seed_is_fixed_once(app):
    ce = _voted(app)
    _fix_lot(app, ce)
    with pytest.raises(CountError) as refused:
        _fix_lot(app, ce, "other dice")
    assert refused.value.code == "lot_fixed"


def test_the_count_page_takes_shares_and_the_lot_seed_and_shows_results_and_the_record(app, client, tmp_path):
    ce = _voted(app)
    page = client.get(f"/committee/elections/{ce.election_id}/count")
    assert page.status_code in (302, 401, 403)  # signed out
    sign_in(client, ce.accounts[0], app)
    page = client.get(f"/committee/elections/{ce.election_id}/count")
    html = page.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        head = count_of(db, ce.election_id).board_head
    assert page.status_code == 200 and head in html
    board = client.get(f"/committee/elections/{ce.election_id}/count/count-file.json")
    tally = client.get(f"/committee/elections/{ce.election_id}/count/tally.json")
    assert board.status_code == 200 and tally.status_code == 200
    (tmp_path / "board.json").write_bytes(board.data)
    (tmp_path / "tally.json").write_bytes(tally.data)
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    backup = write_backup(tmp_path / "backup.json", app, ce, ce.trustees[0])
    out = tmp_path / "shares.json"
    args = [
        "trustee",
        "decrypt",
        "--election-file",
        str(tmp_path / "board.json"),
        "--tally",
        str(tmp_path / "tally.json"),
    ]
    args += ["--backup", str(backup), "--passphrase-file", str(tmp_path / "pass.txt"), "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0

    token = csrf_token(page)
    upload = {"csrf_token": token, "shares": (io.BytesIO(out.read_bytes()), "shares.json")}
    page = client.post(f"/committee/elections/{ce.election_id}/count/shares", data=upload, follow_redirects=True)
    assert "verify and were accepted" in page.get_data(as_text=True)
    again = {"csrf_token": token, "shares": (io.BytesIO(out.read_bytes()), "shares.json")}
    page = client.post(f"/committee/elections/{ce.election_id}/count/shares", data=again, follow_redirects=True)
    assert "already submitted" in page.get_data(as_text=True)
    no_csrf = client.post(f"/committee/elections/{ce.election_id}/count/lot-seed", data={"seed": "4 2 6"})
    assert no_csrf.status_code in (302, 400)
    _share(app, ce, tmp_path, ce.trustees[1])
    page = client.post(
        f"/committee/elections/{ce.election_id}/count/lot-seed",
        data={"csrf_token": token, "seed": "dice 4 2 6 1"},
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "The lot seed is fixed." in html and "Results" in html and "<meter" in html and "Elected" in html
    record = client.get(f"/committee/elections/{ce.election_id}/count/record.zip")
    assert record.status_code == 200 and hashlib.sha256(record.data).hexdigest() in html
    page = client.post(
        f"/committee/elections/{ce.election_id}/count/lot-seed",
        data={"csrf_token": token, "seed": "other"},
        follow_redirects=True,
    )
    assert "cannot be entered twice" in page.get_data(as_text=True)


def test_once_published_the_count_page_shows_and_hands_out_the_stored_record(app, client):
    ce = make_result_election(app)
    eid = ce.election_id
    take_step(app, eid, Phase.RESULT_ANNOUNCED)
    with app.extensions["stembus_sessions"]() as db:
        publish_record(db, db.get(Election, eid), "chair@example.org", app.config["CLOCK"].now())
        db.commit()
        published = published_record(db, eid)
        assert published is not None
        digest = published.sha256
    sign_in(client, ce.accounts[0], app)
    html = client.get(f"/committee/elections/{eid}/count").get_data(as_text=True)
    assert f"<code>{digest}</code>" in html
    download = client.get(f"/committee/elections/{eid}/count/record.zip", follow_redirects=True)
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == digest

    # The stored bytes are the record, also should a fresh build no longer give the same bytes.
    stored = b"the record as frozen at the result"
    with app.extensions["stembus_sessions"]() as db:
        record = published_record(db, eid)
        chunks = db.scalars(select(PublishedRecordChunk).where(PublishedRecordChunk.record_id == record.id)).all()
        for chunk in chunks[1:]:
            db.delete(chunk)
        chunks[0].data = stored
        record.sha256, record.size = hashlib.sha256(stored).hexdigest(), len(stored)
        db.commit()
        rebuilt = record_zip(db, db.get(Election, eid))[1]
    html = client.get(f"/committee/elections/{eid}/count").get_data(as_text=True)
    assert hashlib.sha256(stored).hexdigest() in html and rebuilt not in html
    download = client.get(f"/committee/elections/{eid}/count/record.zip", follow_redirects=True)
    assert download.data == stored


def test_the_vote_cannot_be_closed_while_the_voting_window_is_open(app):
    ce = make_count_election(app)
    with pytest.raises(StepRefused) as refused:
        close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    assert refused.value.code == "voting_open"
    with app.extensions["stembus_sessions"]() as db:
        assert count_of(db, ce.election_id) is None and db.get(Election, ce.election_id).phase == "voting"
