"""The published candidate lists: a public page and PDF, candidates' photos, and objections."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from admin.database import db
from admin.extensions import limiter
from admin.lists import bp
from admin.lists.forms import ListObjectionForm
from admin.lists.submit import ATTEMPTS, clock
from election import list_publication
from election.documents import render_pdf
from election.list_publication import ObjectionRefused
from election.models import Candidacy, CandidateList, Election, ListFile
from election.register_links import person_for_token


def _published_or_404(election_id: int) -> Election:
    election = db().get(Election, election_id)
    if election is None or not list_publication.is_published(election):
        abort(404)
    return election


def _targets(context: list_publication.PublicationContext) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for group in context.groups:
        for lst in group.lists:
            choices.append(
                (f"l{lst.list_id}", _("List %(number)s “%(name)s” as a whole", number=lst.number, name=lst.name))
            )
            for c in lst.candidates:
                choices.append(
                    (
                        f"c{c.candidacy_id}",
                        _(
                            "List %(number)s, place %(place)s: %(name)s",
                            number=lst.number,
                            place=c.position,
                            name=c.name,
                        ),
                    )
                )
    return choices


@bp.route("/<int:election_id>", methods=["GET"])
def published(election_id: int) -> Any:
    """All candidate lists of the election, with list numbers and candidates in list order (no sign-in)."""
    election = _published_or_404(election_id)
    context = list_publication.publication_context(db(), election)
    form = ListObjectionForm(formdata=None)
    form.target.choices = _targets(context)
    today = clock().today()
    return render_template(
        "lists/published.html",
        election=election,
        doc=context,
        form=form,
        objections_open=election.phase == "lists_published" and today <= context.objection_deadline,
    )


@bp.route("/<int:election_id>.pdf")
def published_pdf(election_id: int) -> Any:
    """The published lists as a PDF."""
    election = _published_or_404(election_id)
    pdf = render_pdf("candidate_lists", list_publication.publication_context(db(), election), str(get_locale() or "nl"))
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"candidate-lists-{election.id}.pdf")


@bp.route("/<int:election_id>/photo/<int:candidacy_id>.jpg")
def photo(election_id: int, candidacy_id: int) -> Any:
    """A published candidate's photo (only of an active candidate on a numbered list)."""
    _published_or_404(election_id)
    candidacy = db().get(Candidacy, candidacy_id)
    if candidacy is None or candidacy.status != "active" or candidacy.list.election_id != election_id:
        abort(404)
    if candidacy.list.number is None:
        abort(404)
    row = db().scalar(select(ListFile).where(ListFile.candidacy_id == candidacy_id, ListFile.kind == "photo"))
    if row is None:
        abort(404)
    return send_file(BytesIO(row.content), mimetype="image/jpeg", max_age=3600)


@bp.route("/<int:election_id>/objection", methods=["POST"])
@limiter.limit(ATTEMPTS)
def objection(election_id: int) -> Any:
    """An objection by someone in the register, identified by their personal code."""
    election = _published_or_404(election_id)
    context = list_publication.publication_context(db(), election)
    form = ListObjectionForm()
    form.target.choices = _targets(context)
    if form.validate_on_submit():
        person = person_for_token(db(), form.token.data or "")
        if person is None or person.election_id != election.id:
            form.token.errors = [_("This personal code is not valid.")]
        else:
            target = form.target.data or ""
            candidacy = db().get(Candidacy, int(target[1:])) if target.startswith("c") else None
            lst = candidacy.list if candidacy else db().get(CandidateList, int(target[1:] or 0))
            try:
                if lst is None:
                    raise ObjectionRefused("unknown_list")
                list_publication.file_objection(
                    db(),
                    election,
                    lst,
                    candidacy,
                    person,
                    person.name,
                    form.text.data or "",
                    clock().now(),
                    clock().today(),
                )
            except ObjectionRefused as refused:
                db().rollback()
                flash(_objection_refusal(refused), "error")
            else:
                db().commit()
                flash(
                    _(
                        "Your objection has been received. The election committee decides on it and tells you "
                        "its reasons."
                    ),
                    "success",
                )
                return redirect(url_for("lists.published", election_id=election.id))
    return render_template("lists/published.html", election=election, doc=context, form=form, objections_open=True), 400


def _objection_refusal(refused: ObjectionRefused) -> str:
    if refused.code == "late" and refused.deadline:
        return _("The period for objections against the lists ended on %(date)s.", date=refused.deadline.isoformat())
    if refused.code == "empty":
        return _("Describe your objection.")
    if refused.code == "unknown_list":
        return _("Choose a published list or candidate.")
    return _("Objections against the lists can no longer be filed.")
