"""The committee's result e-mails: filing the background run that queues them, and its progress.

:mod:`election.result_mailing` queues the letters to candidates and the announcement to staff and
unions in a daemon thread; this page shows how far it got (staff queued of all) and, like the
auditor's record checks, takes over a run whose process fell silent when it is opened. Pressing
the button again, or refreshing, never queues an e-mail twice.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.committee.results import ActionForm
from admin.database import db
from admin.security import committee_role, load_member
from election import result_mailing
from election.result_letters import MailRefused

_BASE = "/elections/<int:election_id>/results/mail"


def _start(job_id: int) -> None:
    """Run the job in this process, inside the application's context (gettext, PDF templates)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    result_mailing.start(
        current_app.extensions["stembus_sessions"], job_id, current_app.config["CLOCK"], context=app.app_context
    )


@bp.route(_BASE, methods=["POST"])
@committee_role(*EDITORS)
def results_mail(election_id: int) -> Any:
    """Start queueing the result letters and the announcement by e-mail (once per recipient)."""
    election = election_or_404(election_id)
    member = load_member()
    assert member is not None
    if not ActionForm().validate_on_submit():
        return redirect(url_for("committee.results_overview", election_id=election.id))
    try:
        job = result_mailing.request_mailing(
            db(),
            election,
            member.email,
            current_app.config["CLOCK"].now(),
            page_url=url_for("public_results.published", election_id=election.id, _external=True),
            contact=current_app.config.get("MAIL_FROM"),
        )
    except MailRefused:
        db().rollback()
        flash(_("Announce the result first (the step on the checklist); then the letters can be sent."), "error")
        return redirect(url_for("committee.results_overview", election_id=election.id))
    db().commit()
    if job.status == "queued":
        _start(job.id)
    return redirect(url_for("committee.results_mailing", election_id=election.id))


@bp.route(_BASE)
@committee_role(*VIEWERS)
def results_mailing(election_id: int) -> Any:
    """How far the result e-mails are queued; a run whose process fell silent is taken over here."""
    election = election_or_404(election_id)
    job = result_mailing.latest_mailing(db(), election.id)
    now = current_app.config["CLOCK"].now()
    if job is not None and (job.status == "queued" or result_mailing.is_stale(job, now)):
        _start(job.id)
        db().refresh(job)
    member = load_member()
    return render_template(
        "committee/results/mailing.html",
        election=election,
        status=result_mailing.progress(job, now) if job is not None else None,
        can_edit=member is not None and member.role_enum in EDITORS,
        action_form=ActionForm(),
    )
