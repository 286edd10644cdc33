"""The official report dates the steps of the procedure by the application's clock, not the server's."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_datetime

from election.clock import AMSTERDAM, as_utc
from election.models import Election
from election.result_store import official_report
from election.tally_store import count_of
from tests.helpers import sign_in
from tests.web.results_factory import announce, counted_election


def test_the_report_shows_the_steps_at_the_moments_of_the_application_clock(app, client):
    ce = counted_election(app)
    clock = app.config["CLOCK"]
    clock.advance(timedelta(days=3, hours=5))  # the application's time now runs days ahead of the wall clock
    announce(app, ce.election_id, ce.trustees[0])
    announced_at = clock.now().replace(microsecond=0)

    with app.test_request_context(), app.extensions["stembus_sessions"]() as db:
        election = db.get(Election, ce.election_id)
        report = official_report(db, election, clock.now(), with_record=False)
        lot_fixed_at = count_of(db, ce.election_id).lot_fixed_at
    steps = {(e.action, e.details.get("phase_to")): as_utc(e.at) for e in report.events}
    assert steps[("phase_changed", "result_announced")] == announced_at
    assert steps[("lot_seed_fixed", None)] == as_utc(lot_fixed_at).replace(microsecond=0)

    sign_in(client, ce.accounts[0], app)
    html = client.get(f"/committee/elections/{ce.election_id}/results/report").get_data(as_text=True)
    shown = format_datetime(announced_at.astimezone(AMSTERDAM), "d MMM y HH:mm", locale="en")
    assert shown in html
