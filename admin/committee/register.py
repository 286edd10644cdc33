"""The electoral register for the committee: totals, search, self-check links and objections.

Auditors see counts only; chair, member and secretary search people, issue links and decide
objections. No page lists every name (domain 8.7).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from admin.committee import bp
from admin.committee import register_upload as _upload  # noqa: F401  (the import flow's views)
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.register_forms import ActionForm, DecisionForm, LinksForm
from admin.database import db
from admin.register_text import reason_texts
from admin.security import committee_role, load_member
from election import register_links, register_objections, register_store
from election import register_overview as overview
from election.models import CommitteeMember, RegisterObjection

_BASE = "/elections/<int:election_id>/register"


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _self_check_base() -> str:
    return url_for("self_service.self_check", _external=True)


@bp.route(_BASE)
@committee_role(*VIEWERS)
def register_overview(election_id: int) -> Any:
    """Totals per electoral group, open objections and the state of the import."""
    election = election_or_404(election_id)
    member = _member()
    return render_template(
        "committee/register/overview.html",
        election=election,
        totals=overview.group_totals(db(), election),
        size=overview.register_size(db(), election.id),
        open_objections=register_objections.open_objections(db(), election.id),
        deadline=register_objections.objection_deadline(election),
        can_edit=member.role_enum in EDITORS,
        can_import=register_store.register_open(election),
        batches=register_store.open_batches(db(), election.id),
        search_form=ActionForm(),
        links_form=LinksForm(),
    )


@bp.route(f"{_BASE}/search", methods=["POST"])
@committee_role(*EDITORS)
def register_search(election_id: int) -> Any:
    """Find people by employee number or part of the name (POST: names stay out of URLs and logs)."""
    election = election_or_404(election_id)
    form = ActionForm()
    query = (request.form.get("q") or "").strip()[:100] if form.validate_on_submit() else ""
    people = overview.search_people(db(), election.id, query)
    groups = {g.id: g.name for g in election.groups}
    limit = overview.SEARCH_LIMIT
    return render_template(
        "committee/register/search.html",
        election=election,
        query=query,
        form=form,
        people=people[:limit],
        more=len(people) > limit,
        groups=groups,
        reason_texts=reason_texts,
        min_query=overview.MIN_QUERY,
    )


@bp.route(f"{_BASE}/links", methods=["POST"])
@committee_role(*EDITORS)
def register_links_export(election_id: int) -> Any:
    """A CSV for HR with each person's personal self-check link (audit-logged; links shown once)."""
    election = election_or_404(election_id)
    form = LinksForm()
    if not form.validate_on_submit():
        return redirect(url_for("committee.register_overview", election_id=election_id))
    links = register_links.issue_links(
        db(), election.id, _member().email, current_app.config["CLOCK"].now(), reissue=bool(form.reissue.data)
    )
    db().commit()
    header = [_("Employee number"), _("Name"), _("E-mail address"), _("Personal link")]
    body = register_links.links_csv(links, _self_check_base(), header)
    name = f"self-check-links-{election.id}-{current_app.config['CLOCK'].today().isoformat()}.csv"
    return Response(
        "\ufeff" + body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route(f"{_BASE}/people/<int:person_id>/link", methods=["POST"])
@committee_role(*EDITORS)
def register_person_link(election_id: int, person_id: int) -> Any:
    """Issue one person a new personal link (the old one stops working) and show it once."""
    election = election_or_404(election_id)
    person = overview.person_in(db(), election.id, person_id)
    if person is None or not ActionForm().validate_on_submit():
        abort(404)
    [link] = register_links.issue_links(
        db(), election.id, _member().email, current_app.config["CLOCK"].now(), person_ids=[person.id]
    )
    db().commit()
    return render_template(
        "committee/register/link.html",
        election=election,
        person=person,
        url=register_links.self_check_url(_self_check_base(), link.token),
    )


@bp.route(f"{_BASE}/objections")
@committee_role(*EDITORS)
def register_objection_list(election_id: int) -> Any:
    """Every objection against the register: undecided first."""
    election = election_or_404(election_id)
    return render_template(
        "committee/register/objections.html",
        election=election,
        objections=register_objections.objections_of(db(), election.id),
        deadline=register_objections.objection_deadline(election),
    )


def _objection_or_404(election_id: int, objection_id: int) -> RegisterObjection:
    objection = db().get(RegisterObjection, objection_id)
    if objection is None or objection.election_id != election_id:
        abort(404)
    return objection


@bp.route(f"{_BASE}/objections/<int:objection_id>", methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_objection_decide(election_id: int, objection_id: int) -> Any:
    """Decide an objection with reasons; upholding it corrects the person's entry."""
    election = election_or_404(election_id)
    objection = _objection_or_404(election_id, objection_id)
    person = overview.person_in(db(), election_id, objection.person_id or 0)
    form = DecisionForm(obj=person, group=(person.electoral_group_id or 0) if person else 0)
    groups = [SelectChoice(g.id, g.name) for g in election.groups]
    form.group.choices = [SelectChoice(0, _("(no electoral group)")), *groups]
    if objection.decision is None and form.validate_on_submit():
        correction = register_objections.Correction(
            bool(form.active.data), bool(form.passive.data), form.group.data or None
        )
        try:
            register_objections.decide_objection(
                db(),
                objection,
                _member().email,
                form.decision.data == "upheld",
                form.reasons.data or "",
                current_app.config["CLOCK"].now(),
                _member().id,
                correction,
            )
        except register_objections.AlreadyDecided:
            db().rollback()
            flash(_("Another committee member has already decided this objection."), "error")
        else:
            db().commit()
            flash(_("The decision has been recorded."), "success")
        return redirect(url_for("committee.register_objection_list", election_id=election_id))
    return render_template(
        "committee/register/objection.html",
        election=election,
        objection=objection,
        person=person,
        form=form,
        reason_texts=reason_texts,
    )
