"""The committee's start page: the elections this instance runs and the audit log."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import select

from admin.committee import bp
from admin.database import db
from admin.security import ALL_ROLES, committee_role
from election import audit_log
from election.models import AuditEntry, Election


@bp.route("/")
@committee_role(*ALL_ROLES)
def dashboard() -> Any:
    """List the elections with their phase."""
    elections = db().scalars(select(Election).order_by(Election.voting_day.desc())).all()
    return render_template("committee/dashboard.html", elections=elections)


@bp.route("/audit-log")
@committee_role(*ALL_ROLES)
def audit_trail() -> Any:
    """The whole audit log with the result of re-checking its hash chain."""
    entries = db().scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    return render_template("committee/audit_log.html", entries=entries, breaches=audit_log.verify_chain(entries))
