"""The nomination pre-round through the web: links, search, limits, anonymity, invitations, purge."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from election.models import (
    AuditEntry,
    Election,
    Nomination,
    NominationInterest,
    NominationParticipant,
    NominationRound,
    NominationSet,
    NominationSummary,
    OutboxMessage,
    RegisterPerson,
    Role,
)
from election.procedure import Phase
from election.procedure_store import EFFECTS
from tests.helpers import csrf_token, make_member, post_form, sign_in
from tests.web.nomination_factory import nomination_election, open_round

COMMITTEE_PAGE = "/committee/elections/{id}/nomination"


def _open(client, token):
    page = client.get("/nominate/")
    return client.post("/nominate/", data={"csrf_token": csrf_token(page), "token": token})


def _search(client, token, query):
    page = client.get("/nominate/")
    return client.post("/nominate/search", data={"csrf_token": csrf_token(page), "token": token, "q": query})


def _handle(page, name):
    found = re.search(r'name="handle" value="([^"]+)">Nominate ' + re.escape(name) + "<", page.get_data(as_text=True))
    assert found, f"{name} not in the results"
    return found.group(1)


def _post(client, url, token, **data):
    page = client.get("/nominate/")
    return client.post(url, data={"csrf_token": csrf_token(page), "token": token, **data})


def nominate(client, token, name, query=None):
    """Search ``name`` and press its Nominate button; returns the response."""
    handle = _handle(_search(client, token, query or name.split()[0]), name)
    return _post(client, "/nominate/add", token, handle=handle)


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def election_id(app):
    return nomination_election(app, languages={"Fatima El Amrani": "en"})


@pytest.fixture
def tokens(app, election_id):
    return open_round(app, election_id)


def test_everyone_who_may_vote_gets_a_link_in_their_language(app, db_session, election_id, tokens):
    # Dirk has no voting right and Eva has no e-mail address: she needs a printed letter.
    assert set(tokens) == {"Anna Jansen", "Annelies de Wit", "Bram Visser", "Cem Yilmaz", "Fatima El Amrani",
                           "Gijs de Boer"}
    messages = {m.recipient: m for m in db_session.scalars(select(OutboxMessage))}
    assert messages["fatima@voorbeeld.nl"].language == "en"
    assert "Who would you like to see on the council?" in messages["fatima@voorbeeld.nl"].body_text
    assert messages["anna@voorbeeld.nl"].language == "nl"
    assert "Wie zie jij graag in de OR?" in messages["anna@voorbeeld.nl"].body_text
    assert all(m.sensitive for m in messages.values())
    assert all(t not in m.subject for m in messages.values() for t in tokens.values())


def test_a_colleague_nominates_and_changes_their_mind(client, db_session, tokens):
    page = _open(client, tokens["Anna Jansen"])
    assert "You have not nominated anyone yet." in page.get_data(as_text=True)
    assert "Your nomination has been saved" in nominate(client, tokens["Anna Jansen"], "Bram Visser").get_data(
        as_text=True)
    handle = _handle(_search(client, tokens["Anna Jansen"], "Gijs"), "Gijs de Boer")
    _post(client, "/nominate/add", tokens["Anna Jansen"], handle=handle)
    page = _post(client, "/nominate/save", tokens["Anna Jansen"],
                 **{f"motivation-{handle}": "Hij  luistert\ngoed.", "interest": "y"})
    assert "Your choices have been saved." in page.get_data(as_text=True)
    assert db_session.scalars(select(Nomination.motivation).where(Nomination.motivation != "")).all() == [
        "Hij luistert goed."]
    assert _count(db_session, NominationInterest) == 1
    page = _post(client, "/nominate/remove", tokens["Anna Jansen"], handle=handle)
    assert "The nomination has been withdrawn." in page.get_data(as_text=True)
    assert _count(db_session, Nomination) == 1
    assert _count(db_session, NominationSet) == 1  # one set per person, however often they change it


def test_the_limit_per_person_refuses_one_more_and_stores_nothing(client, db_session, tokens):
    for name in ("Bram Visser", "Gijs de Boer", "Fatima El Amrani"):
        nominate(client, tokens["Anna Jansen"], name)
    response = nominate(client, tokens["Anna Jansen"], "Annelies de Wit", query="Annel")
    assert response.status_code == 422
    assert "You can nominate at most 3 colleagues" in response.get_data(as_text=True)
    assert _count(db_session, Nomination) == 3


def test_nominating_someone_not_eligible_or_oneself_is_refused(client, db_session, tokens):
    # Cem may vote but not stand (WOR art. 6 lid 3): he is not found, and a forged handle is refused.
    assert "No colleague found." in _search(client, tokens["Anna Jansen"], "Cem").get_data(as_text=True)
    cem = db_session.scalar(
        select(NominationParticipant.handle).join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(RegisterPerson.name == "Cem Yilmaz"))
    response = _post(client, "/nominate/add", tokens["Anna Jansen"], handle=cem)
    assert "This colleague cannot be nominated" in response.get_data(as_text=True)
    anna = db_session.scalar(
        select(NominationParticipant.handle).join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(RegisterPerson.name == "Anna Jansen"))
    response = _post(client, "/nominate/add", tokens["Anna Jansen"], handle=anna)
    assert "You cannot nominate yourself" in response.get_data(as_text=True)
    assert _count(db_session, Nomination) == 0


def test_search_stays_inside_the_own_electoral_group_when_so_set(app, client, election_id):
    tokens = open_round(app, election_id, scope="group")
    page = _search(client, tokens["Anna Jansen"], "Gijs")  # Gijs is in Zuid, Anna in Noord
    assert "No colleague found." in page.get_data(as_text=True)
    assert "Nominate Fatima El Amrani" in _search(client, tokens["Anna Jansen"], "Fati").get_data(as_text=True)


def test_type_ahead_returns_names_and_opaque_ids_only(client, db_session, tokens):
    page = client.get("/nominate/")
    data = {"csrf_token": csrf_token(page), "token": tokens["Anna Jansen"]}
    assert client.post("/nominate/people", data={**data, "q": "a"}).get_json() == {"results": []}
    results = client.post("/nominate/people", data={**data, "q": "an"}).get_json()["results"]
    assert {r["name"] for r in results} == {"Annelies de Wit", "Fatima El Amrani"}  # not Anna herself
    assert all(set(r) == {"id", "name"} for r in results)
    ids = set(db_session.scalars(select(RegisterPerson.id)).all()) | set(
        db_session.scalars(select(RegisterPerson.employee_number)).all())
    assert not {r["id"] for r in results} & {str(i) for i in ids}
    assert client.post("/nominate/people", data={"token": tokens["Anna Jansen"], "q": "an"}).status_code == 400
    assert client.post("/nominate/people", data={**data, "token": "x" * 32, "q": "an"}).status_code == 404


def test_a_wrong_or_replaced_link_opens_nothing(app, client, election_id, tokens):
    response = _open(client, "A" * 32)
    assert response.status_code == 404
    assert "This link or code is not valid" in response.get_data(as_text=True)
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    url = COMMITTEE_PAGE.format(id=election_id)
    first = post_form(client, f"{url}/letters", {"language": "nl"}, form_url=url)
    assert first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF")
    with app.app_context(), app.extensions["stembus_sessions"]() as db:
        eva = db.scalar(select(NominationParticipant).join(RegisterPerson).where(RegisterPerson.name == "Eva Smit"))
        old_hash = eva.token_hash
    post_form(client, f"{url}/letters", {"language": "nl"}, form_url=url)
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalar(select(NominationParticipant.token_hash).where(NominationParticipant.id == eva.id)) != old_hash


def test_after_closing_nothing_can_be_added(app, client, db_session, tokens):
    results = _search(client, tokens["Anna Jansen"], "Bram")
    handle = _handle(results, "Bram Visser")
    app.config["CLOCK"].advance(timedelta(days=15))
    response = _post(client, "/nominate/add", tokens["Anna Jansen"], handle=handle)
    assert "nominations can no longer be made or changed" in response.get_data(as_text=True)
    assert _count(db_session, Nomination) == 0


def _nominate_everyone(client, tokens):
    """Anna 3x, Bram 2x, Gijs 1x; motivations on two of Anna's."""
    nominate(client, tokens["Cem Yilmaz"], "Anna Jansen")
    nominate(client, tokens["Cem Yilmaz"], "Bram Visser")
    nominate(client, tokens["Annelies de Wit"], "Anna Jansen")
    nominate(client, tokens["Annelies de Wit"], "Bram Visser")
    nominate(client, tokens["Fatima El Amrani"], "Anna Jansen")
    nominate(client, tokens["Fatima El Amrani"], "Gijs de Boer")
    for nominator, text in (("Cem Yilmaz", "Zij durft te zeggen wat ze denkt."), ("Fatima El Amrani", "Fair.")):
        handle = _handle(_search(client, tokens[nominator], "Anna"), "Anna Jansen")
        _post(client, "/nominate/save", tokens[nominator], **{f"motivation-{handle}": text})


