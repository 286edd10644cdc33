"""The committee's screens for the nomination pre-round: settings, links, results, invitations, purge.

Every screen shows aggregates only (see :mod:`election.nomination_report`); none reads who
nominated whom. Chair, member and secretary act; the auditor reads.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.nomination_forms import LettersForm, NominationActionForm, RoundForm
from admin.database import db
from admin.nomination_text import invitation_refusal, settings_problem, status_text
from admin.security import committee_role, load_member
from election import nomination_report as report
from election import nomination_round as rounds
from election.documents import render_pdf
from election.models import Election, NominationRound
from election.nomination_rules import RoundSettings, latest_close
from election.procedure_store import timeline_of

_BASE = "/elections/<int:election_id>/nomination"


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def _can_edit() -> bool:
    member = load_member()
    return member is not None and member.role_enum in EDITORS


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _round_or_404(election: Election) -> NominationRound:
    round_ = rounds.round_of(db(), election.id)
    if round_ is None:
        abort(404)
    return round_


def _settings(form: RoundForm) -> RoundSettings:
    scope = "group" if form.scope.data == "group" else "organisation"
    return RoundSettings(
        form.opens_on.data, form.closes_on.data, form.max_per_person.data or 0, bool(form.self_nomination.data),
        scope, form.threshold.data or 0, form.invitation_nl.data or "", form.invitation_en.data or "",
    )


def _save(election: Election, form: RoundForm) -> bool:
    try:
        rounds.save_round(db(), election, _actor(), _settings(form), _clock().today(), _clock().now())
    except rounds.SettingsRefused as refused:
        db().rollback()
        for problem in refused.problems:
            target = getattr(form, problem.field)
            target.errors = [*target.errors, settings_problem(problem)]
        return False
    except rounds.RoundNotOpen:
        db().rollback()
        flash(_("The round has started: its settings no longer change."), "error")
        return False
    db().commit()
    flash(_("The nomination round has been saved."), "success")
    return True


@bp.route(_BASE, methods=["GET", "POST"])
@committee_role(*VIEWERS)
def nomination_round(election_id: int) -> Any:
    """The round's settings and state, with the steps the committee can take now."""
    election = election_or_404(election_id)
    round_ = rounds.round_of(db(), election.id)
    today = _clock().today()
    status = rounds.status_of(round_, election, today) if round_ is not None else None
    can_edit = _can_edit()
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        if not can_edit:
            abort(403)
        if _save(election, form):
            return redirect(url_for("committee.nomination_round", election_id=election.id))
    return render_template(
        "committee/nomination/round.html", election=election, round=round_, status=status,
        status_text=status_text(status), form=form, can_edit=can_edit, editable=status in (None, "not_yet"),
        last_day=latest_close(timeline_of(election)), action_form=NominationActionForm(),
        letters_form=LettersForm(), summary=report.summary_of(db(), round_) if round_ is not None else None,
    )


@bp.route(f"{_BASE}/links", methods=["POST"])
@committee_role(*EDITORS)
def nomination_links(election_id: int) -> Any:
    """Queue the personal links by e-mail for everyone who may nominate and has none yet."""
    election = election_or_404(election_id)
    round_ = _round_or_404(election)
    if NominationActionForm().validate_on_submit():
        base = url_for("nomination.start", _external=True)
        try:
            outcome = rounds.send_links(db(), election, round_, _actor(), base, _clock().today(), _clock().now())
        except rounds.RoundNotOpen:
            db().rollback()
            flash(_("The round has closed: no more links are sent."), "error")
        else:
            db().commit()
            flash(_("%(queued)s links queued by e-mail; %(paper)s people without e-mail need a printed letter.",
                    queued=outcome.queued, paper=outcome.without_email), "success")
    return redirect(url_for("committee.nomination_round", election_id=election.id))


@bp.route(f"{_BASE}/letters", methods=["POST"])
@committee_role(*EDITORS)
def nomination_letters(election_id: int) -> Any:
    """Printed letters with a new personal code for people without e-mail, as one PDF."""
    election = election_or_404(election_id)
    round_ = _round_or_404(election)
    form = LettersForm()
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data or "nl"
    page = url_for("nomination.start", _external=True)
    try:
        letters = rounds.issue_letters(db(), election, round_, _actor(), page, _clock().today(), language)
    except rounds.RoundNotOpen:
        db().rollback()
        flash(_("The round has closed: no more letters are printed."), "error")
        return redirect(url_for("committee.nomination_round", election_id=election.id))
    pdf = render_pdf("nomination_letters", rounds.letters_context(election, round_, letters, page, language), language)
    db().commit()
    name = f"nomination-letters-{election.id}-{language}.pdf"
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)


@bp.route(f"{_BASE}/results")
@committee_role(*VIEWERS)
def nomination_results(election_id: int) -> Any:
    """Nominees ranked by the number of nominations, per group and department; small counts hidden."""
    election = election_or_404(election_id)
    round_ = _round_or_404(election)
    status = rounds.status_of(round_, election, _clock().today())
    return render_template(
        "committee/nomination/results.html", election=election, round=round_, status=status,
        status_text=status_text(status), numbers=report.aggregates(db(), election, round_),
        can_invite=status == "closed" and _can_edit(),
        action_form=NominationActionForm(),
    )


@bp.route(f"{_BASE}/invite/<int:nominee_id>", methods=["POST"])
@committee_role(*EDITORS)
def nomination_invite(election_id: int, nominee_id: int) -> Any:
    """Send one nominee the personal invitation; without e-mail, download it as a letter to print."""
    election = election_or_404(election_id)
    round_ = _round_or_404(election)
    if not NominationActionForm().validate_on_submit():
        abort(400)
    decline = url_for("nomination.decline", _external=True)
    try:
        context, locale, mailed = report.invite_nominee(
            db(), election, round_, nominee_id, _actor(), decline, url_for("lists.free", _external=True),
            _clock().today(), _clock().now(),
        )
    except report.InvitationRefused as refused:
        db().rollback()
        flash(invitation_refusal(refused.code), "error")
        return redirect(url_for("committee.nomination_results", election_id=election.id))
    if mailed:
        db().commit()
        flash(_("The invitation has been queued by e-mail."), "success")
        return redirect(url_for("committee.nomination_results", election_id=election.id))
    pdf = render_pdf("nomination_invitation", report.invitation_letter(context, locale), locale)
    db().commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"nomination-invitation-{election.id}-{nominee_id}.pdf")


@bp.route(f"{_BASE}/purge", methods=["POST"])
@committee_role(*EDITORS)
def nomination_purge(election_id: int) -> Any:
    """Delete the nominations of a closed round now, keeping only the counts."""
    election = election_or_404(election_id)
    round_ = _round_or_404(election)
    if NominationActionForm().validate_on_submit():
        if rounds.status_of(round_, election, _clock().today()) != "closed":
            flash(_("Only a closed round can be deleted."), "error")
        else:
            report.purge(db(), election, round_, _actor(), _clock().now())
            db().commit()
            flash(_("The nominations have been deleted; only the counts remain."), "success")
    return redirect(url_for("committee.nomination_round", election_id=election.id))
