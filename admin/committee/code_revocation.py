"""Replacing a voter's lost voting code, before or during voting (:mod:`election.code_revocation`).

Server mode: the new code is drawn when the committee presses the button and comes back once, as a
one-person letter PDF streamed to the browser (``Cache-Control: no-store``); it is stored nowhere.
Offline mode: the committee member downloads a one-person voter file, runs ``stembus codes
generate`` on their own computer and uploads the public credential file here. Chair, member and
secretary replace codes; the auditor sees the page.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.offline_codes import booth_links
from admin.committee.offline_codes_text import problem_text
from admin.database import db
from admin.security import committee_role, load_member
from election import audit_log
from election.code_letter_files import CodeLetter, letters_pdf
from election.code_letter_files import Election as LetterElection
from election.code_revocation import CodeRevocationError, Replacement, find_voters, replace_code, replaceable_person
from election.models import Election, RegisterPerson
from election.offline_codes import MAX_FILE_BYTES, OfflineCodesError, dump
from election.offline_codes_store import voter_file
from election.procedure_store import regulation_of, voting_window_of
from election.voting_codes import VotingSetupError, identity_of

_BASE = "/elections/<int:election_id>/code-replacement"

REASON_LABELS = {
    "lost": _l("lost"),
    "not_received": _l("never arrived"),
    "compromised": _l("seen or used by someone else"),
}


class ReplacementForm(FlaskForm):
    """Why the code is replaced and, in offline mode, the new public credential made offline."""

    reason = SelectField(
        _l("Why is the code replaced?"),
        choices=[SelectChoice(code, label) for code, label in REASON_LABELS.items()],
        validators=[DataRequired()],
    )
    credentials = FileField(_l("Public credential file made offline for this voter"))


def _actor() -> str:
    member = load_member()
    assert member is not None
    return member.email


def _form(person_id: int) -> ReplacementForm:
    """One form per voter shown, each with its own field names and ids."""
    return ReplacementForm(prefix=f"p{person_id}")


def _page(election: Election, *, problem: str | None = None, status: int = 200) -> Any:
    query = request.args.get("q", "") if request.method == "GET" else request.form.get("q", "")
    member = load_member()
    identity = identity_of(db(), election.id)
    voters = find_voters(db(), election, query) if identity is not None else []
    return render_template(
        "committee/code_revocation.html",
        election=election,
        query=query,
        voters=voters,
        identity=identity,
        offline=regulation_of(election).code_mode == "offline",
        forms={v.person_id: _form(v.person_id) for v in voters},
        problem=problem,
        can_edit=member is not None and member.role_enum in EDITORS,
    ), status


@bp.route(_BASE)
@committee_role(*VIEWERS)
def code_revocation(election_id: int) -> Any:
    """Find a voter and replace their code."""
    return _page(election_or_404(election_id))


@bp.route(f"{_BASE}/<int:person_id>/voter.json")
@committee_role(*EDITORS)
def code_revocation_voter_file(election_id: int, person_id: int) -> Any:
    """Offline mode: the one-person voter file for ``stembus codes generate``."""
    election = election_or_404(election_id)
    try:
        person, _group = replaceable_person(db(), election, person_id)
        identity = identity_of(db(), election.id)
        if identity is None:
            abort(404)
        doc = voter_file(db(), election, booth_links(identity.uuid), current_app.config["MAIL_FROM"], [person])
    except (CodeRevocationError, VotingSetupError) as exc:
        return _page(election, problem=problem_text(exc), status=409)
    audit_log.record(db(), _actor(), "offline_voter_file_downloaded", election.id, voters=1, person=person.id)
    db().commit()
    response = send_file(
        BytesIO(dump(doc)), mimetype="application/json", as_attachment=True, download_name=f"voter-{person.id}.json"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _letter(election: Election, replacement: Replacement) -> Any:
    """The one-person letter with the new code, rendered now and streamed; the code is kept nowhere."""
    assert replacement.code is not None
    identity = identity_of(db(), election.id)
    assert identity is not None
    person = db().get(RegisterPerson, replacement.person_id)
    assert person is not None
    letter = CodeLetter(
        name=replacement.name,
        employee_number=person.employee_number,
        department=replacement.department,
        group=replacement.group_name,
        code=replacement.code,
        language=replacement.language,
        booth_url=booth_links(identity.uuid)[replacement.language],
    )
    opens, closes = voting_window_of(election)
    return letters_pdf([letter], LetterElection(election.organisation, opens, closes))


@bp.route(f"{_BASE}/<int:person_id>", methods=["POST"])
@committee_role(*EDITORS)
def code_revocation_replace(election_id: int, person_id: int) -> Any:
    """Revoke the voter's code and issue a new one (server: letter PDF; offline: the uploaded credential)."""
    election = election_or_404(election_id)
    form = _form(person_id)
    if not form.validate_on_submit():
        return _page(election, problem=problem_text(CodeRevocationError("reason", "")), status=400)
    offline = regulation_of(election).code_mode == "offline"
    upload = form.credentials.data
    uploaded = upload.read(MAX_FILE_BYTES + 1) if offline and upload else None
    now = current_app.config["CLOCK"].now()
    try:
        replacement = replace_code(db(), election, person_id, form.reason.data or "", _actor(), now, uploaded=uploaded)
        pdf = None if replacement.code is None else _letter(election, replacement)
    except (CodeRevocationError, OfflineCodesError) as exc:
        db().rollback()
        return _page(election, problem=problem_text(exc), status=400 if isinstance(exc, OfflineCodesError) else 409)
    db().commit()  # the new credential is listed (and on the board) before its code leaves
    if pdf is None:
        flash(
            _("The code of %(name)s has been replaced; the old code no longer works.", name=replacement.name), "success"
        )
        return redirect(url_for("committee.code_revocation", election_id=election.id))
    response = send_file(
        BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"voting-code-{person_id}.pdf"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