def test_the_committee_sees_counts_from_the_threshold_only(app, client, tokens, election_id):
    _nominate_everyone(client, tokens)
    auditor = make_member(app, Role.AUDITOR)
    sign_in(client, auditor, app)
    page = client.get(COMMITTEE_PAGE.format(id=election_id) + "/results").get_data(as_text=True)
    assert "3 colleagues have nominated so far." in page
    assert "Anna Jansen" not in page  # no running counts while the round is open
    app.config["CLOCK"].advance(timedelta(days=15))
    sign_in(client, auditor, app)
    page = client.get(COMMITTEE_PAGE.format(id=election_id) + "/results").get_data(as_text=True)
    assert "Anna Jansen" in page and "Bram Visser" in page
    assert "Gijs de Boer" not in page  # one nomination, threshold 2
    assert "1 nominee has fewer nominations than the minimum and is not shown." in page
    assert "fewer than 2" in page  # the Techniek department has one nomination
    assert "<svg" in page and "<table" in page
    assert "Invite" not in page  # the auditor reads only


def test_no_committee_page_or_log_links_a_nominator_to_a_nominee(app, client, db_session, tokens, election_id):
    _nominate_everyone(client, tokens)
    nominators = {"Cem Yilmaz", "Annelies de Wit", "Fatima El Amrani"}
    people = {p.name: p for p in db_session.scalars(select(RegisterPerson))}
    secrets_of = {w for n in nominators for w in (n, people[n].employee_number, people[n].email)}
    app.config["CLOCK"].advance(timedelta(days=15))  # closed: the invite buttons appear
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("committee.") or "GET" not in rule.methods:
            continue
        if set(rule.arguments) - {"election_id"}:
            continue
        url = rule.rule.replace("<int:election_id>", str(election_id))
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append((url, response.get_data(as_text=True)))
    assert any(u.endswith("/nomination/results") for u, _ in pages)
    for url, html in pages:
        for secret in secrets_of:
            assert secret not in html, f"{secret} appears on {url}"
    # Invite Anna: the invitation quotes the motivations and names nobody who wrote them.
    page = client.get(COMMITTEE_PAGE.format(id=election_id) + "/results")
    anna = db_session.scalar(select(NominationParticipant.id).join(RegisterPerson).where(
        RegisterPerson.name == "Anna Jansen"))
    client.post(COMMITTEE_PAGE.format(id=election_id) + f"/invite/{anna}", data={"csrf_token": csrf_token(page)})
    letter = db_session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "nomination_invitation"))
    assert "Zij durft te zeggen wat ze denkt." in letter.body_text
    assert not any(s in letter.body_text for s in secrets_of)
    # The audit log: committee actions with counts, no person at all.
    log = " ".join(f"{e.actor} {e.action} {e.details}" for e in db_session.scalars(select(AuditEntry)))
    assert not any(p.name in log or p.employee_number in log or (p.email and p.email in log) for p in people.values())
    audit_page = client.get("/committee/audit-log")
    assert audit_page.status_code == 200
    audit_page = audit_page.get_data(as_text=True)
    assert not any(s in audit_page for s in secrets_of)
    # The stored sets carry no reference to a person.
    columns = set(NominationSet.__table__.columns.keys())
    assert columns == {"id", "round_id", "nominator_key"}
    assert not NominationSet.__table__.foreign_keys - {fk for fk in NominationSet.__table__.foreign_keys
                                                      if fk.column.table.name == "nomination_round"}


