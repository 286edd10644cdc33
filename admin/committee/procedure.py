"""The draaiboek: an election's timetable as a checklist, and the procedure steps."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.forms import ExtendVotingForm, PostponeForm, StepForm
from admin.database import db
from admin.labels import refusal_text
from admin.security import committee_role, load_member
from election import procedure_store
from election.checklist import checklist
from election.clock import AMSTERDAM
from election.models import CommitteeMember, PendingAction
from election.procedure import Phase, StepRefused, allowed_next, needs_confirmation


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _refused(error: StepRefused) -> None:
    db().rollback()
    flash(refusal_text(error), "error")


@bp.route("/elections/<int:election_id>/")
@committee_role(*VIEWERS)
def election_overview(election_id: int) -> Any:
    """Phase, next steps, pending confirmations and the checklist with every dated step."""
    election = election_or_404(election_id)
    today = _clock().today()
    timeline = procedure_store.timeline_of(election, today)
    phase = Phase(election.phase)
    return render_template(
        "committee/election.html",
        election=election,
        timeline=timeline,
        items=checklist(timeline, phase, today),
        next_steps=[
            (p, needs_confirmation(phase, p)) for p in sorted(allowed_next(phase, timeline), key=list(Phase).index)
        ],
        pending=procedure_store.pending_actions(db(), election),
        problems=procedure_store.setup_problems(election, today) if phase is Phase.DRAFT else [],
        form=StepForm(),
        postpone_form=PostponeForm(),
        extend_form=ExtendVotingForm() if phase is Phase.VOTING else None,
        voting_closes=procedure_store.voting_window_of(election)[1] if phase is Phase.VOTING else None,
    )


@bp.route("/elections/<int:election_id>/steps/<target>", methods=["POST"])
@committee_role(*EDITORS)
def propose_step(election_id: int, target: str) -> Any:
    """Take the next step, or file it for a second committee member to confirm."""
    election = election_or_404(election_id)
    if StepForm().validate_on_submit():
        try:
            phase = Phase(target)
        except ValueError:
            flash(_("Unknown step."), "error")
            return redirect(url_for("committee.election_overview", election_id=election.id))
        try:
            outcome = procedure_store.propose_step(db(), election, _member(), phase, _clock().now(), _clock().today())
        except StepRefused as error:
            _refused(error)
        else:
            db().commit()
            flash(
                _("The step has been taken.")
                if outcome.applied
                else _("The step waits for confirmation by a second committee member."),
                "success",
            )
    return redirect(url_for("committee.election_overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/pending/<int:pending_id>/<decision>", methods=["POST"])
@committee_role(*EDITORS)
def decide_pending(election_id: int, pending_id: int, decision: str) -> Any:
    """Confirm or withdraw a step that another member proposed."""
    election = election_or_404(election_id)
    pending = db().get(PendingAction, pending_id)
    if StepForm().validate_on_submit() and pending is not None and pending.election_id == election.id:
        try:
            if decision == "confirm":
                procedure_store.confirm(db(), pending, _member(), _clock().now(), _clock().today())
            else:
                procedure_store.withdraw(db(), pending, _member())
        except StepRefused as error:
            _refused(error)
        else:
            db().commit()
            flash(_("Confirmed: the step has been taken.") if decision == "confirm" else _("Withdrawn."), "success")
    return redirect(url_for("committee.election_overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/postpone", methods=["POST"])
@committee_role(*EDITORS)
def postpone_election(election_id: int) -> Any:
    """Propose a later voting day; a second member's confirmation recomputes every deadline."""
    election = election_or_404(election_id)
    form = PostponeForm()
    if form.validate_on_submit():
        try:
            procedure_store.propose_postponement(
                db(), election, _member(), form.voting_day.data, form.reason.data, _clock().now(), _clock().today()
            )
        except StepRefused as error:
            _refused(error)
        else:
            db().commit()
            flash(_("The postponement waits for confirmation by a second committee member."), "success")
    else:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return redirect(url_for("committee.election_overview", election_id=election.id))


@bp.route("/elections/<int:election_id>/extend-voting", methods=["POST"])
@committee_role(*EDITORS)
def extend_voting(election_id: int) -> Any:
    """Propose a later closing of the vote; it takes effect when a second member confirms."""
    election = election_or_404(election_id)
    form = ExtendVotingForm()
    if form.validate_on_submit():
        closes = form.closes.data.replace(tzinfo=AMSTERDAM).astimezone(UTC)
        try:
            procedure_store.propose_extension(db(), election, _member(), closes, form.reason.data, _clock().now())
        except StepRefused as error:
            _refused(error)
        else:
            db().commit()
            flash(_("The extension waits for confirmation by a second committee member."), "success")
    else:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return redirect(url_for("committee.election_overview", election_id=election.id))
