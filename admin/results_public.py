"""The published result: a public page per election once the result is announced, and objections against it.

The result is announced to staff, employer, candidates and unions (domain 2.7), so the page needs
no sign-in. During the objection window anyone in the register may object with the personal code
of their register link; others object in writing to the committee, which enters their objection.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin.database import db
from admin.extensions import limiter
from admin.lists.submit import ATTEMPTS
from admin.result_text import objection_refusal
from election import result_objections
from election.documents import render_pdf
from election.models import Election
from election.procedure import Phase, precedes
from election.register_links import person_for_token
from election.result_letters import AnnouncementContext
from election.result_report import OfficialReport, ResultNotReady
from election.result_store import official_report

bp = Blueprint("public_results", __name__, url_prefix="/result")


class ResultObjectionForm(FlaskForm):
    """An objection against the result by someone in the register."""

    token = StringField(
        _l("Your personal code from the electoral register link"), validators=[DataRequired(), Length(max=100)]
    )
    text = TextAreaField(_l("Your objection and its grounds"), validators=[DataRequired(), Length(max=4000)])


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _announced_or_404(election_id: int) -> tuple[Election, OfficialReport]:
    election = db().get(Election, election_id)
    if election is None or precedes(Phase(election.phase), Phase.RESULT_ANNOUNCED):
        abort(404)
    try:
        report = official_report(db(), election, _clock().now(), with_record=False)
    except ResultNotReady:
        abort(404)
    return election, report


def _page(election: Election, report: OfficialReport, form: ResultObjectionForm) -> str:
    announcement = result_objections.announcement_of(db(), election.id)
    return render_template(
        "results/public.html",
        election=election,
        report=report,
        form=form,
        window_open=result_objections.window_open(announcement, election, _clock().today()),
    )


@bp.route("/<int:election_id>")
def published(election_id: int) -> Any:
    """The announced result: per group the votes, seats, elected and reserves, as tables and charts."""
    election, report = _announced_or_404(election_id)
    return _page(election, report, ResultObjectionForm(formdata=None))


@bp.route("/<int:election_id>.pdf")
def published_pdf(election_id: int) -> Any:
    """The announcement of the result as a PDF."""
    election, report = _announced_or_404(election_id)
    context = AnnouncementContext(report, url_for("public_results.published", election_id=election.id, _external=True))
    pdf = render_pdf("result_announcement", context, str(get_locale() or "nl"))
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"result-{election.id}.pdf")


@bp.route("/<int:election_id>/objection", methods=["POST"])
@limiter.limit(ATTEMPTS)
def objection(election_id: int) -> Any:
    """An objection against the result, by someone in the register identified by their personal code."""
    election, report = _announced_or_404(election_id)
    form = ResultObjectionForm()
    if form.validate_on_submit():
        person = person_for_token(db(), form.token.data or "")
        if person is None or person.election_id != election.id:
            form.token.errors = [_("This personal code is not valid.")]
        else:
            try:
                result_objections.file_objection(db(), election, form.text.data or "", _clock().now(), person=person)
            except result_objections.ObjectionRefused as refused:
                db().rollback()
                flash(objection_refusal(refused), "error")
            else:
                db().commit()
                flash(
                    _(
                        "Your objection has been received. The election committee decides on it and tells you "
                        "its reasons."
                    ),
                    "success",
                )
                return redirect(url_for("public_results.published", election_id=election.id))
    return _page(election, report, form), 400
