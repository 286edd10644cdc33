"""High-assurance voting codes, made offline: the files for the committee member's computer and the upload back.

The server hands out the frozen manifest and the voter file, and takes back only the public
credential file that ``stembus codes generate`` writes (:mod:`election.offline_codes_store`). It never
sees a code. Chair, member and secretary download and upload; the auditor reads the page.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.offline_codes_text import problem_text
from admin.database import db
from admin.security import committee_role, load_member
from election import audit_log
from election.models import Election
from election.offline_codes import MAX_FILE_BYTES, OfflineCodesError, dump
from election.offline_codes_store import expected_voters, offline_identity, upload_credentials, voter_file
from election.procedure_store import regulation_of
from election.voting_codes import VotingSetupError, identity_of

_BASE = "/elections/<int:election_id>/offline-codes"


class CredentialFileForm(FlaskForm):
    """The public credential file written by ``stembus codes generate``."""

    credentials = FileField(
        _l("Public credential file (public-credentials.json)"),
        validators=[FileRequired(_l("Choose the public credential file."))],
    )


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def booth_links(election_uuid: str) -> dict[str, str]:
    """The voting page's full address in Dutch and in English, without a code."""
    return {
        lang: url_for("booth.booth", lang=lang, election_uuid=election_uuid, _external=True) for lang in ("nl", "en")
    }


def _page(
    election: Election, form: CredentialFileForm | None = None, *, problem: str | None = None, status: int = 200
) -> Any:
    identity = identity_of(db(), election.id)
    offline = regulation_of(election).code_mode == "offline"
    waiting = expected_voters(db(), election, identity) if identity is not None and offline else []
    member = load_member()
    return render_template(
        "committee/offline_codes.html",
        election=election,
        identity=identity,
        offline=offline,
        waiting=len(waiting),
        form=form or CredentialFileForm(),
        problem=problem,
        can_edit=member is not None and member.role_enum in EDITORS,
    ), status


@bp.route(_BASE)
@committee_role(*VIEWERS)
def offline_codes(election_id: int) -> Any:
    """What to download, what to run offline, and where to upload the public credentials."""
    return _page(election_or_404(election_id))


def _json(doc: Any, name: str) -> Any:
    response = send_file(BytesIO(dump(doc)), mimetype="application/json", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{_BASE}/manifest.json")
@committee_role(*EDITORS)
def offline_codes_manifest(election_id: int) -> Any:
    """The frozen manifest, exactly as hashed, for ``stembus codes generate``."""
    election = election_or_404(election_id)
    try:
        identity = offline_identity(db(), election)
    except VotingSetupError as exc:
        return _page(election, problem=problem_text(exc), status=409)
    return send_file(
        BytesIO(identity.manifest.encode("utf-8")),
        mimetype="application/json",
        as_attachment=True,
        download_name=f"manifest-{election.id}.json",
    )


@bp.route(f"{_BASE}/voters.json")
@committee_role(*EDITORS)
def offline_codes_voters(election_id: int) -> Any:
    """The voter file: every voter still without a code, with what their letter or mail needs."""
    election = election_or_404(election_id)
    try:
        identity = offline_identity(db(), election)
        doc = voter_file(db(), election, booth_links(identity.uuid), current_app.config["MAIL_FROM"])
    except VotingSetupError as exc:
        return _page(election, problem=problem_text(exc), status=409)
    audit_log.record(db(), _actor(), "offline_voter_file_downloaded", election.id, voters=len(doc["voters"]))
    db().commit()
    return _json(doc, f"voters-{election.id}.json")


@bp.route(f"{_BASE}/upload", methods=["POST"])
@committee_role(*EDITORS)
def offline_codes_upload(election_id: int) -> Any:
    """Take the public credential file; refused whole, with the row named, if anything is wrong."""
    election = election_or_404(election_id)
    form = CredentialFileForm()
    if not form.validate_on_submit():
        return _page(election, form, problem=_("Choose the public credential file."), status=400)
    raw = form.credentials.data.read(MAX_FILE_BYTES + 1)
    try:
        stored = upload_credentials(db(), election, raw, _actor(), current_app.config["CLOCK"].now())
    except (OfflineCodesError, VotingSetupError) as exc:
        db().rollback()
        return _page(
            election, form, problem=problem_text(exc), status=409 if isinstance(exc, VotingSetupError) else 400
        )
    db().commit()
    flash(_("%(n)d public credential(s) stored. The server holds no voting code.", n=stored), "success")
    return redirect(url_for("committee.offline_codes", election_id=election.id))
