"""The succession screen: a member leaves, the next reserve of the same list is proposed, answers are recorded.

Noord has 2 seats, both won by Lijst 1 (3 candidates), so Lijst 1 has one reserve and Lijst 2's
candidates are never asked for a Lijst 1 seat: after that reserve declines the list is exhausted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from election.models import AuditEntry, Role, SuccessionOffer, Vacancy
from election.succession_store import stored_results
from tests.helpers import csrf_token, make_member, sign_in
from tests.web.record_factory import make_result_election
from tests.web.voting_factory import make_voting_election


def _noord(app: Any, election_id: int) -> Any:
    from election.models import Election

    with app.extensions["stembus_sessions"]() as db:
        results = stored_results(db, db.get(Election, election_id))
    return next(r for r in results.values() if r.name == "Noord")


def _post(client: Any, url: str, page_url: str, data: dict[str, str]) -> Any:
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def test_a_vacancy_is_offered_down_the_same_list_and_closed_when_the_list_is_exhausted(app, client):
    ce = make_result_election(app)
    eid = ce.election_id
    noord = _noord(app, eid)
    first, second = noord.elected
    lijst1 = noord.candidates[first].list_id
    (reserve,) = noord.reserves[lijst1]
    other_list = next(cid for lst, ids in noord.reserves.items() if lst != lijst1 for cid in ids)
    base = f"/committee/elections/{eid}/succession"
    today = app.config["CLOCK"].today()

    auditor = make_member(app, Role.AUDITOR, "auditor@example.org")
    sign_in(client, auditor, app)
    page = client.get(base)
    assert page.status_code == 200 and noord.candidates[first].name in page.get_data(as_text=True)
    assert "Record that a member left" not in page.get_data(as_text=True)
    assert _post(client, f"{base}/vacancies", base, {"member": f"{noord.id}:{first}"}).status_code == 403

    chair = next(a for a in ce.accounts if a.id == ce.trustees[0])
    sign_in(client, chair, app)
    # A reserve holds no seat, so they cannot leave one; nothing is stored.
    refused = _post(
        client,
        f"{base}/vacancies",
        base,
        {"member": f"{noord.id}:{reserve}", "left_on": today.isoformat(), "reason": "resigned"},
    )
    assert refused.status_code == 400 and "Check the marked fields" in refused.get_data(as_text=True)
    answer = _post(
        client,
        f"{base}/vacancies",
        base,
        {"member": f"{noord.id}:{first}", "left_on": today.isoformat(), "reason": "resigned", "note": "letter"},
    )
    assert answer.status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert f"Proposed successor: {noord.candidates[reserve].name}" in html
    with app.extensions["stembus_sessions"]() as db:
        vacancy = db.scalars(select(Vacancy)).one()
    answer_url = f"{base}/vacancies/{vacancy.id}/answer"

    # Only the proposed candidate's answer is taken: the order is fixed.
    out_of_order = _post(
        client, answer_url, base, {"candidate": other_list, "answer": "accepted", "answered_on": today.isoformat()}
    )
    assert out_of_order.status_code == 400 and "the order is fixed" in out_of_order.get_data(as_text=True)
    declined = _post(
        client, answer_url, base, {"candidate": reserve, "answer": "declined", "answered_on": today.isoformat()}
    )
    assert declined.status_code == 302
    html = client.get(base).get_data(as_text=True)
    # Lijst 1 is exhausted: nobody from Lijst 2 is proposed; far from the term end, a by-election follows.
    assert "The list has nobody left to ask." in html and "A by-election is held" in html
    assert (
        client.post(
            f"{base}/vacancies/{vacancy.id}/close", data={"csrf_token": csrf_token(client.get(base))}
        ).status_code
        == 302
    )
    with app.extensions["stembus_sessions"]() as db:
        vacancy = db.get(Vacancy, vacancy.id)
        assert (vacancy.status, vacancy.outcome) == ("unfilled", "by_election")
    closed = _post(
        client, answer_url, base, {"candidate": reserve, "answer": "accepted", "answered_on": today.isoformat()}
    )
    assert closed.status_code == 400 and "already been closed" in closed.get_data(as_text=True)

    # The second member leaves later: the reserve who declined before is asked again, and accepts.
    later = today + timedelta(days=30)
    _post(
        client,
        f"{base}/vacancies",
        base,
        {"member": f"{noord.id}:{second}", "left_on": later.isoformat(), "reason": "left_company"},
    )
    with app.extensions["stembus_sessions"]() as db:
        second_vacancy = db.scalars(select(Vacancy).where(Vacancy.candidate_key == second)).one()
    early = _post(
        client,
        f"{base}/vacancies/{second_vacancy.id}/answer",
        base,
        {"candidate": reserve, "answer": "accepted", "answered_on": today.isoformat()},
    )
    assert early.status_code == 400 and "before the member left" in early.get_data(as_text=True)
    accepted = _post(
        client,
        f"{base}/vacancies/{second_vacancy.id}/answer",
        base,
        {"candidate": reserve, "answer": "accepted", "answered_on": later.isoformat()},
    )
    assert accepted.status_code == 302
    html = client.get(base).get_data(as_text=True)
    assert f"Filled by {noord.candidates[reserve].name}." in html
    with app.extensions["stembus_sessions"]() as db:
        assert db.get(Vacancy, second_vacancy.id).status == "filled"
        answers = [o.answer for o in db.scalars(select(SuccessionOffer).order_by(SuccessionOffer.id))]
        assert answers == ["declined", "accepted"]
        logged = list(db.execute(select(AuditEntry.action, AuditEntry.details).where(AuditEntry.election_id == eid)))
    actions = [action for action, _ in logged]
    assert actions.count("vacancy_recorded") == 2 and actions.count("succession_answer") == 2
    assert "vacancy_closed" in actions
    assert not any("letter" in details for _, details in logged)  # the note is not copied into the audit log


def test_succession_needs_a_stored_result(app, client):
    ve = make_voting_election(app)
    sign_in(client, make_member(app, Role.CHAIR, "chair@example.org"), app)
    page = client.get(f"/committee/elections/{ve.election_id}/succession")
    assert page.status_code == 404 and "stored result" in page.get_data(as_text=True)
