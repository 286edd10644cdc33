"""Importing the electoral register: upload, column mapping, group rule, checks, preview, apply."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from admin.committee import bp
from admin.committee.elections import EDITORS, election_or_404
from admin.committee.register_forms import ActionForm, SkipForm, UploadForm, group_rule_form, mapping_form
from admin.database import db
from admin.register_text import ERRORS, FIELDS, reason_texts, show_value
from admin.security import committee_role, load_member
from election import register_store as store
from election.hr_export import DEFAULT_MAX_BYTES
from election.models import CommitteeMember, Election, RegisterImport
from election.register_import import FIELD_SYNONYMS
from election.register_overview import preview_groups

SHOWN_ERRORS = 500
SHOWN_CHANGES = 200
_BASE = "/elections/<int:election_id>/register/import"


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _limit() -> int:
    return int(current_app.config.get("REGISTER_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _open(election_id: int, batch_id: int) -> tuple[Election, RegisterImport]:
    election = election_or_404(election_id)
    batch = store.open_batch(db(), election, batch_id)
    if batch is None:
        abort(404)
    return election, batch


def _final_refusal(election_id: int) -> Any:
    db().rollback()
    flash(_("The register is final: it can no longer be imported or changed."), "error")
    return redirect(url_for("committee.register_overview", election_id=election_id))


def _upload_problem(problem: Exception) -> str:
    if isinstance(problem, store.FileTooLarge):
        size = _megabytes(problem.limit)
        return _("The file is larger than the limit of %(size)s MB. Nothing was stored.", size=size)
    detail = getattr(problem, "detail", "")
    return _(
        "This file cannot be used: it is not a CSV (UTF-8) or XLSX export. Nothing was stored. Details: %(detail)s",
        detail=detail,
    )


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error: RequestEntityTooLarge) -> Any:
    """An upload over the request limit: say what the limit is; nothing was read or stored."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or _limit()
    message = _("The file is larger than the limit of %(size)s MB. Nothing was stored.", size=_megabytes(limit))
    return render_template("error.html", status=413, message=message), 413