def test_the_invitation_text_in_both_languages_and_declining(app, client, db_session, tokens, election_id):
    nominate(client, tokens["Anna Jansen"], "Fatima El Amrani")
    nominate(client, tokens["Bram Visser"], "Fatima El Amrani")
    nominate(client, tokens["Cem Yilmaz"], "Anna Jansen")
    nominate(client, tokens["Bram Visser"], "Anna Jansen")
    app.config["CLOCK"].advance(timedelta(days=15))
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    url = COMMITTEE_PAGE.format(id=election_id)
    ids = dict(db_session.execute(select(RegisterPerson.name, NominationParticipant.id).join(
        NominationParticipant, NominationParticipant.person_id == RegisterPerson.id)).all())
    for name in ("Anna Jansen", "Fatima El Amrani"):
        post_form(client, f"{url}/invite/{ids[name]}", {}, form_url=f"{url}/results")
    letters = {m.recipient: m for m in db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "nomination_invitation"))}
    english = letters["fatima@voorbeeld.nl"].body_text
    dutch = letters["anna@voorbeeld.nl"].body_text
    assert "2 colleagues nominated you" in english
    assert "/lists/free" in english and "/lists/free" in dutch  # how to stand: the free-list form
    assert "A nomination is not a candidacy" in english
    assert "Who would you like to see on the council?" in english
    assert "2 collega's hebben je genomineerd" in dutch
    assert "Een nominatie is geen kandidaatstelling" in dutch
    assert "Wie zie jij graag in de OR?" in dutch
    election = db_session.get(Election, election_id)
    assert election.voting_day  # the deadlines come from its timetable
    decline = re.search(r"#t=([A-Za-z0-9_-]+)", english).group(1)
    page = client.get("/nominate/decline")
    response = client.post("/nominate/decline", data={"csrf_token": csrf_token(page), "token": decline})
    assert "You will receive no further messages" in response.get_data(as_text=True)
    response = client.post("/nominate/decline", data={"csrf_token": csrf_token(page), "token": decline})
    assert "You had already declined" in response.get_data(as_text=True)
    again = post_form(client, f"{url}/invite/{ids['Fatima El Amrani']}", {}, form_url=f"{url}/results")
    assert "This colleague has declined further messages." in client.get(again.headers["Location"]).get_data(
        as_text=True)
    again = post_form(client, f"{url}/invite/{ids['Anna Jansen']}", {}, form_url=f"{url}/results")
    assert "already been invited" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(letters) == 2


