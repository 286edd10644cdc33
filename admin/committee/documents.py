"""The committee's documents of one election, each as a page and as a PDF.

The announcement and the union invitations are generated from the current election data every
time. The register extract and an objection decision hold personal data, so only chair, member and
secretary open them, and each PDF of a register extract is recorded in the audit log (an export).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, render_template, send_file, url_for
from flask_babel import get_locale

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.database import db
from admin.security import committee_role, load_member
from election import audit_log
from election.announcement import announcement_context, union_invitation_context
from election.documents import render_html, render_pdf
from election.models import RegisterObjection, RegisterPerson, TradeUnion
from election.register_documents import objection_decision_context, register_extract_context

_BASE = "/elections/<int:election_id>/documents"


def _locale() -> str:
    return str(get_locale() or "nl")


def _contact() -> str | None:
    return current_app.config.get("MAIL_FROM")


def page_or_pdf(kind: str, context: Any, as_pdf: bool, filename: str, *, back_url: str, pdf_url: str) -> Any:
    """One committee document from one context: a page with a back and a PDF link, or the PDF as a download.

    Every committee screen that offers a document (this one, the lists, the result) answers through
    here, so the page and its PDF always show the same text in the user's language.
    """
    locale = _locale()
    if as_pdf:
        pdf = render_pdf(kind, context, locale)
        return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=filename)
    return render_html(kind, context, locale, back_url=back_url, pdf_url=pdf_url)


def _document(kind: str, context: Any, as_pdf: bool, endpoint: str, filename: str, **ids: Any) -> Any:
    """A document of this screen, with the way back to the election's list of documents."""
    return page_or_pdf(
        kind,
        context,
        as_pdf,
        filename,
        back_url=url_for("committee.documents", election_id=ids["election_id"]),
        pdf_url=url_for(endpoint, as_pdf=True, **ids),
    )


@bp.route(_BASE)
@committee_role(*VIEWERS)
def documents(election_id: int) -> Any:
    """The documents of this election, with links to each page and PDF."""
    election = election_or_404(election_id)
    return render_template("committee/documents.html", election=election)


@bp.route(f"{_BASE}/announcement", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/announcement.pdf", defaults={"as_pdf": True})
@committee_role(*VIEWERS)
def document_announcement(election_id: int, as_pdf: bool) -> Any:
    """The announcement (bekendmaking) to staff and employer."""
    election = election_or_404(election_id)
    context = announcement_context(db(), election, contact=_contact())
    return _document(
        "announcement",
        context,
        as_pdf,
        "committee.document_announcement",
        f"announcement-{election.id}.pdf",
        election_id=election.id,
    )


@bp.route(f"{_BASE}/union-invitation/<int:union_id>", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/union-invitation/<int:union_id>.pdf", defaults={"as_pdf": True})
@committee_role(*VIEWERS)
def document_union_invitation(election_id: int, union_id: int, as_pdf: bool) -> Any:
    """The invitation letter to one union (WOR art. 9 lid 2 sub a)."""
    election = election_or_404(election_id)
    union = db().get(TradeUnion, union_id)
    if union is None or union.election_id != election.id:
        abort(404)
    context = union_invitation_context(announcement_context(db(), election, contact=_contact()), union)
    return _document(
        "union_invitation",
        context,
        as_pdf,
        "committee.document_union_invitation",
        f"union-invitation-{election.id}-{union.id}.pdf",
        election_id=election.id,
        union_id=union.id,
    )


@bp.route(f"{_BASE}/register-extract/<int:person_id>", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/register-extract/<int:person_id>.pdf", defaults={"as_pdf": True})
@committee_role(*EDITORS)
def document_register_extract(election_id: int, person_id: int, as_pdf: bool) -> Any:
    """One employee's own register entry, to hand or send to that employee."""
    election = election_or_404(election_id)
    person = db().get(RegisterPerson, person_id)
    if person is None or person.election_id != election.id:
        abort(404)
    context = register_extract_context(
        db(), election, person, today=current_app.config["CLOCK"].today(), contact=_contact()
    )
    if as_pdf:
        member = load_member()
        assert member is not None
        audit_log.record(db(), member.email, "register_extract_exported", election.id, person_id=person.id)
        db().commit()
    return _document(
        "register_extract",
        context,
        as_pdf,
        "committee.document_register_extract",
        f"register-extract-{election.id}-{person.id}.pdf",
        election_id=election.id,
        person_id=person.id,
    )


@bp.route(f"{_BASE}/objection-decision/<int:objection_id>", defaults={"as_pdf": False})
@bp.route(f"{_BASE}/objection-decision/<int:objection_id>.pdf", defaults={"as_pdf": True})
@committee_role(*EDITORS)
def document_objection_decision(election_id: int, objection_id: int, as_pdf: bool) -> Any:
    """The committee's decision on one register objection, with its reasons."""
    election = election_or_404(election_id)
    objection = db().get(RegisterObjection, objection_id)
    if objection is None or objection.election_id != election.id or objection.decision is None:
        abort(404)
    context = objection_decision_context(db(), election, objection)
    return _document(
        "objection_decision",
        context,
        as_pdf,
        "committee.document_objection_decision",
        f"objection-decision-{election.id}-{objection.id}.pdf",
        election_id=election.id,
        objection_id=objection.id,
    )
