"""Objections against the published lists received on paper: the committee enters them with an optional scan.

Entered objections appear among the online ones and are decided the same way, with reasons.
Chair, member and secretary enter them; the scan is for those who hold election powers only.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from admin.committee import bp
from admin.committee.elections import EDITORS, election_or_404
from admin.database import db
from admin.lists.text import file_text
from admin.security import committee_role, load_member
from election import list_files, list_paper_objections, list_publication
from election.list_publication import ObjectionRefused
from election.models import Election, ListObjection

_BASE = "/elections/<int:election_id>/lists/objections"


class PaperObjectionForm(FlaskForm):
    """An objection received on paper, copied from the letter."""

    objector_name = StringField(_l("Who made the objection"), validators=[DataRequired(), Length(max=300)])
    employee_number = StringField(_l("Their employee number (optional)"), validators=[Optional(), Length(max=64)])
    received_on = DateField(_l("Received by the committee on"), validators=[DataRequired()])
    target = SelectField(_l("Against"), validators=[DataRequired()])
    grounds = TextAreaField(_l("Grounds of the objection"), validators=[DataRequired(), Length(max=4000)])
    scan = FileField(_l("Scan of the letter (optional; PDF, PNG or JPEG, at most 5 MB)"))


def _targets(db_session: Any, election: Election) -> list[SelectChoice]:
    choices: list[SelectChoice] = []
    for group in list_publication.group_outcomes(db_session, election):
        for lst in group.lists:
            choices.append(
                SelectChoice(
                    f"l{lst.list_id}", _("List %(number)s “%(name)s” as a whole", number=lst.number, name=lst.name)
                )
            )
            for c in lst.candidates:
                label = _(
                    "List %(number)s, place %(place)s: %(name)s", number=lst.number, place=c.position, name=c.name
                )
                choices.append(SelectChoice(f"c{lst.list_id}-{c.candidacy_id}", label))
    return choices


def _parse_target(value: str) -> tuple[int, int | None]:
    """``l<list>`` or ``c<list>-<candidacy>`` as (list id, candidacy id)."""
    try:
        if value.startswith("l"):
            return int(value[1:]), None
        if value.startswith("c"):
            list_part, candidacy_part = value[1:].split("-", 1)
            return int(list_part), int(candidacy_part)
    except ValueError:
        pass
    return 0, None


def refusal_text(refused: ObjectionRefused) -> str:
    """Why a paper objection cannot be entered, in the reader's language."""
    when = str(format_date(refused.deadline, "long")) if refused.deadline else ""
    texts = {
        "empty": lambda: _("Copy the grounds of the objection from the letter."),
        "name_missing": lambda: _("Give the name of whoever made the objection."),
        "not_published": lambda: _("The lists have not been published yet: there is nothing to object to."),
        "final": lambda: _("The lists are final: objections against them can no longer be entered."),
        "future": lambda: _("The day of receipt cannot lie in the future."),
        "before_publication": lambda: _(
            "The day of receipt lies before the lists were published on %(date)s.", date=when
        ),
        "late": lambda: _(
            "This objection was received after the objection window ended on %(date)s. A late objection is not "
            "taken into consideration; tell its sender so.",
            date=when,
        ),
        "unknown_list": lambda: _("Choose a published list or one of its candidates."),
        "unknown_person": lambda: _("This employee number is not in the electoral register."),
    }
    make = texts.get(refused.code)
    return str(make()) if make else refused.code


@bp.route(f"{_BASE}/paper", methods=["GET", "POST"])
@committee_role(*EDITORS)
def lists_paper_objection(election_id: int) -> Any:
    """Enter an objection against a published list or candidate that was received on paper."""
    election = election_or_404(election_id)
    form = PaperObjectionForm()
    form.target.choices = _targets(db(), election)
    clock = current_app.config["CLOCK"]
    status = 200
    if form.validate_on_submit():
        member = load_member()
        assert member is not None
        list_id, candidacy_id = _parse_target(form.target.data or "")
        letter = list_paper_objections.PaperObjection(
            objector_name=form.objector_name.data or "",
            employee_number=form.employee_number.data or "",
            received_on=form.received_on.data,
            list_id=list_id,
            candidacy_id=candidacy_id,
            grounds=form.grounds.data or "",
        )
        try:
            upload = request.files.get("scan")
            scan = None
            if upload is not None and upload.filename:
                scan = list_files.check_scan(list_files.read_limited(upload.stream, list_files.SCAN_MAX_BYTES))
            list_paper_objections.enter_paper_objection(
                db(), election, letter, scan, member.id, member.email, clock.now(), clock.today()
            )
        except list_files.FileRefused as refused:
            db().rollback()
            form.scan.errors = [file_text(refused)]
            status = 400
        except ObjectionRefused as refused:
            db().rollback()
            flash(refusal_text(refused), "error")
            status = 400
        else:
            db().commit()
            flash(_("The objection received on paper has been entered. Decide it with reasons below."), "success")
            return redirect(url_for("committee.lists_objections", election_id=election.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "committee/lists/paper_objection.html",
        election=election,
        form=form,
        open=election.phase == "lists_published",
        deadline=list_publication.objection_deadline(election),
    ), status


@bp.route(f"{_BASE}/<int:objection_id>/scan")
@committee_role(*EDITORS)
def lists_objection_scan(election_id: int, objection_id: int) -> Any:
    """The scan of an objection received on paper."""
    election = election_or_404(election_id)
    objection = db().get(ListObjection, objection_id)
    if objection is None or objection.election_id != election.id or objection.paper is None:
        abort(404)
    paper = objection.paper
    if paper.scan is None or paper.scan_content_type is None:
        abort(404)
    extension = {"application/pdf": "pdf", "image/png": "png"}.get(paper.scan_content_type, "jpg")
    return send_file(
        BytesIO(paper.scan),
        mimetype=paper.scan_content_type,
        as_attachment=True,
        download_name=f"objection-{objection.id}.{extension}",
    )
