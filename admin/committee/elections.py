"""Election set-up screens: create and edit an election, its groups, unions and regulation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from admin.committee import bp
from admin.committee.forms import ElectionForm, GroupForm, RegulationForm, UnionForm
from admin.database import db
from admin.security import committee_role, load_member
from election import list_links, setup_store
from election.models import Election
from election.models.committee import ELECTION_POWERS, Role
from election.procedure_store import regulation_of
from election.seat_count import SeatCountError, statutory_seats

EDITORS = tuple(ELECTION_POWERS)
VIEWERS = (*EDITORS, Role.AUDITOR)


def election_or_404(election_id: int) -> Election:
    """The election named in the URL, or a 404 page."""
    election = db().get(Election, election_id)
    if election is None:
        abort(404)
    return election


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def _save(action: Any, form: Any, success: str) -> bool:
    """Run a set-up change; put a refusal on the form field it concerns. True when saved."""
    try:
        action()
    except setup_store.SetupInvalid as error:
        db().rollback()
        target = getattr(form, error.field, None)
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            flash(error.message, "error")
        return False
    except setup_store.SetupLocked:
        db().rollback()
        flash(_("The election has been announced: its set-up can no longer change."), "error")
        return False
    db().commit()
    flash(success, "success")
    return True


@bp.route("/elections/new", methods=["GET", "POST"])
@committee_role(*EDITORS)
def new_election() -> Any:
    """Create an election from the organisation's basic facts."""
    form = ElectionForm()
    if form.validate_on_submit():
        created: list[Election] = []

        def create() -> None:
            created.append(setup_store.create_election(db(), _actor(), form.data))
            list_links.set_link_group(db(), _actor(), created[0], form.link_group.data)

        if _save(create, form, _("The election has been created.")):
            return redirect(url_for("committee.election_overview", election_id=created[0].id))
    return render_template(
        "committee/election_form.html", form=form, election=None, statutory=_statutory(form), linked=[]
    )


@bp.route("/elections/<int:election_id>/edit", methods=["GET", "POST"])
@committee_role(*EDITORS)
def edit_election(election_id: int) -> Any:
    """Change the set-up while the election is in preparation."""
    election = election_or_404(election_id)
    form = ElectionForm(obj=election)

    def update() -> None:
        setup_store.update_election(db(), _actor(), election, form.data)
        list_links.set_link_group(db(), _actor(), election, form.link_group.data)

    if form.validate_on_submit() and _save(update, form, _("The set-up has been saved.")):
        return redirect(url_for("committee.election_overview", election_id=election.id))
    return render_template(
        "committee/election_form.html",
        form=form,
        election=election,
        statutory=_statutory(form),
        linked=[list_links.election_label(e) for e in list_links.linked_elections(db(), election)],
    )


def _statutory(form: ElectionForm) -> int | None:
    try:
        return statutory_seats(form.headcount.data) if form.headcount.data else None
    except SeatCountError:
        return None


@bp.route("/elections/<int:election_id>/groups", methods=["GET", "POST"])
@committee_role(*VIEWERS)
def election_groups(election_id: int) -> Any:
    """The electoral groups (kiesgroepen) with their seats, and a form to add one."""
    election = election_or_404(election_id)
    form = GroupForm()
    if (
        form.validate_on_submit()
        and _can_edit()
        and _save(
            lambda: setup_store.add_group(
                db(),
                _actor(),
                election,
                form.name.data,
                form.seats.data,
                form.earmarked_seats.data or 0,
                form.earmark_unit_field.data or None,
                form.earmark_unit_value.data,
            ),
            form,
            _("The electoral group has been added."),
        )
    ):
        return redirect(url_for("committee.election_groups", election_id=election.id))
    return render_template("committee/groups.html", election=election, form=form)


@bp.route("/elections/<int:election_id>/groups/<int:group_id>/remove", methods=["POST"])
@committee_role(*EDITORS)
def remove_group(election_id: int, group_id: int) -> Any:
    """Remove an electoral group."""
    election = election_or_404(election_id)
    form = GroupForm()
    _save(lambda: setup_store.remove_group(db(), _actor(), election, group_id), form, _("The group has been removed."))
    return redirect(url_for("committee.election_groups", election_id=election.id))


@bp.route("/elections/<int:election_id>/unions", methods=["GET", "POST"])
@committee_role(*VIEWERS)
def election_unions(election_id: int) -> Any:
    """The unions that will be invited to submit lists, and a form to add one."""
    election = election_or_404(election_id)
    form = UnionForm()
    if (
        form.validate_on_submit()
        and _can_edit()
        and _save(
            lambda: setup_store.add_union(
                db(), _actor(), election, form.name.data, form.email.data, form.postal_address.data
            ),
            form,
            _("The union has been added."),
        )
    ):
        return redirect(url_for("committee.election_unions", election_id=election.id))
    return render_template("committee/unions.html", election=election, form=form)


@bp.route("/elections/<int:election_id>/unions/<int:union_id>/remove", methods=["POST"])
@committee_role(*EDITORS)
def remove_union(election_id: int, union_id: int) -> Any:
    """Remove a union from the invitation list."""
    election = election_or_404(election_id)
    form = UnionForm()
    _save(lambda: setup_store.remove_union(db(), _actor(), election, union_id), form, _("The union has been removed."))
    return redirect(url_for("committee.election_unions", election_id=election.id))


@bp.route("/elections/<int:election_id>/regulation", methods=["GET", "POST"])
@committee_role(*VIEWERS)
def election_regulation(election_id: int) -> Any:
    """The regulation profile: every term and method the software applies."""
    election = election_or_404(election_id)
    regulation = regulation_of(election)
    profile = regulation.to_dict()
    for key in ("art64_included", "art64_excluded"):
        profile[key] = "\n".join(profile[key])
    form = RegulationForm(data=profile)
    if form.validate_on_submit() and _can_edit():
        changes = {k: v for k, v in form.data.items() if k != "csrf_token"}
        if _save(
            lambda: setup_store.update_regulation(db(), _actor(), election, changes),
            form,
            _("The regulation profile has been saved."),
        ):
            return redirect(url_for("committee.election_regulation", election_id=election.id))
    return render_template("committee/regulation.html", election=election, form=form, regulation=regulation)


def _can_edit() -> bool:
    member = load_member()
    if member is None or member.role_enum not in ELECTION_POWERS:
        abort(403)
    return True
