"""Turnout for the committee: numbers that match the casts, small groups hidden, who voted, reminders."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from election.models import Election, OutboxMessage, RegisterPerson, Role
from election.paper_marks import mark_voted_on_paper
from election.voting_codes import identity_of
from tests.conftest import https_client
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.delivery_factory import CODE
from tests.web.paper_factory import make_hybrid
from tests.web.voting_factory import VotingElection, make_ballot, make_voting_election

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _url(election_id: int, tail: str = "") -> str:
    return f"/committee/elections/{election_id}/turnout{tail}"


def _signed_in(app: Any, role: Role, email: str) -> Any:
    client = https_client(app)
    sign_in(client, make_member(app, role, email), app)
    return client


def _vote(app: Any, ve: VotingElection, group: str, index: int) -> str:
    """Cast a real ballot with a voter's code through the booth; returns their employee number."""
    issued = ve.code_in(group, index)
    client = https_client(app)
    with app.extensions["stembus_sessions"]() as db:
        uuid = identity_of(db, ve.election_id).uuid  # type: ignore[union-attr]
        number = db.get(RegisterPerson, issued.person_id).employee_number  # type: ignore[union-attr]
    page = client.get(f"/vote/{uuid}")
    headers = {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}  # type: ignore[union-attr]
    ballot, _ = make_ballot(app, ve.election_id, issued, 0)
    assert client.post(f"/vote/{uuid}/cast", json=ballot, headers=headers).status_code == 201
    return number


def _rows(page: str) -> dict[str, list[str]]:
    """The turnout table's rows: group name -> [voters, voted, turnout]."""
    table = page.split("<caption>Turnout per electoral group</caption>", 1)[1].split("</table>", 1)[0]
    found = re.findall(
        r'<tr><th scope="row">([^<]+)</th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>([\d.]+%)</td>', table
    )
    return {name: [voters, voted, share] for name, voters, voted, share in found}


def test_turnout_matches_the_ballots_cast_per_group_in_table_and_chart(app):
    ve = make_voting_election(app, people=12)
    _vote(app, ve, "Noord", 0)
    _vote(app, ve, "Noord", 1)
    _vote(app, ve, "Zuid", 0)
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    answer = auditor.get(_url(ve.election_id))
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert _rows(page) == {
        "Noord": ["6", "2", "33.3%"],
        "Zuid": ["6", "1", "16.7%"],
        "All groups": ["12", "3", "25.0%"],
    }
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in chart and "the table below gives the same numbers" in chart
    assert "Noord: 33.3% (2 / 6)" in chart
    assert 'width="173.3"' in chart  # a third of the 520-unit bar
    assert "<script" not in page.split("<main", 1)[-1]
    assert "Who has voted" not in page, "the auditor sees numbers, not names"


def _mark_on_paper(app: Any, ve: VotingElection, group: str, index: int) -> None:
    """Mark a voter of a hybrid election as having voted on paper (this disables their online code)."""
    issued = ve.code_in(group, index)
    with app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ve.election_id)
        mark_voted_on_paper(db, election, issued.person_id, "chair@example.org", app.config["CLOCK"].now())
        db.commit()


def _hybrid_rows(page: str) -> dict[str, list[str]]:
    """A hybrid turnout table's rows: group name -> [voters, online, on paper, total, turnout]."""
    table = page.split("<caption>Turnout per electoral group</caption>", 1)[1].split("</table>", 1)[0]
    cells = r"\s*<td>(\d+)</td>" * 4 + r"\s*<td>([\d.]+%)</td>"
    return {row[0]: list(row[1:]) for row in re.findall(r'<tr><th scope="row">([^<]+)</th>' + cells, table)}


def test_voters_marked_on_paper_count_in_the_turnout_apart_from_online_voters(app):
    ve = make_voting_election(app, people=12)
    make_hybrid(app, ve)
    _vote(app, ve, "Noord", 0)
    _mark_on_paper(app, ve, "Noord", 1)
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    page = auditor.get(_url(ve.election_id)).get_data(as_text=True)
    assert all(
        f'<th scope="col">{label}</th>' in page for label in ("Voted online", "Voted on paper", "Voted in total")
    )
    assert _hybrid_rows(page) == {
        "Noord": ["6", "1", "1", "2", "33.3%"],
        "Zuid": ["6", "0", "0", "0", "0.0%"],
        "All groups": ["12", "1", "1", "2", "16.7%"],
    }
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Noord: 33.3% (2 / 6) · 1 online, 1 on paper" in chart
    assert "All groups: 16.7% (2 / 12) · 1 online, 1 on paper" in chart
    assert chart.count('fill-opacity="0.4"') == 3, "each bar shows its paper part"


