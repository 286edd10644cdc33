"""Submitting lists: a union through its link, an employee (free list) through their register link.

The union or employee only ever sees the people they search for (at most ten, by employee number or
part of a name, with the passive voting right in the group); searches are rate-limited.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from admin.database import db
from admin.extensions import limiter
from admin.lists import bp
from admin.lists.forms import FreeListForm, SearchForm, TokenForm, UnionListForm, WithdrawForm
from admin.lists.text import refusal_text, review_text
from election import list_repair, list_review, list_store
from election.list_rules import UNION_CONDITIONS
from election.models import Candidacy, Election, RegisterPerson, TradeUnion
from election.register_links import person_for_token

ATTEMPTS = "10 per minute; 200 per day"
SEARCHES = "30 per minute; 300 per day"


def clock() -> Any:
    """The application's clock."""
    return current_app.config["CLOCK"]


def link_for(purpose: str, token: str) -> str:
    """A personal link with the token in the fragment (never sent to the server)."""
    endpoint = {"consent": "lists.consent", "support": "lists.support", "union": "lists.union"}[purpose]
    return f"{url_for(endpoint, _external=True)}#t={token}"


def invalid_link(template_title: str) -> Any:
    """The page for a code that opens nothing."""
    flash(
        _("This link or code is not valid. Check that you copied it completely, or ask the election committee."),
        "error",
    )
    return render_template("lists/token.html", form=TokenForm(formdata=None), title=template_title), 404


def _union(token: str) -> tuple[TradeUnion, Election] | None:
    row = list_store.token_row(db(), token, "union")
    union = db().get(TradeUnion, row.union_id) if row and row.union_id else None
    if union is None:
        return None
    election = db().get(Election, union.election_id)
    assert election is not None
    return union, election


def _union_page(
    union: TradeUnion,
    election: Election,
    token: str,
    form: UnionListForm | None = None,
    search: SearchForm | None = None,
    found: list[RegisterPerson] | None = None,
) -> Any:
    form = form or UnionListForm(formdata=None, token=token)
    form.group.choices = [SelectChoice(g.id, g.name) for g in election.groups]
    lists = list_store.union_lists_of(db(), union)
    return render_template(
        "lists/union.html",
        union=union,
        election=election,
        form=form,
        search=search or SearchForm(formdata=None, token=token),
        found=found,
        lists=lists,
        people=_names(lists),
        window=list_store.window_for(election, "union", clock().today()),
        conditions=UNION_CONDITIONS,
        token=token,
        withdraw=WithdrawForm(formdata=None, token=token),
        changes=_changes(election, lists),
    )


def _changes(election: Election, lists: list[Any]) -> dict[int, tuple[list_repair.ChangeWindow, tuple[Any, ...]]]:
    """Per list: whether it can still change (and which candidates), with the defects of its latest notice."""
    today = clock().today()
    return {
        lst.id: (
            list_repair.window_of(db(), election, lst, today),
            list_repair.notified_defects(list_review.latest_notice(db(), lst)),
        )
        for lst in lists
    }


def _names(lists: list[Any]) -> dict[int, RegisterPerson]:
    ids = [c.person_id for lst in lists for c in lst.candidates]
    return {p.id: p for p in db().query(RegisterPerson).filter(RegisterPerson.id.in_(ids))} if ids else {}


