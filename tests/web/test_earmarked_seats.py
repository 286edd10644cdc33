"""Earmarked seats through the whole election: set-up, manifest, count, result pages and the verified record."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from crypto.verifier import verify_record
from election.count_record import export_record
from election.list_publication import ballot_preview
from election.models import Candidacy, Election, ElectoralGroup, RegisterPerson
from election.seats import allocate, parse_contest
from election.tally_store import count_of
from election.voting_codes import identity_of, manifest_of
from tests.helpers import make_member, post_form, sign_in
from tests.web import count_factory
from tests.web.results_factory import counted_election

UNIT = "Vestiging Oost"


def _seats(doc: dict[str, Any]) -> dict[str, Any]:
    return allocate(parse_contest(doc)).to_dict()


def _earmark_noord(app: Any, election_id: int) -> str:
    """Reserve one of Noord's two seats for location ``UNIT``, home of Lijst 1's second candidate; return their id."""
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        noord = next(g for g in election.groups if g.name == "Noord")
        layout = ballot_preview(db, election, noord.id)
        assert layout is not None
        key = layout.lists[0].options[1].key
        candidacy = db.get(Candidacy, int(key[1:]))
        db.get(RegisterPerson, candidacy.person_id).location = UNIT
        noord.earmarked_seats, noord.earmark_unit_field, noord.earmark_unit_value = 1, "location", UNIT
        db.commit()
    return key


def test_an_earmark_changes_who_is_elected_and_the_record_still_verifies(app, client, monkeypatch, tmp_path):
    # The earmark is set once the lists are final, before the key ceremony freezes the manifest.
    keys: list[str] = []
    original = count_factory.make_final_lists_election

    def with_earmark(app: Any, **kwargs: Any) -> int:
        election_id = original(app, **kwargs)
        keys.append(_earmark_noord(app, election_id))
        return election_id

    monkeypatch.setattr(count_factory, "make_final_lists_election", with_earmark)
    # Noord: Lijst 1 gets 2 votes (all for its first candidate), Lijst 2 one: one seat each.
    ce = counted_election(app)
    unit_candidate = keys[0]
    with app.extensions["stembus_sessions"]() as db:
        identity = identity_of(db, ce.election_id)
        manifest = manifest_of(identity)
        seats = json.loads(count_of(db, ce.election_id).seats)
        election = db.get(Election, ce.election_id)
        export_record(db, election, tmp_path / "record")
    noord_manifest = next(g for g in manifest["groups"] if g["name"] == "Noord")
    assert noord_manifest["rules"]["earmarks"] == [
        {"id": f"location:{UNIT}", "seats": 1, "candidates": [unit_candidate]}
    ]
    assert "earmarks" not in next(g for g in manifest["groups"] if g["name"] == "Zuid")["rules"]

    noord = next(g for g in seats["groups"] if g["id"] == noord_manifest["id"])
    lijst1 = noord_manifest["lists"][0]["candidates"]
    top_of_lijst1 = lijst1[0]["id"]
    out = noord["output"]
    assert out["earmarks"] == [{"id": f"location:{UNIT}", "seats": 1, "elected": [unit_candidate], "unfilled": 0}]
    assert unit_candidate in out["elected"] and top_of_lijst1 not in out["elected"]
    assert [lst["seats"] for lst in out["lists"]] == [1, 1]
    assert out["lists"][0]["reserves"][0] == top_of_lijst1
    # Without the earmark the same counts elect Lijst 1's first candidate.
    plain = _seats({k: v for k, v in noord["input"].items() if k != "earmarks"})
    assert top_of_lijst1 in plain["elected"] and unit_candidate not in plain["elected"]

    report = verify_record(tmp_path / "record", seat_allocator=_seats, jobs=1)
    assert report.valid, report.render()
    assert report.seats[noord_manifest["id"]]["earmarks"][0]["elected"] == [unit_candidate]

    sign_in(client, ce.accounts[0], app)
    html = client.get(f"/committee/elections/{ce.election_id}/results/report").get_data(as_text=True)
    unit_name = lijst1[1]["name"]
    assert "1 seat is reserved for candidates of location Vestiging Oost." in html
    assert f"Elected on them: {unit_name}." in html
    assert "elected on an earmarked seat" in html
    assert "A reserved seat that no candidate of the unit can take is filled by the normal rule." in html


def test_an_earmark_without_a_unit_candidate_left_says_so_in_the_report(app, client, monkeypatch):
    def with_empty_unit(app: Any, **kwargs: Any) -> int:
        election_id = original(app, **kwargs)
        with app.extensions["stembus_sessions"]() as db:
            noord = db.scalar(
                select(ElectoralGroup).where(ElectoralGroup.election_id == election_id, ElectoralGroup.name == "Noord")
            )
            noord.earmarked_seats, noord.earmark_unit_field, noord.earmark_unit_value = 1, "department", "Nergens"
            db.commit()
        return election_id

    original = count_factory.make_final_lists_election
    monkeypatch.setattr(count_factory, "make_final_lists_election", with_empty_unit)
    ce = counted_election(app)
    with app.extensions["stembus_sessions"]() as db:
        seats = json.loads(count_of(db, ce.election_id).seats)
    noord = seats["groups"][0]["output"]
    assert noord["earmarks"] == [{"id": "department:Nergens", "seats": 1, "elected": [], "unfilled": 1}]
    assert len(noord["elected"]) == 2  # the reserved seat went by the normal rule
    sign_in(client, ce.accounts[0], app)
    html = client.get(f"/committee/elections/{ce.election_id}/results/report").get_data(as_text=True)
    assert "1 reserved seat had no candidate of this unit left and was filled by the normal rule." in html


def _draft(app: Any, client: Any, db_session: Any) -> Election:
    sign_in(client, make_member(app), app)
    today = app.config["CLOCK"].today()
    post_form(
        client,
        "/committee/elections/new",
        {
            "organisation": "Zorg Noord BV",
            "term_end": (today + timedelta(weeks=20)).isoformat(),
            "voting_day": (today + timedelta(weeks=14)).isoformat(),
            "voting_days": "1",
            "headcount": "420",
            "seats": "",
            "electoral_system": "list",
            "votes_per_voter": "",
        },
    )
    db_session.expire_all()
    return db_session.scalars(select(Election)).one()


def test_the_group_form_needs_the_unit_of_earmarked_seats(app, client, db_session):
    election = _draft(app, client, db_session)
    url = f"/committee/elections/{election.id}/groups"
    refused = post_form(client, url, {"name": "Oost", "seats": "3", "earmarked_seats": "1"}).get_data(as_text=True)
    assert "Choose whether the earmarked seats are for a department or a location." in refused
    assert "Give the department or location the earmarked seats are for." in refused
    db_session.expire_all()
    assert [g.name for g in db_session.get(Election, election.id).groups] == ["Alle medewerkers"]

    data = {
        "name": "Oost",
        "seats": "3",
        "earmarked_seats": "1",
        "earmark_unit_field": "department",
        "earmark_unit_value": " Zorg ",
    }
    post_form(client, url, data)
    db_session.expire_all()
    group = next(g for g in db_session.get(Election, election.id).groups if g.name == "Oost")
    assert (group.earmarked_seats, group.earmark_unit_field, group.earmark_unit_value) == (1, "department", "Zorg")
    page = client.get(url).get_data(as_text=True)
    assert "department Zorg" in page
