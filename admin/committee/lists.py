"""The committee's candidate lists: union links, paper lists, checks, repair, decisions, objections, ballots.

Chair, member and secretary act; auditors read every list, decision and ballot preview.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from admin.committee import bp
from admin.committee.documents import page_or_pdf
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.forms import ObjectionDecisionForm
from admin.database import db
from admin.lists.forms import UnionDeclaration
from admin.lists.submit import link_for
from admin.lists.text import file_text, refusal_text, review_text
from admin.security import committee_role, load_member
from election import list_files, list_publication, list_repair, list_review, list_store
from election.list_rules import UNION_CONDITIONS
from election.models import (
    Candidacy,
    CandidateList,
    CommitteeMember,
    ListDecision,
    ListFile,
    ListObjection,
    RegisterPerson,
)

_BASE = "/elections/<int:election_id>/lists"


class ActionForm(FlaskForm):
    """A button that needs only the CSRF token."""


class PaperListForm(FlaskForm, UnionDeclaration):
    """A union list received on paper, entered by the committee with its scan."""

    union = SelectField(_l("Union"), coerce=int)
    group = SelectField(_l("Electoral group"), coerce=int)
    name = StringField(_l("Name of the list"), validators=[Optional(), Length(max=200)])
    candidates = TextAreaField(
        _l("Candidates in list order: one employee number per line"), validators=[DataRequired(), Length(max=20000)]
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    scan = FileField(_l("Scan of the paper list (PDF, PNG or JPEG, at most 5 MB)"))


class TakeOffForm(FlaskForm):
    """A candidate taken off a paper list at its submitter's written request."""

    candidacy = IntegerField(_l("Candidate to take off the list"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason, with the submitter's written request"), validators=[DataRequired(), Length(max=1000)]
    )


class ConsentScanForm(FlaskForm):
    """A signed consent form the committee received."""

    scan = FileField(_l("Scan of the signed consent form (optional)"))


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _list_or_404(election_id: int, list_id: int) -> CandidateList:
    lst = db().get(CandidateList, list_id)
    if lst is None or lst.election_id != election_id:
        abort(404)
    return lst


@bp.route(_BASE)
@committee_role(*VIEWERS)
def lists_overview(election_id: int) -> Any:
    """Every list per group with its status and current defects; publication problems."""
    election = election_or_404(election_id)
    lists = list_review.lists_of(db(), election.id)
    today = _clock().today()
    return render_template(
        "committee/lists/overview.html",
        election=election,
        lists=lists,
        defects={lst.id: list_review.defects_of(db(), election, lst) for lst in lists if lst.status != "invalid"},
        problems=list_publication.publication_problems(db(), election, today),
        open_objections=list_publication.open_objections(db(), election.id),
        needing=[g.id for g in list_publication.groups_needing_a_vote(db(), election)],
        can_edit=_member().role_enum in EDITORS,
        form=ActionForm(),
    )


@bp.route(f"{_BASE}/union-links", methods=["POST"])
@committee_role(*EDITORS)
def lists_union_links(election_id: int) -> Any:
    """Give every invited union a new submission link: mailed when it has an address, shown once here."""
    election = election_or_404(election_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    issued = list_store.union_links(db(), election, _member().email, _clock().now())
    shown = [(u, link_for("union", token)) for u, token in issued]
    for union, url in shown:
        if union.email:
            _mail_union_link(election, union, url)
    db().commit()
    return render_template("committee/lists/links.html", election=election, links=shown)


def _mail_union_link(election: Any, union: Any, url: str) -> None:
    from election.announcement import queue_union_link_mail

    queue_union_link_mail(db(), election, union, url)


@bp.route(f"{_BASE}/paper", methods=["GET", "POST"])
@committee_role(*EDITORS)
def lists_paper(election_id: int) -> Any:
    """Enter a union list received on paper, with its scan attached."""
    election = election_or_404(election_id)
    form = PaperListForm()
    form.union.choices = [SelectChoice(u.id, u.name) for u in election.unions]
    form.group.choices = [SelectChoice(g.id, g.name) for g in election.groups]
    if form.validate_on_submit():
        union = next((u for u in election.unions if u.id == form.union.data), None)
        try:
            upload = request.files.get("scan")
            if upload is None or not upload.filename:
                raise list_files.FileRefused("missing")
            scan = list_files.check_scan(list_files.read_limited(upload.stream, list_files.SCAN_MAX_BYTES))
            if union is None:
                raise list_store.SubmissionRefused("unknown_union")
            submission = list_store.Submission(
                form.group.data,
                form.name.data or union.name,
                tuple(list_store.parse_numbers(form.candidates.data or "")),
            )
            lst = list_store.submit_union_list(
                db(),
                election,
                union,
                submission,
                [c for c in UNION_CONDITIONS if getattr(form, c).data],
                _clock().now(),
                _clock().today(),
                actor=_member().email,
                paper=scan,
                received_on=form.received_on.data,
                entered_by=_member().id,
            )
            list_store.send_personal_links(db(), election, lst, _clock().now(), link_for)
        except list_files.FileRefused as refused:
            db().rollback()
            form.scan.errors = [file_text(refused)]
        except list_store.SubmissionRefused as refused:
            db().rollback()
            flash(refusal_text(refused.code, refused.params), "error")
        else:
            db().commit()
            flash(_("The paper list has been entered with its scan."), "success")
            return redirect(url_for("committee.lists_detail", election_id=election.id, list_id=lst.id))
    return render_template("committee/lists/paper.html", election=election, form=form, conditions=UNION_CONDITIONS)


@bp.route(f"{_BASE}/<int:list_id>")
@committee_role(*VIEWERS)
def lists_detail(election_id: int, list_id: int) -> Any:
    """One list: candidates, consent, defects, notices, decisions and files."""
    election = election_or_404(election_id)
    lst = _list_or_404(election.id, list_id)
    people = {
        p.id: p
        for p in db().scalars(
            select(RegisterPerson).where(
                RegisterPerson.id.in_([c.person_id for c in lst.candidates] + [s.person_id for s in lst.supporters])
            )
        )
    }
    files = list(db().scalars(select(ListFile).where(ListFile.list_id == lst.id).order_by(ListFile.id)))
    decisions = list(db().scalars(select(ListDecision).where(ListDecision.list_id == lst.id).order_by(ListDecision.id)))
    return render_template(
        "committee/lists/detail.html",
        election=election,
        lst=lst,
        people=people,
        files=[f for f in files if f.kind != "photo"],
        decisions=decisions,
        defects=list_review.defects_of(db(), election, lst) if lst.status != "invalid" else (),
        notice=list_review.latest_notice(db(), lst),
        can_edit=_member().role_enum in EDITORS,
        form=ActionForm(),
        consent_form=ConsentScanForm(),
        change=list_repair.window_of(db(), election, lst, _clock().today()),
        take_off_form=TakeOffForm(formdata=None),
    )


@bp.route(f"{_BASE}/<int:list_id>/take-off", methods=["POST"])
@committee_role(*EDITORS)
def lists_take_off(election_id: int, list_id: int) -> Any:
    """Take a candidate off a paper list at the submitter's written request (before the deadline or in repair)."""
    election = election_or_404(election_id)
    lst = _list_or_404(election.id, list_id)
    form = TakeOffForm()
    candidacy = db().get(Candidacy, form.candidacy.data or 0)
    if not form.validate_on_submit() or candidacy is None or candidacy.list_id != lst.id:
        flash(_("Choose a candidate of this list and give the reason."), "error")
        return redirect(url_for("committee.lists_detail", election_id=election.id, list_id=lst.id))
    try:
        list_repair.take_off(
            db(),
            election,
            candidacy,
            form.reason.data or "",
            _member().email,
            _clock().now(),
            _clock().today(),
            by_committee=True,
        )
    except list_review.ReviewRefused as refused:
        db().rollback()
        flash(review_text(refused.code, refused.params), "error")
    else:
        db().commit()
        flash(_("The candidate has been taken off the list; those below moved up."), "success")
    return redirect(url_for("committee.lists_detail", election_id=election.id, list_id=lst.id))


def _review(election_id: int, list_id: int, action: str) -> Any:
    election = election_or_404(election_id)
    lst = _list_or_404(election.id, list_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if action == "notice":
            list_review.send_defect_notice(db(), election, lst, _member().email, _clock().now(), _clock().today())
            message = _("The defect notice has been sent; the repair window runs.")
        else:
            status = list_review.decide_list(db(), election, lst, _member().email, _clock().now(), _clock().today())
            message = _("The list is valid.") if status == "valid" else _("The list is invalid.")
    except list_review.ReviewRefused as refused:
        db().rollback()
        flash(review_text(refused.code, refused.params), "error")
    else:
        db().commit()
        flash(message, "success")
    return redirect(url_for("committee.lists_detail", election_id=election.id, list_id=lst.id))


@bp.route(f"{_BASE}/<int:list_id>/notice", methods=["POST"])
@committee_role(*EDITORS)
def lists_notice(election_id: int, list_id: int) -> Any:
    """Send the submitter a defect notice (e-mail with PDF) and open the repair window."""
    return _review(election_id, list_id, "notice")


@bp.route(f"{_BASE}/<int:list_id>/decide", methods=["POST"])
@committee_role(*EDITORS)
def lists_decide(election_id: int, list_id: int) -> Any:
    """Judge the list: valid, or after the repair window strike and move up, or invalid."""
    return _review(election_id, list_id, "decide")


@bp.route(f"{_BASE}/<int:list_id>/notice/<int:notice_id>", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/<int:list_id>/notice/<int:notice_id>.pdf", defaults={"as_pdf": True})
@committee_role(*VIEWERS)
def lists_notice_document(election_id: int, list_id: int, notice_id: int, as_pdf: bool) -> Any:
    """A defect notice as a page or a PDF (to post when the submitter has no e-mail address)."""
    election = election_or_404(election_id)
    lst = _list_or_404(election.id, list_id)
    notice = db().get(ListDecision, notice_id)
    if notice is None or notice.list_id != lst.id or notice.kind != "defect_notice":
        abort(404)
    context = list_review.notice_context(db(), election, lst, notice)
    return page_or_pdf(
        "defect_notice",
        context,
        as_pdf,
        f"defect-notice-{context.reference}.pdf",
        back_url=url_for("committee.lists_detail", election_id=election.id, list_id=lst.id),
        pdf_url=url_for(
            "committee.lists_notice_document", election_id=election.id, list_id=lst.id, notice_id=notice.id, as_pdf=True
        ),
    )


@bp.route(f"{_BASE}/<int:list_id>/files/<int:file_id>")
@committee_role(*EDITORS)
def lists_file(election_id: int, list_id: int, file_id: int) -> Any:
    """A stored scan (paper list or consent form)."""
    lst = _list_or_404(election_id, list_id)
    row = db().get(ListFile, file_id)
    if row is None or row.list_id != lst.id:
        abort(404)
    extension = {"application/pdf": "pdf", "image/png": "png"}.get(row.content_type, "jpg")
    return send_file(
        BytesIO(row.content),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=f"{row.kind}-{lst.id}-{row.id}.{extension}",
    )


@bp.route(f"{_BASE}/<int:list_id>/consent/<int:candidacy_id>", methods=["POST"])
@committee_role(*EDITORS)
def lists_consent_form(election_id: int, list_id: int, candidacy_id: int) -> Any:
    """Record a signed consent form the committee received for a candidate."""
    election = election_or_404(election_id)
    lst = _list_or_404(election.id, list_id)
    candidacy = db().get(Candidacy, candidacy_id)
    form = ConsentScanForm()
    if candidacy is None or candidacy.list_id != lst.id or not form.validate_on_submit():
        abort(404)
    try:
        upload = request.files.get("scan")
        scan = None
        if upload is not None and upload.filename:
            scan = list_files.check_scan(list_files.read_limited(upload.stream, list_files.SCAN_MAX_BYTES))
        list_store.record_consent_form(db(), candidacy, _member().id, _member().email, _clock().now(), scan)
    except list_files.FileRefused as refused:
        db().rollback()
        flash(file_text(refused), "error")
    except list_store.SubmissionRefused as refused:
        db().rollback()
        flash(refusal_text(refused.code, refused.params), "error")
    else:
        db().commit()
        flash(_("The signed consent form has been recorded."), "success")
    return redirect(url_for("committee.lists_detail", election_id=election.id, list_id=lst.id))


@bp.route(f"{_BASE}/decisions")
@committee_role(*VIEWERS)
def lists_decisions(election_id: int) -> Any:
    """Every decision on the lists with its reasons, in order (what an auditor reads)."""
    election = election_or_404(election_id)
    lists = {lst.id: lst for lst in list_review.lists_of(db(), election.id)}
    candidacies = {c.id: c for lst in lists.values() for c in lst.candidates}
    names = dict(
        db()
        .execute(
            select(RegisterPerson.id, RegisterPerson.name).where(
                RegisterPerson.id.in_([c.person_id for c in candidacies.values()])
            )
        )
        .all()
    )
    return render_template(
        "committee/lists/decisions.html",
        election=election,
        decisions=list_review.decisions_of(db(), election.id),
        lists=lists,
        candidate_name=lambda cid: names.get(candidacies[cid].person_id, "") if cid in candidacies else "",
    )


@bp.route(f"{_BASE}/objections")
@committee_role(*VIEWERS)
def lists_objections(election_id: int) -> Any:
    """Objections against the published lists, undecided first."""
    election = election_or_404(election_id)
    return render_template(
        "committee/lists/objections.html",
        election=election,
        objections=list_publication.objections_of(db(), election.id),
        lists={lst.id: lst for lst in list_review.lists_of(db(), election.id)},
        can_edit=_member().role_enum in EDITORS,
        form=ObjectionDecisionForm(formdata=None),
    )


@bp.route(f"{_BASE}/objections/<int:objection_id>", methods=["POST"])
@committee_role(*EDITORS)
def lists_objection_decide(election_id: int, objection_id: int) -> Any:
    """Decide an objection with reasons: upheld strikes the candidate or invalidates the list."""
    election = election_or_404(election_id)
    objection = db().get(ListObjection, objection_id)
    if objection is None or objection.election_id != election.id:
        abort(404)
    form = ObjectionDecisionForm()
    if form.validate_on_submit():
        try:
            list_publication.decide_objection(
                db(),
                objection,
                form.decision.data == "upheld",
                form.reasons.data or "",
                _member().email,
                _member().id,
                _clock().now(),
            )
        except list_publication.ObjectionRefused:
            db().rollback()
            flash(_("This objection has already been decided."), "error")
        else:
            db().commit()
            flash(_("The decision has been recorded."), "success")
    else:
        flash(_("Choose a decision and give its reasons."), "error")
    return redirect(url_for("committee.lists_objections", election_id=election.id))


@bp.route(f"{_BASE}/ballot/<int:group_id>")
@committee_role(*VIEWERS)
def lists_ballot(election_id: int, group_id: int) -> Any:
    """The ballot of one electoral group exactly as voters will see it."""
    election = election_or_404(election_id)
    layout = list_publication.ballot_preview(db(), election, group_id)
    if layout is None:
        abort(404)
    return render_template("committee/lists/ballot.html", election=election, ballot=layout)
