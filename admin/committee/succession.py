"""Succession during the term: record that a member left, ask the proposed successor, close the vacancy.

The successor is proposed from the stored result by :mod:`election.succession` (next reserve on the
same list; next by votes in the person system). The committee records each answer; a declined or
no longer eligible candidate makes the rule propose the next one, and when nobody is left the
vacancy is closed with what follows: a by-election, or the seat left open until the regular
elections. Every step is audit-logged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.database import db
from admin.security import committee_role, load_member
from election.models import Election
from election.succession_store import (
    MAX_NOTE,
    GroupView,
    SuccessionRefused,
    close_unfilled,
    overview,
    record_answer,
    record_vacancy,
    term_ends_on,
)

bp = Blueprint("succession", __name__, url_prefix="/committee")

_BASE = "/elections/<int:election_id>/succession"

REASONS = {
    "left_company": _l("Left the company (WOR art. 12 lid 3)"),
    "resigned": _l("Resigned by written notice (WOR art. 12 lid 4)"),
    "other": _l("Other reason"),
}
ANSWERS = {
    "accepted": _l("Accepted the seat"),
    "declined": _l("Declined"),
    "not_eligible": _l("No longer eligible"),
}
PASSED_OVER = {
    "declined": _l("declined this vacancy"),
    "not_eligible": _l("no longer eligible"),
    "seated": _l("already holds a seat"),
    "left": _l("left the council"),
}
OUTCOMES = {
    "by_election": _l("A by-election is held, with the normal procedure and objection windows."),
    "leave_open": _l("The seat stays open until the regular elections, which are near enough."),
}


class VacancyForm(FlaskForm):
    """Who left, when and why."""

    member = SelectField(_l("Member who left"), validators=[DataRequired()], choices=[])
    left_on = DateField(_l("Date their membership ended"), validators=[DataRequired()])
    reason = SelectField(
        _l("Reason"), choices=[SelectChoice(k, v) for k, v in REASONS.items()], validators=[DataRequired()]
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE)])


class AnswerForm(FlaskForm):
    """The proposed successor's answer."""

    candidate = HiddenField(validators=[DataRequired()])
    answer = SelectField(
        _l("Answer"), choices=[SelectChoice(k, v) for k, v in ANSWERS.items()], validators=[DataRequired()]
    )
    answered_on = DateField(_l("Date of the answer"), validators=[DataRequired()])


class CloseForm(FlaskForm):
    """Closing a vacancy nobody is left to fill."""


def _refusal(exc: SuccessionRefused) -> str:
    p = exc.params
    texts = {
        "no_result": _("Succession needs the stored result of the count; there is none yet."),
        "unknown_group": _("There is no electoral group %(group)s in the stored result.", group=p.get("group")),
        "unknown_member": _("Choose a member from the list of seated members."),
        "not_seated": _("This person does not hold a seat now, so they cannot leave it."),
        "bad_reason": _("Choose one of the reasons given."),
        "note_too_long": _("The note is longer than %(n)s characters.", n=MAX_NOTE),
        "before_result": _("A member cannot leave before the result was established: check the date."),
        "already_left": _("This member's leaving has already been recorded."),
        "unknown_vacancy": _("There is no such vacancy in this election."),
        "closed": _("This vacancy has already been closed."),
        "answer_before_leaving": _("The answer cannot be dated before the member left."),
        "bad_answer": _("Choose one of the answers given."),
        "no_successor": _("Nobody is left to ask for this vacancy."),
        "out_of_order": _("Only the answer of the candidate proposed now can be recorded: the order is fixed."),
        "already_answered": _("This answer has already been recorded."),
        "successor_left": _("A candidate is still to be asked: record their answer first."),
    }
    return texts.get(exc.code, str(exc))


def _member_choices(groups: list[GroupView]) -> list[SelectChoice]:
    return [
        SelectChoice(f"{g.result.id}:{cid}", f"{g.result.candidates[cid].name} ({g.result.name})")
        for g in groups
        for cid in g.seated
    ]


