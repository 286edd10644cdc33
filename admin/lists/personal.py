"""A candidate's consent and a co-submitter's confirmation, each through their own personal link."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _

from admin.database import db
from admin.extensions import limiter
from admin.lists import bp
from admin.lists.forms import ConsentForm, SupportForm, TokenForm
from admin.lists.submit import ATTEMPTS, clock, invalid_link
from admin.lists.text import file_text, refusal_text
from election import list_files, list_store
from election.models import Candidacy, Election, ElectoralGroup, ListSupporter, RegisterPerson


def _candidacy(token: str) -> Candidacy | None:
    row = list_store.token_row(db(), token, "consent")
    return db().get(Candidacy, row.candidacy_id) if row and row.candidacy_id else None


def _consent_page(candidacy: Candidacy, token: str, form: ConsentForm | None = None) -> Any:
    lst = candidacy.list
    return render_template(
        "lists/consent.html",
        candidacy=candidacy,
        person=db().get(RegisterPerson, candidacy.person_id),
        lst=lst,
        group=db().get(ElectoralGroup, lst.electoral_group_id),
        election=db().get(Election, lst.election_id),
        form=form or ConsentForm(formdata=None, token=token),
    )


@bp.route("/consent", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def consent() -> Any:
    """The candidate's page: agree or decline, and an optional short profile."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("lists/token.html", form=form, title=_("Your candidacy"))
    token = (form.token.data or "").strip()
    candidacy = _candidacy(token)
    return invalid_link(_("Your candidacy")) if candidacy is None else _consent_page(candidacy, token)


@bp.route("/consent/answer", methods=["POST"])
@limiter.limit(ATTEMPTS)
def consent_answer() -> Any:
    """Record the candidate's answer; a refused photo or profile stores nothing at all."""
    form = ConsentForm()
    candidacy = _candidacy(form.token.data or "")
    if candidacy is None:
        return invalid_link(_("Your candidacy"))
    if form.validate_on_submit():
        try:
            upload = request.files.get("photo")
            photo = None
            if upload is not None and upload.filename:
                photo = list_files.check_photo(list_files.read_limited(upload.stream, list_files.PHOTO_MAX_BYTES))
            list_store.give_consent(
                db(),
                candidacy,
                form.answer.data == "agree",
                clock().now(),
                profile_nl=form.profile_nl.data or "",
                profile_en=form.profile_en.data or "",
                photo=photo,
            )
        except list_files.FileRefused as refused:
            db().rollback()
            form.photo.errors = [file_text(refused)]
        except list_store.SubmissionRefused as refused:
            db().rollback()
            flash(refusal_text(refused.code, refused.params), "error")
        else:
            db().commit()
            flash(
                _("Thank you: you agreed to stand as a candidate.")
                if form.answer.data == "agree"
                else _("Thank you: you declined; you are no longer on the list."),
                "success",
            )
    return _consent_page(candidacy, form.token.data or "", form)


def _supporter(token: str) -> ListSupporter | None:
    row = list_store.token_row(db(), token, "support")
    return db().get(ListSupporter, row.supporter_id) if row and row.supporter_id else None


def _support_page(supporter: ListSupporter, token: str, form: SupportForm | None = None) -> Any:
    lst = supporter.list
    return render_template(
        "lists/support.html",
        supporter=supporter,
        lst=lst,
        election=db().get(Election, lst.election_id),
        form=form or SupportForm(formdata=None, token=token),
    )


@bp.route("/support", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def support() -> Any:
    """The co-submitter's page."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("lists/token.html", form=form, title=_("Co-submit a free list"))
    token = (form.token.data or "").strip()
    supporter = _supporter(token)
    return invalid_link(_("Co-submit a free list")) if supporter is None else _support_page(supporter, token)


@bp.route("/support/answer", methods=["POST"])
@limiter.limit(ATTEMPTS)
def support_answer() -> Any:
    """Record the co-submitter's answer and declaration."""
    form = SupportForm()
    supporter = _supporter(form.token.data or "")
    if supporter is None:
        return invalid_link(_("Co-submit a free list"))
    if form.validate_on_submit():
        agree = form.answer.data == "agree"
        try:
            list_store.confirm_support(db(), supporter, agree, bool(form.non_member.data), clock().now())
        except list_store.SubmissionRefused as refused:
            db().rollback()
            flash(refusal_text(refused.code, refused.params), "error")
        else:
            db().commit()
            flash(_("Thank you: your answer has been recorded."), "success")
            if not agree:
                return render_template(
                    "lists/token.html", form=TokenForm(formdata=None), title=_("Co-submit a free list")
                )
    return _support_page(supporter, form.token.data or "", form)
