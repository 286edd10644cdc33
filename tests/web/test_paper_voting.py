"""Hybrid voting: paper marks that disable online codes on the board, the paper count with a second
member's confirmation, seats from online plus paper votes, and the record that verifies it."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import admin.cli  # noqa: F401  (registers every stembus command)
from crypto import board as bd
from crypto.credentials import derive_credential
from crypto.verifier import verify_record
from election.casting import CastRefused, cast_ballot
from election.cli import main
from election.count_record import export_record
from election.models import CommitteeMember, Election
from election.models.committee import Role
from election.models.paper import PaperCount, PaperVote
from election.models.record import PublishedRecord
from election.models.voting import BoardEntry
from election.paper_count import confirm_paper_count, confirmed_paper, digest_of, paper_counts
from election.paper_marks import PaperError, mark_voted_on_paper
from election.procedure import Phase
from election.record_publication import publish_record
from election.seats import allocate, parse_contest
from election.tally_store import count_of
from election.voting_codes import IssuedCode, identity_of
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.count_factory import after_voting, cast, close_vote, make_count_election
from tests.web.paper_factory import (
    codes_in,
    confirm_paper,
    decrypt_and_fix_lot,
    enter_paper,
    make_hybrid,
    make_hybrid_count_election,
    mark_paper,
)
from tests.web.record_factory import take_step
from tests.web.voting_factory import make_ballot

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _seats(doc):
    return allocate(parse_contest(doc)).to_dict()


def _credential(app, ce, issued: IssuedCode) -> str:
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ce.election_id)
        _, public = derive_credential(issued.code, identity.uuid, bytes.fromhex(identity.manifest_hash))
    return bytes(public).hex()


def _entries(app, ce, entry_type):
    with app.extensions["stembus_sessions"]() as db:
        query = select(BoardEntry).where(BoardEntry.election_id == ce.election_id, BoardEntry.type == entry_type)
        return list(db.scalars(query.order_by(BoardEntry.seq)))


def _group_id(app, ce, issued: IssuedCode) -> str:
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        return next(f"G{g.id}" for g in election.groups if g.name == issued.group_name)


def _booth(client, app, ce):
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ce.election_id).uuid
    page = client.get(f"/vote/{uuid}")
    return uuid, {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}


# --- marking -------------------------------------------------------------------------------------


def test_marking_a_voter_disables_their_code_on_the_board_and_the_booth_refuses_it(app, client):
    ce = make_hybrid_count_election(app)
    voter = codes_in(ce, "Zuid")[0]
    sign_in(client, ce.accounts[0], app)
    page = client.get(f"/committee/elections/{ce.election_id}/paper")
    assert page.status_code == 200 and "Find a voter" in page.get_data(as_text=True)
    found = client.post(
        f"/committee/elections/{ce.election_id}/paper/search", data={"csrf_token": csrf_token(page), "q": voter.name}
    )
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "Not voted yet" in html
    assert f"/paper/people/{voter.person_id}/mark" in html
    marked = client.post(
        f"/committee/elections/{ce.election_id}/paper/people/{voter.person_id}/mark",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert marked.status_code == 200 and "Marked as having voted on paper" in marked.get_data(as_text=True)

    credential = _credential(app, ce, voter)
    [entry] = _entries(app, ce, bd.CREDENTIAL_DISABLED)
    payload = json.loads(entry.payload)
    assert payload == {"group": _group_id(app, ce, voter), "credential": credential}
    assert voter.name not in entry.payload and entry.payload_hash == bd.payload_hash(entry.type, payload).hex()
    with app.extensions["stembus_sessions"]() as db:
        [mark] = db.scalars(select(PaperVote)).all()
        assert mark.person_id == voter.person_id and mark.board_seq == entry.seq

    uuid, headers = _booth(client, app, ce)
    refused = client.post(f"/vote/{uuid}/credential", json={"credential": credential}, headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"] == "voted_on_paper"
    assert "voted on paper" in refused.get_json()["message"]
    ballot, _ = make_ballot(app, ce.election_id, voter, 0)
    cast_refused = client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers)
    assert cast_refused.status_code == 403 and cast_refused.get_json()["error"] == "voted_on_paper"
    dutch = client.post(f"/stem/{uuid}/credential", json={"credential": credential}, headers=headers)
    assert "papier" in dutch.get_json()["message"]
    assert not _entries(app, ce, bd.BALLOT)


def test_a_voter_who_voted_online_cannot_be_marked(app, client):
    ce = make_hybrid_count_election(app)
    voter = codes_in(ce, "Noord")[0]
    cast(app, ce, voter, 1)
    sign_in(client, ce.accounts[1], app)
    page = client.get(f"/committee/elections/{ce.election_id}/paper")
    found = client.post(
        f"/committee/elections/{ce.election_id}/paper/search", data={"csrf_token": csrf_token(page), "q": voter.name}
    )
    assert "Voted online" in found.get_data(as_text=True)
    refused = client.post(
        f"/committee/elections/{ce.election_id}/paper/people/{voter.person_id}/mark",
        data={"csrf_token": csrf_token(page)},
    )
    assert refused.status_code == 409 and "has already voted online" in refused.get_data(as_text=True)
    assert not _entries(app, ce, bd.CREDENTIAL_DISABLED)
    with app.extensions["stembus_sessions"]() as db:
        assert not db.scalars(select(PaperVote)).all()


def test_a_voter_is_marked_once_only_while_voting_is_open_and_only_under_a_hybrid_regulation(app):
    ce = make_count_election(app)  # online only, as by default
    voter = codes_in(ce, "Noord")[0]
    with pytest.raises(PaperError) as refused:
        mark_paper(app, ce, voter)
    assert refused.value.code == "not_hybrid"
    make_hybrid(app, ce)
    mark_paper(app, ce, voter)
    with pytest.raises(PaperError) as refused:
        mark_paper(app, ce, voter)
    assert refused.value.code == "already_marked"
    after_voting(app, ce.election_id)
    with pytest.raises(PaperError) as refused:
        mark_paper(app, ce, codes_in(ce, "Noord")[1])
    assert refused.value.code == "not_voting"
    assert len(_entries(app, ce, bd.CREDENTIAL_DISABLED)) == 1


def _in_thread(target):
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["value"] = target()
        except (CastRefused, PaperError) as exc:
            outcome["refused"] = exc.code

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_mark_and_an_online_cast_at_the_same_moment_store_exactly_one(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("two writers waiting on one another need PostgreSQL's row and advisory locks")
    ce = make_hybrid_count_election(app)
    first, second = codes_in(ce, "Zuid")[:2]
    sessions = app.extensions["stembus_sessions"]
    now = app.config["CLOCK"].now()

    def cast_now(issued):
        ballot, _ = make_ballot(app, ce.election_id, issued, 0)

        def run():
            with sessions() as db:
                receipt = cast_ballot(db, ce.election_id, ballot, now)
                db.commit()
                return receipt

        return run

    def mark_now(issued):
        def run():
            with sessions() as db:
                mark = mark_voted_on_paper(db, db.get(Election, ce.election_id), issued.person_id, "x", now)
                db.commit()
                return mark.board_seq

        return run

    # The mark holds the board while the ballot arrives: the ballot waits, then is refused.
    casting = cast_now(first)
    with sessions() as db:
        mark_voted_on_paper(db, db.get(Election, ce.election_id), first.person_id, "x", now)
        thread, outcome = _in_thread(casting)
        time.sleep(0.5)
        assert thread.is_alive(), "the cast should wait for the mark's transaction"
        db.commit()
    thread.join(30)
    assert outcome == {"refused": "voted_on_paper"}

    # The ballot holds the board while the mark arrives: the mark waits, then is refused.
    ballot, _ = make_ballot(app, ce.election_id, second, 0)
    with sessions() as db:
        cast_ballot(db, ce.election_id, ballot, now)
        thread, outcome = _in_thread(mark_now(second))
        time.sleep(0.5)
        assert thread.is_alive(), "the mark should wait for the ballot's transaction"
        db.commit()
    thread.join(30)
    assert outcome == {"refused": "voted_online"}

    # Started together, one of the two wins.
    third = codes_in(ce, "Zuid")[2]
    barrier = threading.Barrier(2)
    runs = [cast_now(third), mark_now(third)]
    outcomes: list[dict[str, object]] = []
    threads = []
    for run in runs:

        def waiting(run=run):
            barrier.wait(10)
            return run()

        thread, outcome = _in_thread(waiting)
        threads.append(thread)
        outcomes.append(outcome)
    for thread in threads:
        thread.join(30)
    assert sorted("refused" in o for o in outcomes) == [False, True]

    for issued in (first, second, third):
        credential = _credential(app, ce, issued)
        with app.extensions["stembus_sessions"]() as db:
            used = db.scalars(select(BoardEntry).where(BoardEntry.counted_credential == credential)).all()
            marks = db.scalars(select(PaperVote).where(PaperVote.person_id == issued.person_id)).all()
        assert len(used) == 1
        assert (used[0].type == bd.CREDENTIAL_DISABLED) == (len(marks) == 1)


# --- the paper count -----------------------------------------------------------------------------


def _hybrid_vote(app):
    """Online: Noord one vote for c1, Zuid two for c6. On paper: one Noord voter, three Zuid voters."""
    ce = make_hybrid_count_election(app)
    noord, zuid = codes_in(ce, "Noord"), codes_in(ce, "Zuid")
    cast(app, ce, noord[0], 0)
    cast(app, ce, zuid[0], 0)
    cast(app, ce, zuid[1], 0)
    mark_paper(app, ce, noord[1])
    for issued in zuid[2:5]:
        mark_paper(app, ce, issued)
    after_voting(app, ce.election_id)
    close_vote(app, ce.election_id, ce.trustees[0], ce.trustees[1])
    return ce, _group_id(app, ce, noord[0]), _group_id(app, ce, zuid[0])


def _form(group_db_id: int, ballots: int, counts: list[int], invalid: int, token: str) -> dict[str, object]:
    prefix = f"g{group_db_id}-"
    data: dict[str, object] = {f"{prefix}csrf_token": token, f"{prefix}ballots": ballots, f"{prefix}invalid": invalid}
    for i, value in enumerate(counts[:-1]):
        data[f"{prefix}option_{i}"] = value
    data[f"{prefix}blank"] = counts[-1]
    return data


def test_the_paper_count_is_entered_by_one_member_and_confirmed_by_another(app, client):
    ce, _noord, zuid = _hybrid_vote(app)
    zuid_db = int(zuid[1:])
    url = f"/committee/elections/{ce.election_id}/paper/counts"
    sign_in(client, ce.accounts[0], app)
    page = client.get(url)
    assert page.status_code == 200 and "3 voter(s) of this group are marked" in page.get_data(as_text=True)
    token = csrf_token(page)
    entered = client.post(f"{url}/{zuid_db}", data=_form(zuid_db, 3, [0, 0, 0, 3, 0, 0], 0, token))
    assert entered.status_code == 302
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert "Waiting for confirmation by a second committee member" in html
    assert f"/paper/counts/{zuid_db}/confirm" not in html  # no button for the member who entered it
    with app.extensions["stembus_sessions"]() as db:
        digest = digest_of(db.scalars(select(PaperCount)).one())
    own = client.post(f"{url}/{zuid_db}/confirm", data={"csrf_token": token, "digest": digest})
    assert own.status_code == 403 and "A second committee member must confirm" in own.get_data(as_text=True)
    assert not _entries(app, ce, bd.PAPER_COUNT)

    second = app.test_client()
    second.environ_base.update(client.environ_base)
    sign_in(second, ce.accounts[1], app)
    page = second.get(url)
    assert f"/paper/counts/{zuid_db}/confirm" in page.get_data(as_text=True)
    done = second.post(
        f"{url}/{zuid_db}/confirm", data={"csrf_token": csrf_token(page), "digest": digest}, follow_redirects=True
    )
    assert done.status_code == 200 and "fixed on the bulletin board" in done.get_data(as_text=True)
    [entry] = _entries(app, ce, bd.PAPER_COUNT)
    assert json.loads(entry.payload) == {"group": zuid, "ballots": 3, "counts": [0, 0, 0, 3, 0, 0], "invalid": 0}
    again = second.post(f"{url}/{zuid_db}/confirm", data={"csrf_token": csrf_token(page), "digest": digest})
    assert again.status_code == 409 and "already been confirmed" in again.get_data(as_text=True)
    changed = client.post(f"{url}/{zuid_db}", data=_form(zuid_db, 3, [0, 0, 0, 2, 1, 0], 0, token))
    assert changed.status_code == 409 and len(_entries(app, ce, bd.PAPER_COUNT)) == 1


def test_paper_figures_that_do_not_add_up_or_exceed_the_marks_are_refused(app, client):
    ce, _noord, zuid = _hybrid_vote(app)
    zuid_db = int(zuid[1:])
    url = f"/committee/elections/{ce.election_id}/paper/counts"
    sign_in(client, ce.accounts[0], app)
    token = csrf_token(client.get(url))
    wrong_sum = client.post(f"{url}/{zuid_db}", data=_form(zuid_db, 3, [0, 0, 0, 2, 0, 0], 0, token))
    assert wrong_sum.status_code == 400 and "add up to 2, but 3 paper ballots" in wrong_sum.get_data(as_text=True)
    too_many = client.post(f"{url}/{zuid_db}", data=_form(zuid_db, 4, [0, 0, 0, 4, 0, 0], 0, token))
    assert too_many.status_code == 400
    assert "only 3 voters of this group are marked" in too_many.get_data(as_text=True)
    not_a_number = client.post(
        f"{url}/{zuid_db}", data={**_form(zuid_db, 3, [0, 0, 0, 3, 0, 0], 0, token), f"g{zuid_db}-ballots": "three"}
    )
    assert not_a_number.status_code == 400 and "every field needs a whole number" in not_a_number.get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        assert not db.scalars(select(PaperCount)).all()


def test_changed_figures_are_not_confirmed(app):
    ce, noord, _zuid = _hybrid_vote(app)
    enter_paper(app, ce, ce.trustees[0], noord, 1, [0, 0, 0, 0, 0, 0], 1)
    with app.extensions["stembus_sessions"]() as db:
        seen = digest_of(paper_counts(db, ce.election_id)[noord])
    enter_paper(app, ce, ce.trustees[2], noord, 1, [1, 0, 0, 0, 0, 0], 0)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        with pytest.raises(PaperError) as refused:
            confirm_paper_count(
                db, election, db.get(CommitteeMember, ce.trustees[1]), noord, seen, app.config["CLOCK"].now()
            )
        assert refused.value.code == "changed"
    secretary = make_member(app, Role.SECRETARY, "secretary@example.org")
    with pytest.raises(PaperError) as refused:
        confirm_paper(app, ce, secretary.id, noord)
    assert refused.value.code == "role"
    confirm_paper(app, ce, ce.trustees[1], noord)
    assert json.loads(_entries(app, ce, bd.PAPER_COUNT)[0].payload)["counts"] == [1, 0, 0, 0, 0, 0]


# --- seats, the record and the count page --------------------------------------------------------


def _counted_hybrid(app):
    ce, noord, zuid = _hybrid_vote(app)
    enter_paper(app, ce, ce.trustees[0], noord, 1, [0, 0, 0, 0, 0, 0], 1)
    enter_paper(app, ce, ce.trustees[0], zuid, 3, [0, 0, 0, 3, 0, 0], 0)
    decrypt_and_fix_lot(app, ce)
    with app.extensions["stembus_sessions"]() as db:
        count = count_of(db, ce.election_id)
        assert count.counts is not None and count.result_at is None  # waits for the paper counts
        assert confirmed_paper(db, db.get(Election, ce.election_id)) is None
    confirm_paper(app, ce, ce.trustees[1], noord)
    with app.extensions["stembus_sessions"]() as db:
        assert count_of(db, ce.election_id).result_at is None  # Zuid still unconfirmed
    confirm_paper(app, ce, ce.trustees[1], zuid)
    return ce, noord, zuid


def test_the_seats_are_allocated_from_online_plus_paper_votes(app):
    ce, noord, zuid = _counted_hybrid(app)
    with app.extensions["stembus_sessions"]() as db:
        count = count_of(db, ce.election_id)
        assert count.result_at is not None
        online = json.loads(count.counts)
        seats = {g["id"]: g for g in json.loads(count.seats)["groups"]}
    assert online[zuid] == [2, 0, 0, 0, 0, 0] and online[noord] == [1, 0, 0, 0, 0, 0]
    zuid_doc = seats[zuid]["input"]
    votes = {c["id"]: c["votes"] for lst in zuid_doc["lists"] for c in lst["candidates"]}
    assert votes == {"c6": 2, "c7": 0, "c8": 0, "c9": 3, "c10": 0} and zuid_doc["invalid"] == 0
    assert seats[zuid]["output"]["elected"] == ["c9"]  # the paper votes carry the seat
    online_only = json.loads(json.dumps(zuid_doc))
    for lst in online_only["lists"]:
        for c in lst["candidates"]:
            c["votes"] = 2 if c["id"] == "c6" else 0
    assert _seats(online_only)["elected"] == ["c6"]
    assert seats[noord]["input"]["invalid"] == 1


def test_the_record_keeps_paper_totals_apart_and_passes_stembus_verify(app, tmp_path):
    ce, noord, zuid = _counted_hybrid(app)
    with app.extensions["stembus_sessions"]() as db:
        export_record(db, db.get(Election, ce.election_id), tmp_path / "record")
    tally = json.loads((tmp_path / "record" / "tally.json").read_text(encoding="utf-8"))
    groups = {g["id"]: g for g in tally["groups"]}
    assert groups[zuid]["counts"] == [2, 0, 0, 0, 0, 0]
    assert groups[zuid]["paper"] == {"ballots": 3, "counts": [0, 0, 0, 3, 0, 0], "invalid": 0}
    assert groups[noord]["paper"] == {"ballots": 1, "counts": [0, 0, 0, 0, 0, 0], "invalid": 1}
    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert report.valid, report.render()
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "record"), "--jobs", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["valid"] is True


def _failed(report):
    return set(report.failed())


def test_a_tampered_paper_total_fails_verification(app, tmp_path):
    ce, _noord, zuid = _counted_hybrid(app)
    with app.extensions["stembus_sessions"]() as db:
        export_record(db, db.get(Election, ce.election_id), tmp_path / "record")
    path = tmp_path / "record" / "tally.json"
    original = path.read_text(encoding="utf-8")

    tally = json.loads(original)
    paper = next(g for g in tally["groups"] if g["id"] == zuid)["paper"]
    paper["counts"] = [1, 0, 0, 2, 0, 0]  # one paper vote moved from c9 to c6: still adds up
    path.write_text(json.dumps(tally), encoding="utf-8")
    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert not report.valid and {"board_payloads", "seats"} <= _failed(report)
    assert "paper_count entry" in report.render()

    tally = json.loads(original)
    paper = next(g for g in tally["groups"] if g["id"] == zuid)["paper"]
    paper["ballots"], paper["counts"] = 4, [0, 0, 0, 4, 0, 0]  # a ballot no disabled code accounts for
    path.write_text(json.dumps(tally), encoding="utf-8")
    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert not report.valid and "counts" in _failed(report)
    assert "had their online code disabled" in report.render()


def test_the_count_page_shows_online_paper_and_total_columns(app, client):
    ce, _noord, _zuid = _counted_hybrid(app)
    sign_in(client, ce.accounts[0], app)
    html = client.get(f"/committee/elections/{ce.election_id}/count").get_data(as_text=True)
    assert "Every paper count is confirmed." in html
    assert all(f'<th scope="col">{label}</th>' in html for label in ("Online", "Paper", "Total"))
    assert "5 ballots (2 online, 3 on paper), 0 blank, 0 invalid; 1 seats." in html
    assert '<th scope="row">Lijst 3</th><td>2</td><td>0</td><td>2</td>' in html
    assert '<th scope="row">Lijst 4</th><td>0</td><td>3</td><td>3</td>' in html


def _record_page(client, ce):
    return client.get(f"/committee/elections/{ce.election_id}/record").get_data(as_text=True)


def test_the_auditor_sees_the_paper_totals_the_seats_were_allocated_from(app, client):
    ce, _noord, zuid = _counted_hybrid(app)
    auditor = make_member(app, Role.AUDITOR, "auditor@example.org")
    sign_in(client, auditor, app)
    html = _record_page(client, ce)
    assert all(f'<th scope="col">{label}</th>' in html for label in ("Paper ballots", "Ballots in total"))
    assert "5 ballots (2 online, 3 on paper), 0 blank, 0 invalid; 1 seats." in html
    assert "2 ballots (1 online, 1 on paper), 0 blank, 1 invalid;" in html
    assert '<th scope="row">Lijst 4</th><td>0</td><td>3</td><td>3</td>' in html
    with app.extensions["stembus_sessions"]() as db:
        record = db.scalars(select(PublishedRecord)).one()
        overview = json.loads(record.overview)
        assert overview["tally"][zuid]["paper"] == {"ballots": 3, "counts": [0, 0, 0, 3, 0, 0], "invalid": 0}
        # A record frozen before the overview kept paper totals: the page takes the confirmed counts.
        for group in overview["tally"].values():
            del group["paper"]
        record.overview = json.dumps(overview)
        db.commit()
    assert "5 ballots (2 online, 3 on paper), 0 blank, 0 invalid; 1 seats." in _record_page(client, ce)


def test_the_public_record_page_counts_paper_ballots_apart(app, client):
    ce, _noord, _zuid = _counted_hybrid(app)
    take_step(app, ce.election_id, Phase.RESULT_ANNOUNCED)
    with app.extensions["stembus_sessions"]() as db:
        publish_record(db, db.get(Election, ce.election_id), "chair@example.org", app.config["CLOCK"].now())
        db.commit()
        uuid = identity_of(db, ce.election_id).uuid
    html = client.get(f"/record/{uuid}").get_data(as_text=True)
    assert '<th scope="col">Paper ballots</th>' in html
    assert "<td>Zuid</td><td>1</td><td>2</td><td>3</td><td>5</td>" in html
