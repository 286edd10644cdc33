"""The committee's key ceremony screens: seat the trustees, relay their messages, publish the keys.

The server only relays public messages and checks them (:mod:`election.ceremony_relay`); each
trustee computes on their own computer with ``stembus trustee``. Chair, member and secretary
set up or cancel; a trustee uploads their own messages; the auditor reads.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from admin.ceremony_text import refusal, stage_text
from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.database import db
from admin.security import committee_role, load_member
from election import ceremony_relay as relay
from election.ceremony_messages import MessageError
from election.key_ceremony import CeremonyError, ceremony_of, completed_ceremony
from election.models import CommitteeMember, Election
from election.models.ceremony import KeyCeremony

_BASE = "/elections/<int:election_id>/ceremony"
MAX_MESSAGE_BYTES = 1024 * 1024


class TrusteesForm(FlaskForm):
    """Who holds the key shares; trustee numbers follow the order shown."""

    members = SelectMultipleField(
        _l("Trustees"), coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class UploadForm(FlaskForm):
    """One message file written by ``stembus trustee``."""

    message = FileField(_l("Message file"), validators=[FileRequired(_l("Choose a file to upload."))])


class ActionForm(FlaskForm):
    """A confirmation button (CSRF only)."""


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _ceremony_or_404(election: Election) -> KeyCeremony:
    ceremony = ceremony_of(db(), election.id)
    if ceremony is None:
        abort(404)
    return ceremony


def _json_download(data: Any, name: str) -> Any:
    body = json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    return send_file(BytesIO(body), mimetype="application/json", as_attachment=True, download_name=name)


def _back(election: Election) -> Any:
    return redirect(url_for("committee.key_ceremony", election_id=election.id))


@bp.route(_BASE)
@committee_role(*VIEWERS)
def key_ceremony(election_id: int) -> Any:
    """The ceremony's progress, the trustees, and the forms for the signed-in member."""
    election = election_or_404(election_id)
    ceremony = ceremony_of(db(), election.id)
    member = _member()
    form = TrusteesForm()
    form.members.choices = [(m.id, f"{m.name} <{m.email}>") for m in relay.eligible_trustees(db())]
    state = relay.public_state(db(), ceremony) if ceremony is not None else None
    names = {m.id: m.name for m in db().query(CommitteeMember)}
    return render_template(
        "committee/ceremony/overview.html",
        election=election,
        ceremony=ceremony,
        state=state,
        form=form,
        upload_form=UploadForm(),
        action_form=ActionForm(),
        can_edit=member.role_enum in EDITORS,
        my_index=relay.trustee_index(ceremony, member.id) if ceremony is not None else None,
        names=names,
        stage=stage_text("complete" if ceremony and ceremony.status == "completed" else state.stage())
        if state is not None
        else None,
        messages=relay.messages_of(db(), ceremony) if ceremony is not None else [],
        stage_text=stage_text,
    )


@bp.route(f"{_BASE}/set-up", methods=["POST"])
@committee_role(*EDITORS)
def key_ceremony_set_up(election_id: int) -> Any:
    """Seat the chosen trustees and open the first stage."""
    election = election_or_404(election_id)
    form = TrusteesForm()
    form.members.choices = [(m.id, m.name) for m in relay.eligible_trustees(db())]
    if form.validate_on_submit():
        clock = current_app.config["CLOCK"]
        try:
            relay.set_up_ceremony(db(), election, list(form.members.data or []), _member().email, clock.now())
        except CeremonyError as exc:
            db().rollback()
            flash(refusal(exc), "error")
        else:
            db().commit()
            flash(_("The key ceremony has started. Each trustee downloads their invitation file."), "success")
    else:
        flash(_("Choose the trustees."), "error")
    return _back(election)


@bp.route(f"{_BASE}/cancel", methods=["POST"])
@committee_role(*EDITORS)
def key_ceremony_cancel(election_id: int) -> Any:
    """Abandon a running ceremony so it can start again."""
    election = election_or_404(election_id)
    if ActionForm().validate_on_submit():
        try:
            relay.cancel_ceremony(db(), election, _member().email)
        except CeremonyError as exc:
            db().rollback()
            flash(refusal(exc), "error")
        else:
            db().commit()
            flash(_("The key ceremony was cancelled. Every trustee starts again with a new invitation."), "success")
    return _back(election)


@bp.route(f"{_BASE}/upload", methods=["POST"])
@committee_role(*relay.TRUSTEE_ROLES)
def key_ceremony_upload(election_id: int) -> Any:
    """Take one message from the signed-in trustee."""
    election = election_or_404(election_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "error")
        return _back(election)
    raw = form.message.data.read(MAX_MESSAGE_BYTES + 1)
    if len(raw) > MAX_MESSAGE_BYTES:
        flash(_("The file is too large for a key ceremony message."), "error")
        return _back(election)
    try:
        relay.accept_message(db(), election, _member(), raw, current_app.config["CLOCK"].now())
    except (CeremonyError, MessageError) as exc:
        db().rollback()
        flash(refusal(exc), "error")
        return _back(election)
    db().commit()
    done = completed_ceremony(db(), election.id) is not None
    flash(
        _("The key ceremony is complete and its transcript verifies.") if done else _("Your message was accepted."),
        "success",
    )
    return _back(election)


@bp.route(f"{_BASE}/invitation.json")
@committee_role(*relay.TRUSTEE_ROLES)
def key_ceremony_invitation(election_id: int) -> Any:
    """The signed-in trustee's invitation file for ``stembus trustee init``."""
    election = election_or_404(election_id)
    ceremony = _ceremony_or_404(election)
    try:
        invitation = relay.invitation(election, ceremony, _member().id)
    except CeremonyError:
        abort(403)
    return _json_download(invitation.to_dict(), f"ceremony-{election.id}-invitation-member{invitation.member}.json")


@bp.route(f"{_BASE}/bundle.json")
@committee_role(*VIEWERS)
def key_ceremony_bundle(election_id: int) -> Any:
    """Every public message so far, and the transcript once complete."""
    election = election_or_404(election_id)
    ceremony = _ceremony_or_404(election)
    return _json_download(relay.bundle(db(), election, ceremony), f"ceremony-{election.id}-bundle.json")


@bp.route(f"{_BASE}/keys")
@committee_role(*VIEWERS)
def key_ceremony_keys(election_id: int) -> Any:
    """The published result: joint key, every trustee's commitments, proofs and verification key."""
    election = election_or_404(election_id)
    done = completed_ceremony(db(), election.id)
    if done is None:
        abort(404)
    names = {m.id: m.name for m in db().query(CommitteeMember).where(CommitteeMember.id.in_(done.trustees))}
    return render_template("committee/ceremony/keys.html", election=election, done=done, names=names)


@bp.route(f"{_BASE}/transcript.json")
@committee_role(*VIEWERS)
def key_ceremony_transcript(election_id: int) -> Any:
    """The verified transcript as published in the election record."""
    election = election_or_404(election_id)
    done = completed_ceremony(db(), election.id)
    if done is None:
        abort(404)
    return _json_download(done.transcript.to_dict(), f"ceremony-{election.id}-transcript.json")
