"""The demo that ``make run`` seeds: sign-ins, and an election open for voting with working codes."""

from __future__ import annotations

import json
import re
import secrets

from click.testing import CliRunner
from sqlalchemy import select

from admin.cli import main
from admin.demo import seed
from election.models import Election
from election.models.voting import BoardEntry
from election.procedure import Phase
from election.trustee_tool import open_backup
from election.voting_codes import IssuedCode, identity_of
from tests.web.voting_factory import make_ballot

_CSRF_META = re.compile(r'data-csrf="([^"]+)"')


def _open_demo(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return seed(app)


def test_the_demo_opens_a_vote_and_prints_codes_from_every_group(app):
    demo = _open_demo(app)
    assert len(demo.voting.codes) == 5
    assert {c.group for c in demo.voting.codes} == {"Operatie", "Kantoor"}
    assert len({c.code for c in demo.voting.codes}) == 5
    for shown in demo.voting.codes:
        url, fragment = shown.booth_url.split("#", 1)
        assert fragment == f"code={shown.code}" and shown.code not in url  # the code never reaches a server
    with app.extensions["stembus_sessions"]() as db:
        election = db.scalars(select(Election).where(Election.organisation == demo.voting.organisation)).one()
        assert Phase(election.phase) is Phase.VOTING
        identity = identity_of(db, election.id)
        assert identity is not None and identity.opened_at is not None
        assert all(identity.uuid in c.booth_url for c in demo.voting.codes)


def test_a_demo_code_casts_a_ballot_in_the_booth_once(app, client):
    demo = _open_demo(app)
    shown = demo.voting.codes[0]
    with app.extensions["stembus_sessions"]() as db:
        election = db.scalars(select(Election).where(Election.organisation == demo.voting.organisation)).one()
        election_id = election.id
    path = shown.booth_url.split("#", 1)[0].removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200
    headers = {"X-CSRFToken": _CSRF_META.search(page.get_data(as_text=True)).group(1)}
    issued = IssuedCode(0, shown.name, "", "nl", shown.group, shown.code)
    ballot, _ = make_ballot(app, election_id, issued, 1)
    cast = client.post(f"{path}/cast", json=ballot, headers=headers)
    assert cast.status_code == 201, cast.get_json()
    other, _ = make_ballot(app, election_id, issued, 0)
    assert client.post(f"{path}/cast", json=other, headers=headers).status_code == 409
    with app.extensions["stembus_sessions"]() as db:
        ballots = db.scalars(
            select(BoardEntry).where(BoardEntry.election_id == election_id, BoardEntry.type == "ballot")
        )
        assert len(list(ballots)) == 1


def test_demo_trustee_backups_open_with_their_passphrases_and_match_the_keys(app):
    demo = _open_demo(app)
    assert len(demo.voting.trustees) == 3
    for j, held in enumerate(demo.voting.trustees, start=1):
        assert oct(held.backup.stat().st_mode & 0o777) == "0o600"
        member, _ = open_backup(json.loads(held.backup.read_text()), held.passphrase)
        assert member == j


def test_a_second_seed_opens_a_fresh_vote_with_new_codes(app):
    first = _open_demo(app)
    second = _open_demo(app)
    assert {c.code for c in first.voting.codes}.isdisjoint({c.code for c in second.voting.codes})
    assert first.voting.codes[0].booth_url.split("#")[0] != second.voting.codes[0].booth_url.split("#")[0]


def test_demo_seed_command_prints_sign_ins_and_voting_codes(tmp_path):
    env = {
        "STEMBUS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "STEMBUS_SECRET_KEY": secrets.token_urlsafe(48),
        "STEMBUS_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["demo", "seed"], env=env)
    assert result.exit_code == 0, result.output
    assert "voorzitter@demo.stembus.nl" in result.output and "TOTP secret" in result.output
    booth_links = re.findall(r"http://127\.0\.0\.1:8000/stem/[0-9a-f-]{36}#code=([0-9A-Z-]+)", result.output)
    assert len(booth_links) == 5
    assert len(list((tmp_path / "instance" / "demo-trustees").glob("*.json"))) == 3
