"""Committee sign-in: password, then a TOTP code; sign-out ends the server-side session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin.accounts import check_password, check_totp
from admin.database import db
from admin.extensions import limiter
from admin.security import load_member
from admin.sessions import ServerSession
from election import audit_log
from election.models.committee import CommitteeMember
from election.throttle import Limit, is_blocked, record_failure

bp = Blueprint("auth", __name__, url_prefix="/auth")
# Failed sign-ins per address, counted in the database so the limit holds across all workers.
LOGIN_PER_ADDRESS = Limit("login-address", failures=20, window=timedelta(minutes=15))


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class TotpForm(FlaskForm):
    """The six-digit code from the authenticator app."""

    code = StringField(_l("Code from your authenticator app"), validators=[DataRequired(), Length(max=10)])


class LogoutForm(FlaskForm):
    """An empty form, so signing out needs a CSRF token."""


def _server_session() -> ServerSession:
    assert isinstance(session, ServerSession) or hasattr(session, "rotate")
    return session  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login() -> Any:
    """First step: check the password. The same message is shown for every failure."""
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        now = cfg["CLOCK"].now()
        address = request.remote_addr or "unknown"
        if is_blocked(db(), LOGIN_PER_ADDRESS, address, now):
            flash(_("Too many attempts. Wait a few minutes and try again."), "error")
            return render_template("auth/login.html", form=form), 429
        result = check_password(
            db(),
            form.email.data or "",
            form.password.data or "",
            cfg["CLOCK"].now(),
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            lockout=cfg["LOGIN_LOCKOUT"],
        )
        if result.member is None:
            record_failure(db(), LOGIN_PER_ADDRESS, address, now)
        db().commit()
        if result.member is not None:
            _server_session().rotate()
            session.clear()
            session["pending_member_id"] = result.member.id
            return redirect(url_for("auth.second_factor"))
        flash(_("The e-mail address or password is not correct, or the account is temporarily locked."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/totp", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def second_factor() -> Any:
    """Second step: a TOTP code, accepted once per time step."""
    member_id = session.get("pending_member_id")
    if member_id is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        member = db().get(CommitteeMember, member_id)
        cfg = current_app.config
        if member is not None and check_totp(member, form.code.data or "", cfg["CLOCK"].now(), cfg["SECRET_KEY"]):
            audit_log.record(db(), member.email, "login")
            db().commit()
            _server_session().rotate()
            session.clear()
            session["member_id"] = member.id
            session["totp_ok"] = True
            return redirect(url_for("committee.dashboard"))
        db().commit()
        flash(_("That code is not valid. Wait for the next code and try again."), "error")
    return render_template("auth/totp.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the session on the server; the old cookie no longer works anywhere."""
    form = LogoutForm()
    if form.validate_on_submit():
        member = load_member()
        if member is not None:
            audit_log.record(db(), member.email, "logout")
            db().commit()
        _server_session().end()
        flash(_("You have signed out."), "info")
    return redirect(url_for("public.home"))