@bp.route(_BASE, methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_upload(election_id: int) -> Any:
    """Upload an HR export; it is kept only until the import is applied or cancelled."""
    election = election_or_404(election_id)
    if not store.register_open(election):
        return _final_refusal(election_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = store.start_import(
                db(),
                election,
                _member(),
                upload.filename or "",
                upload.read(_limit() + 1),
                current_app.config["CLOCK"].now(),
                _limit(),
            )
        except store.RegisterFinal:
            return _final_refusal(election_id)
        except (store.FileTooLarge, store.FileRefused) as problem:
            db().rollback()
            form.file.errors = [*form.file.errors, _upload_problem(problem)]
        else:
            db().commit()
            return redirect(url_for("committee.register_columns", election_id=election_id, batch_id=batch.id))
    return render_template("committee/register/upload.html", election=election, form=form, limit=_megabytes(_limit()))


@bp.route(f"{_BASE}/<int:batch_id>/columns", methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_columns(election_id: int, batch_id: int) -> Any:
    """Match our register fields to the file's columns and choose how groups are assigned."""
    election, batch = _open(election_id, batch_id)
    form = mapping_form(
        store.file_header(batch), store.column_map(batch), store.group_rule(batch), len(election.groups) <= 1
    )
    if form.validate_on_submit():
        mapping = {name: form[f"col_{name}"].data for name in FIELD_SYNONYMS}
        rule = {**store.group_rule(batch), "source": form["group_source"].data, "by": form["group_by"].data}
        store.save_mapping(db(), batch, _member().email, mapping, rule)
        db().commit()
        step = "committee.register_groups" if rule["source"] == "rule" else "committee.register_check"
        return redirect(url_for(step, election_id=election_id, batch_id=batch_id))
    return render_template(
        "committee/register/columns.html",
        election=election,
        batch=batch,
        form=form,
        fields=[(name, FIELDS[name]) for name in FIELD_SYNONYMS if name != "electoral_group"],
    )


@bp.route(f"{_BASE}/<int:batch_id>/groups", methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_groups(election_id: int, batch_id: int) -> Any:
    """The group rule: which electoral group each department (or location) belongs to."""
    election, batch = _open(election_id, batch_id)
    rule = store.group_rule(batch)
    column = store.column_map(batch).get(rule.get("by", ""), "")
    values = store.column_values(batch, column) if column else []
    if not values or len(values) > store.MAX_RULE_VALUES:
        flash(
            _(
                "The rule needs a mapped column with at most %(n)d different values. Choose another column "
                "or assign groups by a column.",
                n=store.MAX_RULE_VALUES,
            ),
            "error",
        )
        return redirect(url_for("committee.register_columns", election_id=election_id, batch_id=batch_id))
    form = group_rule_form(values, [g.name for g in election.groups], rule.get("map", {}))
    if form.validate_on_submit():
        rule["map"] = {value: form[f"v{i}"].data for i, value in enumerate(values) if form[f"v{i}"].data}
        store.save_mapping(db(), batch, _member().email, store.column_map(batch), rule)
        db().commit()
        return redirect(url_for("committee.register_check", election_id=election_id, batch_id=batch_id))
    return render_template(
        "committee/register/groups.html",
        election=election,
        batch=batch,
        form=form,
        fields=[form[f"v{i}"] for i in range(len(values))],
        rule_field=FIELDS[rule["by"]],
    )


@bp.route(f"{_BASE}/<int:batch_id>/check", methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_check(election_id: int, batch_id: int) -> Any:
    """Every error with its row and column; continue only without errors or by skipping the named rows."""
    election, batch = _open(election_id, batch_id)
    try:
        result = store.check_batch(election, batch)
    except store.FileRefused as problem:
        flash(_upload_problem(problem), "error")
        return redirect(url_for("committee.register_upload", election_id=election_id))
    form = SkipForm()
    if form.validate_on_submit():
        try:
            store.accept_checks(db(), batch, _member().email, result, bool(form.skip.data))
        except store.ChecksNotPassed:
            db().rollback()
            flash(
                _(
                    "Nothing was stored: the file still has errors. Correct the file, or tick the box to leave "
                    "out the rows named below."
                ),
                "error",
            )
        else:
            db().commit()
            return redirect(url_for("committee.register_preview", election_id=election_id, batch_id=batch_id))
    rows = sorted({e.row for e in result.errors})
    return render_template(
        "committee/register/check.html",
        election=election,
        batch=batch,
        form=form,
        result=result,
        errors=result.errors[:SHOWN_ERRORS],
        rows=rows,
        ERRORS=ERRORS,
        header_errors=1 in rows,
        cancel_form=ActionForm(),
    )


@bp.route(f"{_BASE}/<int:batch_id>/preview", methods=["GET", "POST"])
@committee_role(*EDITORS)
def register_preview(election_id: int, batch_id: int) -> Any:
    """What the register will hold per group, and on a re-import what changes; then apply it."""
    election, batch = _open(election_id, batch_id)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            counts = store.apply_import(db(), election, batch, _member(), current_app.config["CLOCK"].now())
            db().commit()
            flash(
                _(
                    "The register has been stored: %(people)d people, %(added)d added, %(removed)d removed, "
                    "%(changed)d changed.",
                    **counts,
                ),
                "success",
            )
            return redirect(url_for("committee.register_overview", election_id=election_id))
        found = store.preview(db(), election, batch)
    except store.RegisterFinal:
        return _final_refusal(election_id)
    except (store.ChecksNotPassed, store.BatchClosed):
        db().rollback()
        flash(_("Nothing was stored: check the file again first."), "error")
        return redirect(url_for("committee.register_check", election_id=election_id, batch_id=batch_id))
    return render_template(
        "committee/register/preview.html",
        election=election,
        batch=batch,
        form=form,
        groups=preview_groups(found.result.people),
        diff=found.diff,
        shown=SHOWN_CHANGES,
        reason_texts=reason_texts,
        FIELDS=FIELDS,
        show=show_value,
        cancel_form=ActionForm(),
    )


@bp.route(f"{_BASE}/<int:batch_id>/cancel", methods=["POST"])
@committee_role(*EDITORS)
def register_cancel(election_id: int, batch_id: int) -> Any:
    """Abandon the import: the uploaded file is erased and the register stays as it was."""
    _election, batch = _open(election_id, batch_id)
    if ActionForm().validate_on_submit():
        store.cancel_import(db(), batch, _member(), current_app.config["CLOCK"].now())
        db().commit()
        flash(_("The import has been cancelled and the uploaded file deleted."), "info")
    return redirect(url_for("committee.register_overview", election_id=election_id))
