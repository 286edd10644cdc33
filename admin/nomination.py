"""The employee's side of the nomination pre-round: a personal link, colleague search, nominations.

As with the register self-check, the personal token travels in the URL fragment and is posted by
a small script (or pasted into a form when scripts are off), then carried in each form's body;
it never appears in a URL. Wrong codes are counted per address in the database, so guessing is
throttled across every worker. The type-ahead search answers with names and opaque handles only,
and is limited per address and per link. Nothing an employee does here is written to the audit
log (see :mod:`election.nomination_store` for why).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from admin.database import db
from admin.extensions import limiter
from admin.nomination_text import nomination_refusal
from election import nomination_store as store
from election.nomination_round import status_of
from election.nomination_rules import MAX_MOTIVATION, MIN_QUERY, latest_close
from election.procedure_store import timeline_of
from election.throttle import Limit, is_blocked, record_failure

bp = Blueprint("nomination", __name__, url_prefix="/nominate")
ATTEMPTS = "20 per minute; 300 per day"
WRONG_CODES = Limit("nomination_code", 20, timedelta(minutes=15))
SEARCHES = Limit("nomination_search", 300, timedelta(hours=1))


class CodeForm(FlaskForm):
    """The personal code, for browsers without scripts or a code from a printed letter."""

    token = StringField(_l("Your personal code"), validators=[DataRequired(), Length(max=100)])


class LinkForm(FlaskForm):
    """Any action on one's nominations: the personal code rides along in the form body."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])


def _clock() -> Any:
    return current_app.config["CLOCK"]


def _address() -> str:
    return request.remote_addr or "unknown"


def _invalid() -> Any:
    flash(_("This link or code is not valid. It may have been replaced by a newer one; check that you copied it "
            "completely, or ask the election committee for a new link."), "error")
    return render_template("nomination/start.html", form=CodeForm(formdata=None)), 404


def _nominator(token: str) -> store.Nominator | None:
    """The nominator behind ``token``; a wrong code counts against the address."""
    now = _clock().now()
    if is_blocked(db(), WRONG_CODES, _address(), now):
        return None
    nominator = store.nominator_for_token(db(), token)
    if nominator is None:
        record_failure(db(), WRONG_CODES, _address(), now)
        db().commit()
    return nominator


def _last_day(nominator: store.Nominator) -> date:
    return min(nominator.round.closes_on, latest_close(timeline_of(nominator.election)))


def _page(nominator: store.Nominator, token: str, results: list[store.Colleague] | None = None,
          query: str = "", status_code: int = 200) -> Any:
    chosen, interest = store.my_nominations(db(), nominator)
    round_ = nominator.round
    return render_template(
        "nomination/nominate.html", nominator=nominator, token=token, chosen=chosen, interest=interest,
        status=status_of(round_, nominator.election, _clock().today()), last_day=_last_day(nominator),
        intro=round_.invitation_en if str(get_locale()) == "en" else round_.invitation_nl,
        offer_self=store.may_nominate_self(nominator), results=results, query=query,
        min_query=MIN_QUERY, max_motivation=MAX_MOTIVATION,
    ), status_code


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def start() -> Any:
    """The start page; a posted code opens its owner's nominations and nothing else."""
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("nomination/start.html", form=form)
    token = (form.token.data or "").strip()
    nominator = _nominator(token)
    return _invalid() if nominator is None else _page(nominator, token)


@bp.route("/search", methods=["POST"])
@limiter.limit(ATTEMPTS)
def search() -> Any:
    """Search colleagues by name without scripts: the page again, with the results."""
    form = LinkForm()
    nominator = _nominator(form.token.data or "") if form.validate_on_submit() else None
    if nominator is None:
        return _invalid()
    query = (request.form.get("q") or "").strip()[:100]
    if is_blocked(db(), SEARCHES, str(nominator.participant.id), _clock().now()):
        flash(_("Too many searches. Wait a while and try again."), "error")
        return _page(nominator, form.token.data or "", [], query, 429)
    record_failure(db(), SEARCHES, str(nominator.participant.id), _clock().now())
    db().commit()
    if len(query) < MIN_QUERY:
        flash(_("Type at least %(n)s letters of the name.", n=MIN_QUERY), "error")
    found = store.search_colleagues(db(), nominator, query, _clock().today())
    return _page(nominator, form.token.data or "", found, query)


