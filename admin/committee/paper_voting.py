"""Hybrid voting for the committee: marking voters who voted on paper, and the paper count per group.

The rules live in :mod:`election.paper_marks` and :mod:`election.paper_count`. Names are searched by
POST so they stay out of URLs and logs; auditors see the figures only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.database import db
from admin.paper_text import paper_refusal
from admin.security import committee_role, load_member
from crypto import record as rc
from election import paper_count as pc
from election import paper_marks as pm
from election.count_board import parse_manifest
from election.models import CommitteeMember, Election
from election.models.committee import COMMITTEE_VOTERS
from election.models.paper import PaperCount
from election.voting_codes import identity_of, manifest_of

_BASE = "/elections/<int:election_id>/paper"
MAX_FIGURE = 10_000_000


class ActionForm(FlaskForm):
    """A button that needs a CSRF token."""


class ConfirmForm(FlaskForm):
    """The second member's confirmation of exactly the figures shown."""

    digest = HiddenField()


class PaperCountForm(FlaskForm):
    """One group's paper count; a field per candidate is added by :func:`_count_form`."""

    ballots = IntegerField(_l("Paper ballots found"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)])
    blank = IntegerField(_l("Blank ballots"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)])
    invalid = IntegerField(_l("Invalid ballots"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)])


@dataclass
class GroupPaper:
    """What the count page shows of one electoral group."""

    key: str
    db_id: int
    name: str
    marked: int
    row: PaperCount | None
    form: PaperCountForm
    candidates: list[str]  # the names of the form's candidate fields, in ballot order
    counts: list[int] | None  # the entered votes per option, blank last


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _now() -> Any:
    return current_app.config["CLOCK"].now()


def _candidate_labels(grp: rc.Group) -> list[str]:
    if grp.system == "list":
        return [f"{c.name} ({lst.name})" for lst in grp.lists for c in lst.candidates]
    return [c.name for c in grp.candidates]


def _count_form(grp: rc.Group, db_id: int, row: PaperCount | None, formdata: Any = None) -> PaperCountForm:
    class GroupCountForm(PaperCountForm):
        pass

    for i, label in enumerate(_candidate_labels(grp)):
        field = IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)])
        setattr(GroupCountForm, f"option_{i}", field)
    form = GroupCountForm(formdata=formdata, prefix=f"g{db_id}")
    if formdata is None and row is not None:
        counts = json.loads(row.counts)
        form.ballots.data, form.blank.data, form.invalid.data = row.ballots, counts[-1], row.invalid
        for i, value in enumerate(counts[:-1]):
            form[f"option_{i}"].data = value
    return form


def _groups(election: Election, posted: int | None = None) -> list[GroupPaper]:
    identity = identity_of(db(), election.id)
    if identity is None:
        return []
    rows = pc.paper_counts(db(), election.id)
    marks = pm.paper_marks_per_group(db(), election.id)
    out = []
    for grp in parse_manifest(manifest_of(identity)).groups:
        db_id = int(grp.id[1:])
        formdata = request.form if posted == db_id else None
        form = _count_form(grp, db_id, rows.get(grp.id), formdata)
        names = [f"option_{i}" for i in range(len(grp.options) - 1)]
        row = rows.get(grp.id)
        counts = json.loads(row.counts) if row is not None else None
        out.append(GroupPaper(grp.id, db_id, grp.name, marks.get(grp.id, 0), row, form, names, counts))
    return out


# --- marking voters -------------------------------------------------------------------------------


def _voters_page(election: Election, *, query: str = "", found: Any = None, status: int = 200) -> Any:
    member = _member()
    can_edit = member.role_enum in EDITORS
    return (
        render_template(
            "committee/paper/voters.html",
            election=election,
            allowed=pm.paper_voting_allowed(election),
            marks=pm.paper_marks_per_group(db(), election.id),
            groups={f"G{g.id}": g.name for g in election.groups},
            recent=pm.paper_votes(db(), election.id)[:10] if can_edit else [],
            can_edit=can_edit,
            form=ActionForm(),
            query=query,
            found=found,
        ),
        status,
    )


@bp.route(_BASE)
@committee_role(*VIEWERS)
def paper_voters(election_id: int) -> Any:
    """The paper desk: find a voter and mark them as having voted on paper; marks per group."""
    return _voters_page(election_or_404(election_id))


