"""The voting window is judged by the database's clock, which every web host shares, not the host's own.

A web host whose clock says "voting day, noon" while the database's clock says otherwise: on
PostgreSQL the database's time decides (the booth answers "not open yet"); the embedded SQLite
database runs on the host itself, so there the host's time is the database's time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from election.clock import Clock
from election.db import database_time
from tests.web.test_voting import _booth, _cast
from tests.web.voting_factory import make_ballot, make_voting_election


class HostClock(Clock):
    """A web host whose own clock shows ``moment``; the database keeps its own time."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _postgres(app) -> bool:
    return app.extensions["stembus_engine"].dialect.name == "postgresql"


def test_the_database_clock_is_not_the_hosts(app):
    host = HostClock(datetime(1999, 12, 31, 23, 59, tzinfo=UTC))
    with app.extensions["stembus_sessions"]() as db:
        seen = host.database_now(db)
        direct = database_time(db)
    if _postgres(app):
        assert seen.tzinfo is not None and seen.utcoffset() == timedelta(0)
        assert abs(seen - datetime.now(UTC)) < timedelta(minutes=5)  # the server's time, not the host's 1999
        assert direct is not None and abs(direct - seen) < timedelta(minutes=5)
    else:
        assert direct is None and seen == host.moment  # SQLite lives on this host: its clock is the host's


def test_a_cast_is_judged_by_the_database_clock(app, client):
    ve = make_voting_election(app)  # the test clock stands at noon of a future voting day
    noon = app.config["CLOCK"].now()
    app.config["CLOCK"] = HostClock(noon)  # this host still says noon; the database says today
    uuid, headers = _booth(client, ve, app)
    ballot, _ = make_ballot(app, ve.election_id, ve.code_in("Noord"), 1)
    answer = _cast(client, uuid, headers, ballot)
    if _postgres(app):
        assert noon - datetime.now(UTC) > timedelta(days=1), "the voting day must lie ahead of the real date"
        assert answer.status_code == 409, answer.get_json()
        assert answer.get_json()["error"] == "not_open"
    else:
        assert answer.status_code == 201, answer.get_json()