@bp.route("/people", methods=["POST"])
@limiter.limit("120 per minute")
def people() -> Any:
    """Type-ahead: names and opaque handles of colleagues in scope, at most a few at a time."""
    form = LinkForm()
    nominator = _nominator(form.token.data or "") if form.validate_on_submit() else None
    if nominator is None:
        return jsonify(error="invalid"), 404
    if is_blocked(db(), SEARCHES, str(nominator.participant.id), _clock().now()):
        return jsonify(error="too_many"), 429
    record_failure(db(), SEARCHES, str(nominator.participant.id), _clock().now())
    db().commit()
    found = store.search_colleagues(db(), nominator, request.form.get("q") or "", _clock().today())
    return jsonify(results=[{"id": c.handle, "name": c.name} for c in found])


def _change(action: Any, success: str) -> Any:
    """Run one change to the posted nominator's nominations in one transaction; show the page."""
    form = LinkForm()
    nominator = _nominator(form.token.data or "") if form.validate_on_submit() else None
    if nominator is None:
        return _invalid()
    try:
        action(nominator)
    except store.NominationRefused as refused:
        db().rollback()
        flash(nomination_refusal(refused.code, _last_day(nominator), nominator.round.max_per_person), "error")
        return _page(nominator, form.token.data or "", status_code=422)
    db().commit()
    flash(success, "success")
    return _page(nominator, form.token.data or "")


@bp.route("/add", methods=["POST"])
@limiter.limit(ATTEMPTS)
def add() -> Any:
    """Nominate one colleague (chosen from the search results)."""
    handle = request.form.get("handle") or ""
    return _change(lambda n: store.add_nomination(db(), n, handle, _clock().today()),
                   _("Your nomination has been saved. You can change it until the round closes."))


@bp.route("/remove", methods=["POST"])
@limiter.limit(ATTEMPTS)
def remove() -> Any:
    """Withdraw the nomination of one colleague."""
    handle = request.form.get("handle") or ""
    return _change(lambda n: store.remove_nomination(db(), n, handle, _clock().today()),
                   _("The nomination has been withdrawn."))


@bp.route("/save", methods=["POST"])
@limiter.limit(ATTEMPTS)
def save() -> Any:
    """Save the motivations and the answer to "I have the OR factor myself"."""
    motivations = {k.removeprefix("motivation-"): v for k, v in request.form.items() if k.startswith("motivation-")}
    interest = request.form.get("interest") == "y"
    return _change(lambda n: store.save_choices(db(), n, motivations, interest, _clock().today()),
                   _("Your choices have been saved."))


@bp.route("/decline", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def decline() -> Any:
    """A nominee declines further messages about the nomination round."""
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("nomination/decline.html", form=form, done=False)
    if is_blocked(db(), WRONG_CODES, _address(), _clock().now()):
        participant, already = None, False
    else:
        participant, already = store.decline_messages(db(), form.token.data or "", _clock().now())
    if participant is None:
        record_failure(db(), WRONG_CODES, _address(), _clock().now())
        db().commit()
        flash(_("This link or code is not valid. Check that you copied it completely."), "error")
        return render_template("nomination/decline.html", form=form, done=False), 404
    db().commit()
    flash(_("You had already declined further messages. You will not hear from us about this again.") if already
          else _("Thank you. You will receive no further messages about the nomination round."), "success")
    return render_template("nomination/decline.html", form=form, done=True)
