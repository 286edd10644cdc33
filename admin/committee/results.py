"""The committee's result screens: the result per group, the official report, the letters, and objections.

The figures come from :mod:`election.result_store`; the objection window from
:mod:`election.result_objections`; letters and announcement mails from :mod:`election.result_letters`.
Announcing the result and making it final are procedure steps on the election's checklist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.committee import bp
from admin.committee.documents import page_or_pdf
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.forms import ObjectionDecisionForm
from admin.database import db
from admin.result_text import objection_refusal
from admin.security import committee_role, load_member
from election import result_letters, result_objections
from election.models import CommitteeMember, Election
from election.models.result import ResultObjection
from election.result_report import OfficialReport, ResultNotReady
from election.result_store import official_report

_BASE = "/elections/<int:election_id>/results"


class ActionForm(FlaskForm):
    """A button that needs only the CSRF token."""


class CommitteeObjectionForm(FlaskForm):
    """An objection against the result received in writing, entered by the committee."""

    name = StringField(_l("Name of the objector"), validators=[DataRequired(), Length(max=300)])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    text = TextAreaField(_l("The objection and its grounds"), validators=[DataRequired(), Length(max=4000)])


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _back(election: Election) -> Any:
    return redirect(url_for("committee.results_overview", election_id=election.id))


def _public_url(election: Election) -> str:
    return url_for("public_results.published", election_id=election.id, _external=True)


def _report(election: Election, *, with_record: bool = False) -> OfficialReport | None:
    try:
        return official_report(db(), election, _clock().now(), with_record=with_record)
    except ResultNotReady:
        return None


def _document(kind: str, context: Any, as_pdf: bool, endpoint: str, filename: str, election: Election) -> Any:
    return page_or_pdf(
        kind,
        context,
        as_pdf,
        filename,
        back_url=url_for("committee.results_overview", election_id=election.id),
        pdf_url=url_for(endpoint, election_id=election.id, as_pdf=True),
    )


@bp.route(_BASE)
@committee_role(*VIEWERS)
def results_overview(election_id: int) -> Any:
    """The result per group with tables and charts, the documents, the objection window and its objections."""
    election = election_or_404(election_id)
    report = _report(election)
    announcement = result_objections.announcement_of(db(), election.id)
    return render_template(
        "committee/results/overview.html",
        election=election,
        report=report,
        announcement=announcement,
        # A letter that arrived in time may be entered after the window, until the result is final.
        can_record=announcement is not None and election.phase == "result_announced",
        objections=result_objections.objections_of(db(), election.id),
        can_edit=_member().role_enum in EDITORS,
        action_form=ActionForm(),
        objection_form=CommitteeObjectionForm(),
        decision_form=ObjectionDecisionForm(),
    )


@bp.route(f"{_BASE}/report", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/report.pdf", defaults={"as_pdf": True})
@committee_role(*VIEWERS)
def results_report(election_id: int, as_pdf: bool) -> Any:
    """The official report (proces-verbaal) with every item the regulation asks for."""
    election = election_or_404(election_id)
    report = _report(election, with_record=True)
    if report is None:
        abort(404)
    return _document(
        "official_report", report, as_pdf, "committee.results_report", f"official-report-{election.id}.pdf", election
    )


def _letters(election_id: int, as_pdf: bool, elected: bool) -> Any:
    election = election_or_404(election_id)
    report = _report(election)
    if report is None:
        abort(404)
    context = result_letters.letters_context(
        db(), report, elected, page_url=_public_url(election), contact=current_app.config.get("MAIL_FROM")
    )
    kind = "result_elected" if elected else "result_not_elected"
    endpoint = "committee.results_letters_elected" if elected else "committee.results_letters_not_elected"
    return _document(kind, context, as_pdf, endpoint, f"{kind.replace('_', '-')}-{election.id}.pdf", election)


@bp.route(f"{_BASE}/letters/elected", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/letters/elected.pdf", defaults={"as_pdf": True})
@committee_role(*EDITORS)
def results_letters_elected(election_id: int, as_pdf: bool) -> Any:
    """All letters to the elected members, one per page (to print and post)."""
    return _letters(election_id, as_pdf, elected=True)


@bp.route(f"{_BASE}/letters/not-elected", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/letters/not-elected.pdf", defaults={"as_pdf": True})
@committee_role(*EDITORS)
def results_letters_not_elected(election_id: int, as_pdf: bool) -> Any:
    """All letters to the candidates not elected, with their place among the reserves."""
    return _letters(election_id, as_pdf, elected=False)


@bp.route(f"{_BASE}/announcement", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/announcement.pdf", defaults={"as_pdf": True})
@committee_role(*VIEWERS)
def results_announcement(election_id: int, as_pdf: bool) -> Any:
    """The announcement of the result to staff, employer and unions."""
    election = election_or_404(election_id)
    report = _report(election)
    if report is None:
        abort(404)
    context = result_letters.AnnouncementContext(report, _public_url(election), current_app.config.get("MAIL_FROM"))
    return _document(
        "result_announcement",
        context,
        as_pdf,
        "committee.results_announcement",
        f"result-announcement-{election.id}.pdf",
        election,
    )


@bp.route(f"{_BASE}/objections", methods=["POST"])
@committee_role(*EDITORS)
def results_objection_record(election_id: int) -> Any:
    """Enter an objection against the result that reached the committee in writing."""
    election = election_or_404(election_id)
    form = CommitteeObjectionForm()
    if not form.validate_on_submit():
        flash(_("Give the objector's name and the objection (a date, if given, as YYYY-MM-DD)."), "error")
        return _back(election)
    try:
        result_objections.file_objection(
            db(),
            election,
            form.text.data or "",
            _clock().now(),
            name=form.name.data,
            entered_by=_member(),
            received_on=form.received_on.data,
        )
    except result_objections.ObjectionRefused as refused:
        db().rollback()
        flash(objection_refusal(refused), "error")
        return _back(election)
    db().commit()
    flash(_("The objection has been recorded."), "success")
    return _back(election)


@bp.route(f"{_BASE}/objections/<int:objection_id>", methods=["POST"])
@committee_role(*EDITORS)
def results_objection_decide(election_id: int, objection_id: int) -> Any:
    """Decide an objection against the result, with reasons."""
    election = election_or_404(election_id)
    objection = db().get(ResultObjection, objection_id)
    if objection is None or objection.election_id != election.id:
        abort(404)
    form = ObjectionDecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision and give its reasons."), "error")
        return _back(election)
    member = _member()
    try:
        result_objections.decide_objection(
            db(),
            objection,
            form.decision.data == "upheld",
            form.reasons.data or "",
            member.email,
            member.id,
            _clock().now(),
        )
    except result_objections.ObjectionRefused as refused:
        db().rollback()
        flash(objection_refusal(refused), "error")
        return _back(election)
    db().commit()
    flash(_("The decision has been recorded."), "success")
    return _back(election)