def test_paper_voters_of_small_groups_are_counted_only_together(app):
    ve = make_voting_election(app, people=8)  # four voters in each group
    make_hybrid(app, ve)
    _vote(app, ve, "Noord", 0)
    _mark_on_paper(app, ve, "Zuid", 0)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    page = chair.get(_url(ve.election_id)).get_data(as_text=True)
    assert _hybrid_rows(page) == {"All groups": ["8", "1", "1", "2", "25.0%"]}
    assert "Zuid:" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_groups_below_the_threshold_are_not_broken_down(app):
    ve = make_voting_election(app, people=8)  # four voters in each group
    _vote(app, ve, "Noord", 0)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    page = chair.get(_url(ve.election_id)).get_data(as_text=True)
    assert _rows(page) == {"All groups": ["8", "1", "12.5%"]}
    assert "fewer than 5 voters" in page and "Noord, Zuid" in page
    assert "Noord:" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_who_has_voted_lists_the_voters_by_name_for_editors_only(app):
    ve = make_voting_election(app, people=12)
    voted = _vote(app, ve, "Zuid", 2)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    page = chair.get(_url(ve.election_id, "/voters")).get_data(as_text=True)
    with app.extensions["stembus_sessions"]() as db:
        people = {p.employee_number: p.name for p in db.scalars(select(RegisterPerson))}
    assert f"<td>{people[voted]}</td><td>{voted}</td><td>Zuid</td>" in page
    assert sum(f"<td>{number}</td>" in page for number in people) == 1
    assert "1 voter has voted online" in page
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    assert auditor.get(_url(ve.election_id, "/voters")).status_code == 403
    assert https_client(app).get(_url(ve.election_id, "/voters")).status_code == 302


def _remind(client: Any, election_id: int, round_number: int) -> Any:
    token = csrf_token(client.get(_url(election_id)))
    return client.post(_url(election_id, "/reminders"), data={"csrf_token": token, "round": round_number})


def _reminders(app: Any) -> list[OutboxMessage]:
    with app.extensions["stembus_sessions"]() as db:
        return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "voting_reminder")))


def test_reminders_go_only_to_voters_who_have_not_voted_once_per_round(app):
    ve = make_voting_election(app, people=12)
    with app.extensions["stembus_sessions"]() as db:
        english = db.scalars(select(RegisterPerson).where(RegisterPerson.employee_number == "1012")).one()
        english.language = "en"
        db.commit()
    voted = {_vote(app, ve, "Noord", 0), _vote(app, ve, "Zuid", 1)}
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    assert "10 voters have not voted yet" in chair.get(_url(ve.election_id)).get_data(as_text=True)

    assert _remind(chair, ve.election_id, 1).status_code == 302
    rows = _reminders(app)
    assert {r.recipient for r in rows} == {f"m{n}@haven.example" for n in range(1001, 1013) if str(n) not in voted}
    assert all(not r.sensitive and not CODE.search(r.body_text) for r in rows)
    by_recipient = {r.recipient: r for r in rows}
    assert by_recipient["m1012@haven.example"].language == "en"
    assert "not voted yet" in by_recipient["m1012@haven.example"].body_text
    dutch = next(r for r in rows if r.recipient != "m1012@haven.example")
    assert dutch.language == "nl" and "stemcode" in dutch.body_text.lower()

    assert _remind(chair, ve.election_id, 1).status_code == 302
    assert len(_reminders(app)) == 10, "a round is sent once"
    assert _remind(chair, ve.election_id, 3).status_code == 409
    _vote(app, ve, "Noord", 2)
    assert _remind(chair, ve.election_id, 2).status_code == 302
    assert len(_reminders(app)) == 19


def test_reminders_are_refused_before_voting_opens_and_for_the_auditor(app):
    ve = make_voting_election(app, people=12, open_vote=False)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    page = chair.get(_url(ve.election_id)).get_data(as_text=True)
    assert "once voting has opened" in page
    answer = _remind(chair, ve.election_id, 1)
    assert answer.status_code == 409 and "only while voting is open" in answer.get_data(as_text=True)
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    assert _remind(auditor, ve.election_id, 1).status_code == 403
    assert _reminders(app) == []


def test_the_turnout_page_renders_in_dutch(app):
    ve = make_voting_election(app, people=12)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    chair.get("/language/nl?next=/")
    page = chair.get(_url(ve.election_id)).get_data(as_text=True)
    assert 'lang="nl"' in page and "Opkomst" in page and "Alle groepen" in page