@bp.route("/union", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def union() -> Any:
    """The union's submission page; its link's code is posted by a script from the fragment."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("lists/token.html", form=form, title=_("Submit a union list"))
    token = (form.token.data or "").strip()
    found = _union(token)
    return invalid_link(_("Submit a union list")) if found is None else _union_page(*found, token)


@bp.route("/union/submit", methods=["POST"])
@limiter.limit(ATTEMPTS)
def union_submit() -> Any:
    """Store the union's list for one group, or say exactly what is wrong (nothing is stored then)."""
    form = UnionListForm()
    found = _union(form.token.data or "")
    if found is None:
        return invalid_link(_("Submit a union list"))
    union_row, election = found
    form.group.choices = [SelectChoice(g.id, g.name) for g in election.groups]
    if form.validate_on_submit():
        declared = [c for c in UNION_CONDITIONS if getattr(form, c).data]
        submission = list_store.Submission(
            form.group.data,
            form.name.data or union_row.name,
            tuple(list_store.parse_numbers(form.candidates.data or "")),
        )
        try:
            lst = list_store.submit_union_list(
                db(), election, union_row, submission, declared, clock().now(), clock().today(), actor=union_row.name
            )
            list_store.send_personal_links(db(), election, lst, clock().now(), link_for)
        except list_store.SubmissionRefused as refused:
            db().rollback()
            flash(refusal_text(refused.code, refused.params), "error")
        else:
            db().commit()
            flash(_("Your list has been received. Each candidate gets a personal link to consent."), "success")
            form = None  # type: ignore[assignment]
    return _union_page(union_row, election, request.form.get("token", ""), form)


@bp.route("/union/search", methods=["POST"])
@limiter.limit(SEARCHES)
def union_search() -> Any:
    """Find colleagues who may stand in a group (JSON for the type-ahead, a page otherwise)."""
    search = SearchForm()
    found = _union(search.token.data or "")
    if found is None:
        return invalid_link(_("Submit a union list"))
    union_row, election = found
    people = _search(election, search)
    if request.accept_mimetypes.best == "application/json":
        return jsonify([{"employee_number": p.employee_number, "name": p.name} for p in people])
    return _union_page(union_row, election, search.token.data or "", search=search, found=people)


def _search(election: Election, search: SearchForm) -> list[RegisterPerson]:
    if not search.validate_on_submit():
        return []
    try:
        group_id = int(search.group.data or 0)
    except ValueError:
        return []
    return list_store.search_candidates(db(), election.id, group_id, search.q.data or "")


@bp.route("/union/withdraw", methods=["POST"])
@limiter.limit(ATTEMPTS)
def union_withdraw() -> Any:
    """Take a candidate off the union's own list: before the deadline, or to repair a notified defect."""
    form = WithdrawForm()
    found = _union(form.token.data or "")
    if found is None:
        return invalid_link(_("Submit a union list"))
    union_row, election = found
    candidacy = db().get(Candidacy, form.candidacy.data or 0)
    if candidacy is None or candidacy.list.union_id != union_row.id:
        candidacy = None
    _withdraw(form, election, candidacy, union_row.name)
    return _union_page(union_row, election, form.token.data or "")


def _withdraw(form: WithdrawForm, election: Election, candidacy: Candidacy | None, actor: str) -> None:
    if not form.validate_on_submit() or candidacy is None:
        flash(_("Choose a candidate of your list and give the reason."), "error")
        return
    try:
        list_repair.take_off(db(), election, candidacy, form.reason.data or "", actor, clock().now(), clock().today())
    except list_review.ReviewRefused as refused:
        db().rollback()
        flash(review_text(refused.code, refused.params), "error")
    else:
        db().commit()
        flash(_("The candidate has been taken off the list; those below moved up."), "success")


# ---- free lists -----------------------------------------------------------------------------


def _submitter(token: str) -> tuple[RegisterPerson, Election] | None:
    person = person_for_token(db(), token)
    if person is None:
        return None
    election = db().get(Election, person.election_id)
    assert election is not None
    return person, election


def _free_page(
    person: RegisterPerson,
    election: Election,
    token: str,
    form: FreeListForm | None = None,
    search: SearchForm | None = None,
    found: list[RegisterPerson] | None = None,
) -> Any:
    lists = list_store.free_lists_of(db(), person)
    group = next((g for g in election.groups if g.id == person.electoral_group_id), None)
    return render_template(
        "lists/free.html",
        person=person,
        election=election,
        group=group,
        form=form or FreeListForm(formdata=None, token=token),
        search=search or SearchForm(formdata=None, token=token),
        found=found,
        lists=lists,
        people=_names(lists),
        window=list_store.window_for(election, "free", clock().today()),
        token=token,
        withdraw=WithdrawForm(formdata=None, token=token),
        changes=_changes(election, lists),
    )


@bp.route("/free", methods=["GET", "POST"])
@limiter.limit(ATTEMPTS, methods=["POST"])
def free() -> Any:
    """The free-list page, opened with the personal link of the electoral register."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("lists/token.html", form=form, title=_("Submit a free list"))
    token = (form.token.data or "").strip()
    found = _submitter(token)
    return invalid_link(_("Submit a free list")) if found is None else _free_page(*found, token)


@bp.route("/free/submit", methods=["POST"])
@limiter.limit(ATTEMPTS)
def free_submit() -> Any:
    """Store a free list, or say exactly what is wrong (nothing is stored then)."""
    form = FreeListForm()
    found = _submitter(form.token.data or "")
    if found is None:
        return invalid_link(_("Submit a free list"))
    person, election = found
    if form.validate_on_submit():
        submission = list_store.Submission(
            person.electoral_group_id, form.name.data or "", tuple(list_store.parse_numbers(form.candidates.data or ""))
        )
        try:
            lst = list_store.submit_free_list(
                db(),
                election,
                person,
                submission,
                form.declaration.data == "non_member",
                list_store.parse_numbers(form.co_submitters.data or ""),
                clock().now(),
                clock().today(),
            )
            list_store.send_personal_links(db(), election, lst, clock().now(), link_for)
        except list_store.SubmissionRefused as refused:
            db().rollback()
            flash(refusal_text(refused.code, refused.params), "error")
        else:
            db().commit()
            flash(_("Your list has been received. Each candidate gets a personal link to consent."), "success")
            form = None  # type: ignore[assignment]
    return _free_page(person, election, request.form.get("token", ""), form)


@bp.route("/free/search", methods=["POST"])
@limiter.limit(SEARCHES)
def free_search() -> Any:
    """Find colleagues who may stand in the submitter's own group."""
    search = SearchForm()
    found = _submitter(search.token.data or "")
    if found is None:
        return invalid_link(_("Submit a free list"))
    person, election = found
    search.group.data = str(person.electoral_group_id or 0)
    people = _search(election, search)
    if request.accept_mimetypes.best == "application/json":
        return jsonify([{"employee_number": p.employee_number, "name": p.name} for p in people])
    return _free_page(person, election, search.token.data or "", search=search, found=people)


@bp.route("/free/withdraw", methods=["POST"])
@limiter.limit(ATTEMPTS)
def free_withdraw() -> Any:
    """Take a candidate off one's own free list: before the deadline, or to repair a notified defect."""
    form = WithdrawForm()
    found = _submitter(form.token.data or "")
    if found is None:
        return invalid_link(_("Submit a free list"))
    person, election = found
    candidacy = db().get(Candidacy, form.candidacy.data or 0)
    mine = {lst.id for lst in list_store.free_lists_of(db(), person)}
    if candidacy is None or candidacy.list_id not in mine:
        candidacy = None
    _withdraw(form, election, candidacy, f"employee {person.employee_number}")
    return _free_page(person, election, form.token.data or "")
