"""The voter's booth (``/stem`` in Dutch, ``/vote`` in English), casting, and the public board.

The voting code never reaches these views: the browser derives the credential from it and sends
only the public credential and the finished ballot. Every refusal is a translated JSON message with
a 4xx status; failures that look like code guessing count against the client address through the
database-backed throttle, so the limit holds across workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from admin.database import db
from crypto import board as bd
from election import voter_second_factor as second_factor
from election.board_store import (
    ballot_cast_under,
    board_lines,
    closed_at_head,
    entries,
    entry_listing,
    find_by_tracking_code,
    head_hash,
    is_closed,
    last_entry,
    to_entry,
)
from election.casting import GUESSING, CastRefused, cast_ballot, credential_standing, open_identity, post_challenged
from election.models import Election
from election.models.voting import BoardEntry, ElectionIdentity, VotingCredential
from election.throttle import Limit, any_blocked, record_failure
from election.voting_booth import booth_parameters

bp = Blueprint("booth", __name__)

CAST_FAILURES = Limit("vote-ip", failures=30, window=timedelta(minutes=15))
CAST_FAILURES_GLOBAL = Limit("vote-all", failures=2000, window=timedelta(minutes=15))
_PREFIX = {"nl": "/stem", "en": "/vote"}
_HEX = "0123456789abcdefABCDEF"
BOARD_PAGE_SIZE = 50  # entries per page of the public board, newest first

MESSAGES = {
    "not_open": _l("Voting is not open at this moment."),
    "closed": _l("Voting has closed."),
    "malformed": _l("The ballot could not be read. Reload the page and try again."),
    "unknown_credential": _l(
        "This voting code is not valid for this election. Check the code on your letter or e-mail."
    ),
    "revoked": _l("This voting code has been withdrawn. Use the new code the election committee sent you."),
    "voted_on_paper": _l(
        "The election committee has registered that you voted on paper, so this voting code can no longer be used."
    ),
    "wrong_group": _l("This ballot is not for your electoral group."),
    "invalid": _l("The ballot did not pass the checks. Reload the page and vote again."),
    "already_voted": _l("A vote has already been cast with this code. Each code can vote once."),
    "busy": _l("The ballot box is busy. Wait a moment and try again; your vote has not been stored yet."),
    "throttled": _l("Too many failed attempts from this connection. Wait a quarter of an hour and try again."),
    "not_json": _l("The ballot could not be read. Reload the page and try again."),
    "second_factor_no_email": _l(
        "This election asks for a one-time code by e-mail, but the register has no e-mail address for you. "
        "Ask the election committee."
    ),
    "second_factor_wait": _l("A one-time code was sent less than a minute ago. Check your e-mail, or wait a moment."),
    "second_factor_expired": _l("The one-time code has expired or was already used. Ask for a new one."),
    "second_factor_locked": _l("Too many wrong one-time codes. Ask for a new one."),
    "second_factor_wrong": _l("The one-time code is not correct. Check your e-mail and try again."),
}


def _identity(election_uuid: str) -> ElectionIdentity:
    row = db().scalars(select(ElectionIdentity).where(ElectionIdentity.uuid == election_uuid)).first()
    if row is None or row.election_hash is None:
        abort(404)
    return row


def _opened(election_uuid: str) -> tuple[ElectionIdentity, Election]:
    """The identity and its election in one query, for the endpoints voters post to.

    The caller holds on to both for the whole request, so the later look-ups of the election (the
    one-time code, the open check) find it in the request's session instead of asking again.
    """
    query = (
        select(ElectionIdentity, Election)
        .join(Election, Election.id == ElectionIdentity.election_id)
        .where(ElectionIdentity.uuid == election_uuid)
    )
    found = db().execute(query).first()
    if found is None or found[0].election_hash is None:
        abort(404)
    return found[0], found[1]


def _now() -> Any:
    return current_app.config["CLOCK"].now()


def _voting_now() -> Any:
    """The instant that decides whether voting is open: the database's clock, the same for every host."""
    return current_app.config["CLOCK"].database_now(db())


def _client() -> str:
    return request.remote_addr or "unknown"


def _refuse(code: str, status: int, lang: str) -> Any:
    with force_locale(lang):
        return jsonify({"error": code, "message": str(MESSAGES.get(code, MESSAGES["invalid"]))}), status


def _blocked(lang: str) -> Any | None:
    if any_blocked(db(), [(CAST_FAILURES, _client()), (CAST_FAILURES_GLOBAL, "all")], _now()):
        answer, status = _refuse("throttled", 429, lang)
        return answer, status, {"Retry-After": str(int(CAST_FAILURES.window.total_seconds()))}
    return None


def _failed(exc: CastRefused, lang: str) -> Any:
    session = db()
    session.rollback()
    if exc.code == "second_factor_wrong":
        body = request.get_json(silent=True)
        credential = body.get("credential") if isinstance(body, dict) else None
        if isinstance(credential, str):
            second_factor.count_wrong_try(
                session, _identity(request.view_args["election_uuid"]).election_id, credential.lower()
            )
        session.commit()
    if exc.code in GUESSING:
        record_failure(session, CAST_FAILURES, _client(), _now())
        record_failure(session, CAST_FAILURES_GLOBAL, "all", _now())
        session.commit()
    return _refuse(exc.code, exc.status, lang)