@bp.route(f"{_BASE}/search", methods=["POST"])
@committee_role(*EDITORS)
def paper_search(election_id: int) -> Any:
    """Find voters by name or employee number (POST: names stay out of URLs and logs)."""
    election = election_or_404(election_id)
    if not ActionForm().validate_on_submit():
        return _voters_page(election, status=400)
    query = (request.form.get("q") or "").strip()[:100]
    return _voters_page(election, query=query, found=pm.find_voters(db(), election, query))


@bp.route(f"{_BASE}/people/<int:person_id>/mark", methods=["POST"])
@committee_role(*EDITORS)
def paper_mark(election_id: int, person_id: int) -> Any:
    """Mark one voter as having voted on paper; their online code is disabled on the public board."""
    election = election_or_404(election_id)
    if not ActionForm().validate_on_submit():
        return _voters_page(election, status=400)
    try:
        mark = pm.mark_voted_on_paper(db(), election, person_id, _member().email, _now())
    except pm.PaperError as exc:
        db().rollback()
        flash(paper_refusal(exc), "error")
        return _voters_page(election, status=404 if exc.code == "not_eligible" else 409)
    db().commit()
    flash(
        _("Marked as having voted on paper; their voting code is disabled (board entry %(seq)s).", seq=mark.board_seq),
        "success",
    )
    return redirect(url_for("committee.paper_voters", election_id=election.id))


# --- the paper count ------------------------------------------------------------------------------


def _counts_page(election: Election, *, posted: int | None = None, status: int = 200) -> Any:
    member = _member()
    return (
        render_template(
            "committee/paper/counts.html",
            election=election,
            allowed=pm.paper_voting_allowed(election),
            groups=_groups(election, posted),
            names={m.id: m.name for m in db().query(CommitteeMember)},
            member=member,
            can_edit=member.role_enum in EDITORS,
            can_confirm=member.role_enum in COMMITTEE_VOTERS,
            digest=pc.digest_of,
            counting=pc.paper_count_open(db(), election.id),
        ),
        status,
    )


@bp.route(f"{_BASE}/counts")
@committee_role(*VIEWERS)
def paper_counts(election_id: int) -> Any:
    """Every group's paper count: entered, waiting for a second member, or confirmed and on the board."""
    return _counts_page(election_or_404(election_id))


@bp.route(f"{_BASE}/counts/<int:group_id>", methods=["POST"])
@committee_role(*EDITORS)
def paper_count_enter(election_id: int, group_id: int) -> Any:
    """Enter or correct one group's paper count; a second committee member confirms it."""
    election = election_or_404(election_id)
    group = next((g for g in _groups(election, group_id) if g.db_id == group_id), None)
    if group is None:
        return _counts_page(election, status=404)
    form = group.form
    if not form.validate_on_submit():
        flash(_("Check the figures of group %(group)s: every field needs a whole number.", group=group.name), "error")
        return _counts_page(election, posted=group_id, status=400)
    counts = [form[name].data for name in group.candidates] + [form.blank.data]
    try:
        pc.enter_paper_count(db(), election, _member(), group.key, form.ballots.data, counts, form.invalid.data, _now())
    except pm.PaperError as exc:
        db().rollback()
        flash(paper_refusal(exc), "error")
        return _counts_page(election, posted=group_id, status=409 if exc.code in _CONFLICTS else 400)
    db().commit()
    flash(
        _("The paper count of %(group)s waits for confirmation by a second committee member.", group=group.name),
        "success",
    )
    return redirect(url_for("committee.paper_counts", election_id=election.id))


_CONFLICTS = frozenset({"not_hybrid", "not_closed", "result_final", "confirmed", "changed"})


@bp.route(f"{_BASE}/counts/<int:group_id>/confirm", methods=["POST"])
@committee_role(*COMMITTEE_VOTERS)
def paper_count_confirm(election_id: int, group_id: int) -> Any:
    """Confirm the figures shown as a second committee member; they are then fixed on the board."""
    election = election_or_404(election_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _counts_page(election, status=400)
    try:
        pc.confirm_paper_count(db(), election, _member(), f"G{group_id}", form.digest.data or "", _now())
    except pm.PaperError as exc:
        db().rollback()
        flash(paper_refusal(exc), "error")
        status = 404 if exc.code == "not_entered" else 403 if exc.code in ("second_member", "role") else 409
        return _counts_page(election, status=status)
    db().commit()
    flash(_("Confirmed: the paper count is fixed on the bulletin board."), "success")
    return redirect(url_for("committee.paper_counts", election_id=election.id))