def test_settings_that_run_into_candidacy_are_refused_and_nothing_is_stored(app, client, db_session, election_id):
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    today = app.config["CLOCK"].today()
    url = COMMITTEE_PAGE.format(id=election_id)
    response = post_form(client, url, {
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(weeks=8)).isoformat(),
        "max_per_person": "3", "scope": "organisation", "threshold": "3",
        "invitation_nl": "Wie?", "invitation_en": "Who?",
    })
    assert "The round must end before candidacy opens" in response.get_data(as_text=True)
    assert _count(db_session, NominationRound) == 0
    response = post_form(client, url, {
        "opens_on": today.isoformat(), "closes_on": (today + timedelta(weeks=2)).isoformat(),
        "max_per_person": "3", "scope": "organisation", "threshold": "3", "self_nomination": "y",
        "invitation_nl": "Wie?", "invitation_en": "Who?",
    })
    assert response.status_code == 302
    assert _count(db_session, NominationRound) == 1


def test_nominations_are_deleted_when_candidacy_closes_and_only_counts_stay(app, client, db_session, tokens,
                                                                           election_id):
    _nominate_everyone(client, tokens)
    _post(client, "/nominate/save", tokens["Gijs de Boer"], interest="y")
    assert any(e.__name__ == "purge_when_candidacy_closes" for e in EFFECTS[Phase.LIST_REVIEW])
    with app.app_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, election_id)
        for effect in EFFECTS[Phase.LIST_REVIEW]:
            if effect.__name__ == "purge_when_candidacy_closes":
                effect(db, election, "chair@example.org", app.config["CLOCK"].now())
        db.commit()
    for model in (Nomination, NominationSet, NominationInterest, NominationParticipant):
        assert _count(db_session, model) == 0, model
    summary = db_session.scalar(select(NominationSummary))
    assert (summary.nominators, summary.nominations, summary.nominees, summary.nominees_at_threshold) == (3, 6, 3, 2)
    assert summary.self_nominations == 1
    assert json.loads(summary.per_group) == [{"group": "Noord", "nominations": 3}, {"group": "Zuid", "nominations": 3}]
    assert db_session.scalar(select(NominationRound.secret)) is None
    assert _open(client, tokens["Anna Jansen"]).status_code == 404


def test_the_committee_can_delete_a_closed_round_early(app, client, db_session, tokens, election_id):
    _nominate_everyone(client, tokens)
    chair = make_member(app, Role.CHAIR)
    sign_in(client, chair, app)
    url = COMMITTEE_PAGE.format(id=election_id)
    post_form(client, f"{url}/purge", {}, form_url=url)
    assert _count(db_session, Nomination) == 6  # still open: refused
    app.config["CLOCK"].advance(timedelta(days=15))
    sign_in(client, chair, app)
    response = post_form(client, f"{url}/purge", {}, form_url=url)
    assert "only the counts remain" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(db_session, Nomination) == 0
    assert _count(db_session, NominationSummary) == 1
