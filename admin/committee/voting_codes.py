"""The committee's voting codes screen: who holds a code, how it travels, letters, and issuing.

Issuing is proposed by one committee member and confirmed by a second
(:mod:`election.code_issuing`). No code is ever stored: an e-mail's code is minted when the mail
worker sends it, a letter's when the committee downloads the PDF (:mod:`election.code_delivery`).
Chair, member and secretary act; the auditor reads.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.voting_codes_forms import (
    LETTER_REASONS,
    MINT_REFUSALS,
    CodesActionForm,
    LettersForm,
    PersonLetterForm,
    PersonMailForm,
)
from admin.database import db
from admin.labels import refusal_text
from admin.security import committee_role, load_member
from election import procedure_store
from election.code_delivery import MintRefused, language_of, mint_letters, resend_code_mail
from election.code_issuing import BLOCKERS, issuing_blocker, pending_issuing, propose_issuing
from election.code_letter_files import Election as LetterElection
from election.code_letter_files import letters_pdf
from election.delivery_status import delivery_overview
from election.mail import InvalidRecipient
from election.models import CommitteeMember, Election, PendingAction, RegisterPerson
from election.models.committee import COMMITTEE_VOTERS, Role
from election.procedure import StepRefused
from election.voting_codes import identity_of

_BASE = "/elections/<int:election_id>/voting-codes"


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _back(election: Election) -> Any:
    return redirect(url_for("committee.voting_codes", election_id=election.id))


def booth_url(election: Election, language: str) -> str:
    """The booth's full address in ``language``, without a code (404 before the manifest is frozen)."""
    identity = identity_of(db(), election.id)
    if identity is None:
        abort(404)
    return url_for("booth.booth", lang=language, election_uuid=identity.uuid, _external=True)


def _page(
    election: Election,
    person_form: PersonLetterForm | None = None,
    *,
    mail_form: PersonMailForm | None = None,
    status: int = 200,
) -> Any:
    member = _member()
    pending = pending_issuing(db(), election)
    overview = delivery_overview(db(), election)
    identity = identity_of(db(), election.id)
    proposer = db().get(CommitteeMember, pending.proposed_by) if pending is not None else None
    by_language = {lang: [p for p in overview.needing_letters if p.language == lang] for lang in ("nl", "en")}
    return render_template(
        "committee/voting/codes.html",
        election=election,
        identity=identity,
        overview=overview,
        blocker=issuing_blocker(db(), election),
        blockers=BLOCKERS,
        pending=pending,
        proposer=proposer,
        can_edit=member.role_enum in EDITORS,
        can_confirm=pending is not None and member.role_enum in COMMITTEE_VOTERS and pending.proposed_by != member.id,
        by_language=by_language,
        reasons=LETTER_REASONS,
        action_form=CodesActionForm(),
        letters_form=LettersForm(),
        person_form=person_form or PersonLetterForm(),
        mail_form=mail_form or _mail_form(),
    ), status


@bp.route(_BASE)
@committee_role(*VIEWERS)
def voting_codes(election_id: int) -> Any:
    """Voters and codes per electoral group, delivery by e-mail and letter, and issuing."""
    return _page(election_or_404(election_id))


@bp.route(f"{_BASE}/issue", methods=["POST"])
@committee_role(*EDITORS)
def voting_codes_issue(election_id: int) -> Any:
    """Propose issuing the codes; a second committee member confirms before anything is issued."""
    election = election_or_404(election_id)
    if CodesActionForm().validate_on_submit():
        links = {lang: booth_url(election, lang) for lang in ("nl", "en")}
        try:
            propose_issuing(db(), election, _member(), _clock().now(), links)
        except StepRefused as refused:
            db().rollback()
            flash(refusal_text(refused), "error")
        else:
            db().commit()
            flash(_("Issuing the voting codes waits for confirmation by a second committee member."), "success")
    return _back(election)


def _pending_or_404(election: Election, pending_id: int) -> PendingAction:
    pending = db().get(PendingAction, pending_id)
    if pending is None or pending.election_id != election.id or pending.action != procedure_store.ISSUE_VOTING_CODES:
        abort(404)
    return pending


@bp.route(f"{_BASE}/confirm/<int:pending_id>", methods=["POST"])
@committee_role(Role.CHAIR, Role.MEMBER)
def voting_codes_confirm(election_id: int, pending_id: int) -> Any:
    """Confirm the proposal as a second member: the codes are issued and their e-mails queued."""
    election = election_or_404(election_id)
    pending = _pending_or_404(election, pending_id)
    if CodesActionForm().validate_on_submit():
        try:
            procedure_store.confirm(db(), pending, _member(), _clock().now(), _clock().today())
        except StepRefused as refused:
            db().rollback()
            flash(refusal_text(refused), "error")
        else:
            db().commit()
            flash(_("The voting codes have been issued. The e-mails go out with the mail queue."), "success")
    return _back(election)


