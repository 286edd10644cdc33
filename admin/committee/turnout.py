"""The committee's turnout screens: live turnout per electoral group, who has voted, and reminders.

Turnout shows counts only, never a choice (:mod:`election.turnout`); groups too small to be shown
on their own are put together. In a hybrid election the voters marked as having voted on paper are
shown beside the online voters and in the total. The list of who has voted names people, so only chair, member and
secretary open it, as they send the reminders; the auditor sees the numbers.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.voting_codes import booth_url
from admin.committee.voting_codes_forms import REMINDER_REFUSALS, ReminderForm
from admin.database import db
from admin.security import committee_role, load_member
from election.casting import CastRefused, open_identity
from election.models import Election
from election.paper_marks import paper_voting_allowed
from election.reminders import ReminderRefused, last_round, send_reminders
from election.turnout import MIN_GROUP_SIZE, break_down, group_turnouts, still_to_vote, who_voted

_BASE = "/elections/<int:election_id>/turnout"

# The chart's geometry (SVG user units): a label line above each bar.
_CHART = {"width": 600, "bar_x": 0, "bar_width": 520, "row": 46, "bar": 18}


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def _voting_open(election_id: int) -> bool:
    try:
        open_identity(db(), election_id, current_app.config["CLOCK"].now())
    except CastRefused:
        return False
    return True


def _page(election: Election, status: int = 200) -> Any:
    groups = group_turnouts(db(), election)
    numbers = None
    if groups is not None:
        numbers = break_down(_("All groups"), groups, _("Smaller groups together"), MIN_GROUP_SIZE)
    member = load_member()
    can_remind = member is not None and member.role_enum in EDITORS and _voting_open(election.id)
    waiting = still_to_vote(db(), election) if can_remind else []
    last = last_round(db(), election.id)
    return render_template(
        "committee/voting/turnout.html",
        election=election,
        numbers=numbers,
        chart=_CHART,
        threshold=MIN_GROUP_SIZE,
        hybrid=paper_voting_allowed(election),
        can_see_voters=member is not None and member.role_enum in EDITORS,
        can_remind=can_remind,
        waiting=len(waiting),
        waiting_without_email=sum(1 for p in waiting if not p.email),
        last_round=last,
        reminder_form=ReminderForm(round=last + 1),
    ), status


@bp.route(_BASE)
@committee_role(*VIEWERS)
def turnout(election_id: int) -> Any:
    """Turnout overall and per electoral group, as a chart and as a table; reminders while voting is open."""
    return _page(election_or_404(election_id))


@bp.route(f"{_BASE}/voters")
@committee_role(*EDITORS)
def turnout_voters(election_id: int) -> Any:
    """Who has voted online, by name, employee number and group; never how."""
    election = election_or_404(election_id)
    return render_template("committee/voting/voters.html", election=election, voters=who_voted(db(), election))


@bp.route(f"{_BASE}/reminders", methods=["POST"])
@committee_role(*EDITORS)
def turnout_reminders(election_id: int) -> Any:
    """Queue a round of reminders to every voter who has not voted yet."""
    election = election_or_404(election_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        flash(_("The reminder round could not be read. Reload the page and try again."), "error")
        return _page(election, 400)
    links = {lang: booth_url(election, lang) for lang in ("nl", "en")}
    try:
        outcome = send_reminders(
            db(), election, form.round.data or 0, _actor(), current_app.config["CLOCK"].now(), links.__getitem__
        )
    except ReminderRefused as refused:
        db().rollback()
        flash(str(REMINDER_REFUSALS[refused.code]), "error")
        return _page(election, 409)
    else:
        db().commit()
        flash(
            ngettext(
                "Reminder round %(round)s: %(num)s e-mail queued.",
                "Reminder round %(round)s: %(num)s e-mails queued.",
                outcome.queued,
                round=outcome.round,
            ),
            "success",
        )
    return redirect(url_for("committee.turnout", election_id=election.id))