@bp.route("/stem", defaults={"lang": "nl"})
@bp.route("/vote", defaults={"lang": "en"})
def booth_start(lang: str) -> Any:
    """The single election open for voting, or a page saying none is open."""
    open_ids = db().scalars(select(ElectionIdentity.uuid).where(ElectionIdentity.opened_at.is_not(None))).all()
    if len(open_ids) == 1:
        return redirect(url_for("booth.booth", lang=lang, election_uuid=open_ids[0]))
    with force_locale(lang):
        return render_template("voting/no_election.html", lang=lang), 404


@bp.route("/stem/<election_uuid>", defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>", defaults={"lang": "en"})
def booth(lang: str, election_uuid: str) -> Any:
    """The booth page: code, ballot, review, (test), cast, receipt; all of it runs in the browser."""
    identity = _identity(election_uuid)
    other = "en" if lang == "nl" else "nl"
    with force_locale(lang):
        return render_template(
            "voting/booth.html",
            identity=identity,
            lang=lang,
            other_url=url_for("booth.booth", lang=other, election_uuid=election_uuid),
            board_url=url_for("booth.board", election_uuid=election_uuid, lang=lang),
        )


@bp.route("/stem/<election_uuid>/parameters.json", defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/parameters.json", defaults={"lang": "en"})
def parameters(lang: str, election_uuid: str) -> Any:
    """The election's public parameters and every group's ballot, as the booth needs them."""
    return jsonify(booth_parameters(_identity(election_uuid)))


def _posted_credential(election_id: int) -> tuple[str, VotingCredential, BoardEntry | None]:
    """The posted public credential (lower-case hex), its row and its counted ballot, while voting is open.

    Refuses with ``CastRefused`` as casting would.
    """
    body = request.get_json(silent=True)
    credential = body.get("credential") if isinstance(body, dict) else None
    open_identity(db(), election_id, _voting_now())
    if not isinstance(credential, str) or len(credential) != 64 or not set(credential) <= set(_HEX):
        raise CastRefused("malformed", 400)
    credential = credential.lower()
    row, counted = credential_standing(db(), election_id, credential)
    return credential, row, counted


@bp.route("/stem/<election_uuid>/credential", methods=["POST"], defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/credential", methods=["POST"], defaults={"lang": "en"})
def credential_group(lang: str, election_uuid: str) -> Any:
    """Which group's ballot a public credential gets (the code itself is never sent)."""
    _, election = _opened(election_uuid)
    blocked = _blocked(lang)
    if blocked is not None:
        return blocked
    try:
        _, row, counted = _posted_credential(election.id)
    except CastRefused as exc:
        return _failed(exc, lang)
    from election.voting_codes import group_key

    if counted is not None:
        return _refuse("already_voted", 409, lang)
    return jsonify({"group": group_key(row.electoral_group_id), "second_factor": second_factor.required(election)})


@bp.route("/stem/<election_uuid>/second-factor", methods=["POST"], defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/second-factor", methods=["POST"], defaults={"lang": "en"})
def second_factor_code(lang: str, election_uuid: str) -> Any:
    """Mail the credential holder a one-time code, when the election asks for one besides the voting code."""
    _, election = _opened(election_uuid)
    blocked = _blocked(lang)
    if blocked is not None:
        return blocked
    try:
        credential, _, _ = _posted_credential(election.id)
        if not second_factor.required(election):
            abort(404)
        second_factor.send_code(db(), election, credential, current_app.config["SECRET_KEY"], _now())
    except CastRefused as exc:
        return _failed(exc, lang)
    db().commit()
    return jsonify({"sent": True}), 202


def _store_posted(lang: str, election_uuid: str, store: Callable[[Any, int, Any, Any], Any]) -> tuple[Any, Any]:
    """Run ``store`` on a posted JSON ballot in one transaction: (result, None) or (None, refusal answer)."""
    _, election = _opened(election_uuid)
    blocked = _blocked(lang)
    if blocked is not None:
        return None, blocked
    body = request.get_json(silent=True)
    if body is None:
        return None, _refuse("not_json", 400, lang)
    try:
        result = store(db(), election.id, body, _voting_now())
    except CastRefused as exc:
        return None, _failed(exc, lang)
    db().commit()
    return result, None


def _cast_with_second_factor(session: Any, election_id: int, body: Any, now: Any) -> Any:
    """Cast, after using up the voter's one-time code when the election asks for one."""
    typed = request.headers.get("X-Second-Factor", "")
    second_factor.guard_cast(session, election_id, body, typed, current_app.config["SECRET_KEY"], now)
    return cast_ballot(session, election_id, body, now)


@bp.route("/stem/<election_uuid>/cast", methods=["POST"], defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/cast", methods=["POST"], defaults={"lang": "en"})
def cast(lang: str, election_uuid: str) -> Any:
    """Cast one ballot (JSON, with the X-CSRFToken header); answers the receipt."""
    receipt, refused = _store_posted(lang, election_uuid, _cast_with_second_factor)
    if refused is not None:
        return refused
    return jsonify(receipt.to_dict()), 200 if receipt.repeated else 201


@bp.route("/stem/<election_uuid>/challenge", methods=["POST"], defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/challenge", methods=["POST"], defaults={"lang": "en"})
def challenge(lang: str, election_uuid: str) -> Any:
    """Post a tested (Benaloh-challenged) ballot with its disclosure; it is never counted."""
    code, refused = _store_posted(lang, election_uuid, post_challenged)
    if refused is not None:
        return refused
    return jsonify({"tracking_code": code}), 201


@bp.route("/board/<election_uuid>")
def board(election_uuid: str) -> Any:
    """The public board: its head, one page of entries (newest first), or a search by tracking code.

    A search shows only what it found: one indexed query, whatever the length of the board.
    """
    identity = _identity(election_uuid)
    typed = request.args.get("code", "").strip()
    last = last_entry(db(), identity.election_id)
    found, rows, page, pages = None, [], 1, 1
    if typed:
        found = find_by_tracking_code(db(), identity.election_id, _normalise_tracking(typed))
    else:
        newest = -1 if last is None else last.seq
        pages = max(1, -(-(newest + 1) // BOARD_PAGE_SIZE))
        page = request.args.get("page", default=1, type=int)
        if not 1 <= page <= pages:
            abort(404)
        upto = newest - (page - 1) * BOARD_PAGE_SIZE
        rows = entry_listing(db(), identity.election_id, upto=upto, count=BOARD_PAGE_SIZE)
    lang = request.args.get("lang")
    with force_locale(lang) if lang in _PREFIX else nullcontext():
        return render_template(
            "voting/board.html",
            identity=identity,
            head=None if last is None else bd.entry_hash(to_entry(last)).hex(),
            rows=rows,
            page=page,
            pages=pages,
            page_lang=lang if lang in _PREFIX else None,
            typed=typed,
            found=found,
            closed=closed_at_head(last),
        )


@bp.route("/board/<election_uuid>.json")
def board_json(election_uuid: str) -> Any:
    """The board as JSON: the head and every entry without payload (``?after=SEQ`` pages on)."""
    identity = _identity(election_uuid)
    after = request.args.get("after", default=-1, type=int)
    rows = [
        {
            **bd.Entry(r.seq, bytes.fromhex(r.prev_hash), r.type, bytes.fromhex(r.payload_hash), r.time).to_dict(),
            "tracking_code": r.tracking_code,
        }
        for r in entries(db(), identity.election_id, after=after, limit=1000)
    ]
    return jsonify(
        {"election_hash": identity.election_hash, "head": head_hash(db(), identity.election_id), "entries": rows}
    )


def _normalise_tracking(text: str) -> str:
    cleaned = text.upper().replace(" ", "").replace("-", "").replace("O", "0").replace("I", "1").replace("L", "1")
    cleaned = cleaned[: bd.TRACKING_CODE_LENGTH]
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


@bp.route("/board/<election_uuid>/board.jsonl")
def board_download(election_uuid: str) -> Any:
    """The whole board with every payload, once voting has closed (the record's ``board.jsonl``)."""
    identity = _identity(election_uuid)
    if not is_closed(db(), identity.election_id):
        abort(404)
    headers = {"Content-Disposition": f'attachment; filename="board-{election_uuid}.jsonl"'}
    return Response(_streamed_board(identity.election_id), mimetype="application/x-ndjson", headers=headers)


def _streamed_board(election_id: int) -> Iterator[str]:
    """The board's lines in a session of their own: the response is streamed after the view returned,
    when the request's session has been closed; this one closes when the last line is sent."""
    factory = current_app.extensions["stembus_sessions"]

    def lines() -> Iterator[str]:
        with factory() as session:
            yield from board_lines(session, election_id)

    return lines()


@bp.route("/stem/<election_uuid>/controle", defaults={"lang": "nl"})
@bp.route("/vote/<election_uuid>/check", defaults={"lang": "en"})
def no_vote_check(lang: str, election_uuid: str) -> Any:
    """After closing: a voter checks with their code, in the browser, that no ballot was cast under it."""
    identity = _identity(election_uuid)
    other = "en" if lang == "nl" else "nl"
    with force_locale(lang):
        return render_template(
            "voting/no_vote_check.html",
            identity=identity,
            lang=lang,
            closed=is_closed(db(), identity.election_id),
            other_url=url_for("booth.no_vote_check", lang=other, election_uuid=election_uuid),
        )


@bp.route("/board/<election_uuid>/credentials/<credential>.json")
def credential_used(election_uuid: str, credential: str) -> Any:
    """Yes or no: is a counted ballot on the closed board under this public credential."""
    identity = _identity(election_uuid)
    if len(credential) != 64 or any(c not in "0123456789abcdef" for c in credential):
        abort(400)
    if not is_closed(db(), identity.election_id):
        abort(404)
    return jsonify({"ballot_cast": ballot_cast_under(db(), identity.election_id, credential)})