@bp.route(f"{_BASE}/withdraw/<int:pending_id>", methods=["POST"])
@committee_role(*EDITORS)
def voting_codes_withdraw(election_id: int, pending_id: int) -> Any:
    """Withdraw the proposal to issue the codes."""
    election = election_or_404(election_id)
    pending = _pending_or_404(election, pending_id)
    if CodesActionForm().validate_on_submit():
        try:
            procedure_store.withdraw(db(), pending, _member())
        except StepRefused as refused:
            db().rollback()
            flash(refusal_text(refused), "error")
        else:
            db().commit()
            flash(_("Withdrawn."), "success")
    return _back(election)


def _letters_pdf(election: Election, people: list[RegisterPerson], language: str, name: str) -> Any:
    """Mint a code per person, render the letters, commit, and stream the PDF (kept nowhere)."""
    url = booth_url(election, language)
    try:
        letters = mint_letters(db(), election, people, _member().email, _clock().now(), url, language)
    except MintRefused as refused:
        db().rollback()
        flash(str(MINT_REFUSALS.get(refused.code, refused.code)), "error")
        return _page(election, status=409)
    opens, closes = procedure_store.voting_window_of(election)
    pdf = letters_pdf(letters, LetterElection(election.organisation, opens, closes))
    db().commit()  # the new credentials are in place before the letters leave
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{_BASE}/letters", methods=["POST"])
@committee_role(*EDITORS)
def voting_codes_letters(election_id: int) -> Any:
    """Letters with a new code for every voter in one language whose code has not reached them."""
    election = election_or_404(election_id)
    form = LettersForm()
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data or "nl"
    wanted = [p.person_id for p in delivery_overview(db(), election).needing_letters if p.language == language]
    if not wanted:
        flash(_("Nobody needs a letter in this language."), "error")
        return _back(election)
    query = select(RegisterPerson).where(RegisterPerson.id.in_(wanted)).order_by(RegisterPerson.name)
    people = list(db().scalars(query))
    return _letters_pdf(election, people, language, f"voting-code-letters-{election.id}-{language}.pdf")


def _mail_form() -> PersonMailForm:
    """The e-mail form, with its own field ids beside the letter form's."""
    return PersonMailForm(prefix="mail")


def _voter(election: Election, number: str) -> RegisterPerson | None:
    """The voter with an active voting right and this employee number, if any."""
    query = select(RegisterPerson).where(
        RegisterPerson.election_id == election.id,
        RegisterPerson.employee_number == number.strip(),
        RegisterPerson.active.is_(True),
    )
    return db().scalars(query).first()


@bp.route(f"{_BASE}/letter", methods=["POST"])
@committee_role(*EDITORS)
def voting_codes_letter(election_id: int) -> Any:
    """One voter's letter with a new code (a lost code, or on request); their earlier code stops working."""
    election = election_or_404(election_id)
    form = PersonLetterForm()
    if not form.validate_on_submit():
        return _page(election, form, status=400)
    person = _voter(election, form.employee_number.data or "")
    if person is None:
        form.employee_number.errors = [_("No voter with this employee number is in the register.")]
        return _page(election, form, status=400)
    language = language_of(person)
    return _letters_pdf(election, [person], language, f"voting-code-letter-{election.id}-{person.id}.pdf")


@bp.route(f"{_BASE}/mail", methods=["POST"])
@committee_role(*EDITORS)
def voting_codes_mail(election_id: int) -> Any:
    """Send one voter a new code by e-mail (after a bounce), optionally to a corrected address.

    The earlier code stops working at once; the new one is minted when the e-mail is sent.
    The same rules as a letter on request: one committee member, before voting opens.
    """
    election = election_or_404(election_id)
    form = _mail_form()
    if not form.validate_on_submit():
        return _page(election, mail_form=form, status=400)
    person = _voter(election, form.employee_number.data or "")
    if person is None:
        form.employee_number.errors = [_("No voter with this employee number is in the register.")]
        return _page(election, mail_form=form, status=400)
    corrected = (form.email.data or "").strip() or None
    if corrected is None and not person.email:
        form.email.errors = [_("The register holds no e-mail address for this voter: enter one.")]
        return _page(election, mail_form=form, status=400)
    try:
        resend_code_mail(
            db(),
            election,
            person,
            _member().email,
            _clock().now(),
            lambda lang: booth_url(election, lang),
            recipient=corrected,
        )
    except InvalidRecipient:
        db().rollback()
        form.email.errors = [_("This e-mail address cannot receive mail. Check it and try again.")]
        return _page(election, mail_form=form, status=400)
    except MintRefused as refused:
        db().rollback()
        flash(str(MINT_REFUSALS.get(refused.code, refused.code)), "error")
        return _page(election, status=409)
    db().commit()
    flash(
        _("A new code for %(name)s is queued by e-mail; the earlier code no longer works.", name=person.name),
        "success",
    )
    return _back(election)
