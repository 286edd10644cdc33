"""The employee's self-check: one's own register entry through a personal link, and an objection.

The personal token travels in the URL fragment, which browsers never send; a small script posts it
(a form takes it when scripts are off), so it never appears in a URL the server logs. A token opens
exactly one entry; there is no page that lists people. Attempts are rate-limited per address.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin.database import db
from admin.extensions import limiter
from admin.register_text import reason_texts
from election import register_objections as objections
from election.models import Election, RegisterPerson
from election.register_links import person_for_token
from election.register_overview import group_name

bp = Blueprint("self_service", __name__, url_prefix="/register")
ATTEMPTS = "10 per minute; 100 per day"


class TokenForm(FlaskForm):
    """The personal code, for browsers without scripts or a link that was copied by hand."""

    token = StringField(_l("Your personal code"), validators=[DataRequired(), Length(max=100)])


class ObjectionForm(FlaskForm):
    """An objection against one's own entry."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    text = TextAreaField(
        _l("What is wrong in your entry?"),
        validators=[DataRequired(_l("Describe what is wrong.")), Length(max=objections.MAX_TEXT)],
    )


def _invalid(form: TokenForm) -> Any:
    flash(
        _(
            "This link or code is not valid. Check that you copied it completely, or ask the election "
            "committee for a new link."
        ),
        "error",
    )
    return render_template("register/self.html", form=form), 404


def _entry(person: RegisterPerson, token: str, form: ObjectionForm | None = None) -> Any:
    election = db().get(Election, person.election_id)
    assert election is not None
    today = current_app.config["CLOCK"].today()
    return render_template(
        "register/entry.html",
        person=person,
        election=election,
        group=group_name(db(), person),
        reasons=reason_texts(person.reason_codes),
        objections=objections.objections_of_person(db(), person),
        window_open=objections.objection_window_open(election, today),
        deadline=objections.objection_deadline(election),
        form=form or ObjectionForm(token=token),
    )


@bp.route("/self", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def self_check() -> Any:
    """The self-check page; a posted token shows its owner's entry and nothing else."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("register/self.html", form=form)
    token = (form.token.data or "").strip()
    person = person_for_token(db(), token)
    return _invalid(form) if person is None else _entry(person, token)


@bp.route("/self/objection", methods=["POST"])
@limiter.limit(ATTEMPTS)
def self_objection() -> Any:
    """File an objection against one's own entry while the window is open."""
    form = ObjectionForm()
    person = person_for_token(db(), form.token.data or "")
    if person is None:
        return _invalid(TokenForm(formdata=None))
    if form.validate_on_submit():
        election = db().get(Election, person.election_id)
        assert election is not None
        clock = current_app.config["CLOCK"]
        try:
            objections.file_objection(db(), election, person, form.text.data or "", clock.today(), clock.now())
        except objections.ObjectionRefused as refused:
            db().rollback()
            flash(_refusal(refused), "error")
        else:
            db().commit()
            flash(
                _("Your objection has been received. The election committee will decide on it and tell you."), "success"
            )
            form = ObjectionForm(formdata=None, token=form.token.data)
    return _entry(person, form.token.data or "", form)


def _refusal(refused: objections.ObjectionRefused) -> str:
    if refused.reason == "late" and refused.deadline is not None:
        return _(
            "The period for objections ended on %(date)s. Your objection cannot be accepted.",
            date=format_date(refused.deadline, "long"),
        )
    if refused.reason == "pending":
        return _("You already have an objection waiting for a decision.")
    if refused.reason == "empty":
        return _("Describe what is wrong.")
    return _("The register is final: objections can no longer be filed.")