def _page(election: Election, status: int = 200, vacancy_form: VacancyForm | None = None) -> Any:
    try:
        groups = overview(db(), election)
    except SuccessionRefused as exc:
        return render_template("committee/succession/overview.html", election=election, refusal=_refusal(exc)), 404
    form = vacancy_form or VacancyForm()
    form.member.choices = _member_choices(groups)
    member = load_member()
    return (
        render_template(
            "committee/succession/overview.html",
            election=election,
            refusal=None,
            groups=groups,
            vacancy_form=form,
            answer_form=AnswerForm(formdata=None, answered_on=current_app.config["CLOCK"].today()),
            can_edit=member is not None and member.role_enum in EDITORS,
            term_end=term_ends_on(election),
            reasons=REASONS,
            answers=ANSWERS,
            passed_over=PASSED_OVER,
            outcomes=OUTCOMES,
        ),
        status,
    )


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def _back(election: Election) -> Any:
    return redirect(url_for("succession.succession_overview", election_id=election.id))


@bp.route(_BASE)
@committee_role(*VIEWERS)
def succession_overview(election_id: int) -> Any:
    """Who holds each group's seats now, the open vacancies with the proposed successor, and the history."""
    return _page(election_or_404(election_id))


@bp.route(f"{_BASE}/vacancies", methods=["POST"])
@committee_role(*EDITORS)
def succession_vacancy(election_id: int) -> Any:
    """Record that a seated member left; the page then proposes their successor."""
    election = election_or_404(election_id)
    form = VacancyForm()
    try:
        form.member.choices = _member_choices(overview(db(), election))
    except SuccessionRefused as exc:
        flash(_refusal(exc), "error")
        return _page(election, 400)
    if not form.validate_on_submit():
        flash(_("Check the marked fields: the member, the date and the reason are needed."), "error")
        return _page(election, 400, form)
    group_key, _sep, candidate_key = (form.member.data or "").partition(":")
    try:
        record_vacancy(
            db(),
            election,
            group_key,
            candidate_key,
            form.left_on.data or date.min,
            form.reason.data or "",
            form.note.data or "",
            _actor(),
            current_app.config["CLOCK"].now(),
        )
    except SuccessionRefused as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return _page(election, 400, form)
    db().commit()
    flash(_("The vacancy is recorded. Ask the proposed successor and record their answer."), "success")
    return _back(election)


@bp.route(f"{_BASE}/vacancies/<int:vacancy_id>/answer", methods=["POST"])
@committee_role(*EDITORS)
def succession_answer(election_id: int, vacancy_id: int) -> Any:
    """Record the proposed successor's answer (accepted, declined, no longer eligible)."""
    election = election_or_404(election_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Choose the answer and its date."), "error")
        return _page(election, 400)
    try:
        proposal = record_answer(
            db(),
            election,
            vacancy_id,
            form.candidate.data or "",
            form.answer.data or "",
            form.answered_on.data or date.min,
            _actor(),
            current_app.config["CLOCK"].now(),
        )
    except SuccessionRefused as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return _page(election, 404 if exc.code == "unknown_vacancy" else 400)
    db().commit()
    if form.answer.data == "accepted":
        flash(_("The successor is recorded. They serve until %(d)s.", d=term_ends_on(election).isoformat()), "success")
    elif proposal.successor is not None:
        flash(_("The answer is recorded; the next candidate is proposed."), "success")
    else:
        flash(_("The answer is recorded; nobody is left to ask for this vacancy."), "success")
    return _back(election)


@bp.route(f"{_BASE}/vacancies/<int:vacancy_id>/close", methods=["POST"])
@committee_role(*EDITORS)
def succession_close(election_id: int, vacancy_id: int) -> Any:
    """Close a vacancy nobody is left to fill, recording what follows."""
    election = election_or_404(election_id)
    if not CloseForm().validate_on_submit():
        return _page(election, 400)
    try:
        close_unfilled(db(), election, vacancy_id, _actor(), current_app.config["CLOCK"].now())
    except SuccessionRefused as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return _page(election, 404 if exc.code == "unknown_vacancy" else 400)
    db().commit()
    flash(_("The vacancy is closed."), "success")
    return _back(election)
