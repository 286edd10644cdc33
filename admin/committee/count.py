"""The committee's count screens: the closed board, the tally, trustees' decryption shares, the lot seed,
the results per group and the election record with its SHA-256.

Every computation lives in :mod:`election.tally_store`; a trustee makes their shares on their own
computer with ``stembus trustee decrypt`` after re-deriving the tally from the downloaded board.
Once the record has been frozen (:mod:`election.record_publication`), its stored bytes and hash are
the record: this screen shows and hands out those, and rebuilds the record only before then.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from admin.committee import bp
from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.count_text import count_refusal
from admin.database import db
from admin.security import committee_role, load_member
from election import tally_store as ts
from election.ceremony_relay import TRUSTEE_ROLES
from election.count_record import record_zip
from election.count_results import group_results
from election.models import CommitteeMember, Election
from election.models.record import PublishedRecord
from election.paper_count import confirmed_paper, paper_counts
from election.paper_marks import paper_voting_allowed
from election.record_publication import record_of
from election.voting_codes import identity_of, manifest_of

_BASE = "/elections/<int:election_id>/count"
MAX_SHARES_BYTES = 4 * 1024 * 1024


class SharesForm(FlaskForm):
    """The decryption share file written by ``stembus trustee decrypt``."""

    shares = FileField(_l("Decryption share file"), validators=[FileRequired(_l("Choose a file to upload."))])


class LotSeedForm(FlaskForm):
    """The lot seed as the committee fixed it in public, entered once."""

    seed = StringField(
        _l("Lot seed as fixed in public (for example the dice thrown at the count meeting)"),
        validators=[DataRequired(), Length(max=ts.MAX_LOT_TEXT)],
    )


def _member() -> CommitteeMember:
    member = load_member()
    assert member is not None
    return member


def _back(election: Election) -> Any:
    return redirect(url_for("committee.count_overview", election_id=election.id))


def _frozen_record(election: Election) -> PublishedRecord | None:
    """The record as frozen at the result, while its bytes are kept (not yet destroyed by retention)."""
    record = record_of(db(), election.id)
    return record if record is not None and record.destroyed_at is None else None


def _record_hash(election: Election) -> str:
    """The SHA-256 of the election record: the frozen one's once it exists, else that of a fresh build."""
    frozen = _frozen_record(election)
    return frozen.sha256 if frozen is not None else record_zip(db(), election)[1]


def _json_download(data: Any, name: str) -> Any:
    body = json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    return send_file(BytesIO(body), mimetype="application/json", as_attachment=True, download_name=name)


@bp.route(_BASE)
@committee_role(*VIEWERS)
def count_overview(election_id: int) -> Any:
    """Board head after closing, tally, trustees' status, lot seed, results and the record."""
    election = election_or_404(election_id)
    count = ts.count_of(db(), election.id)
    trustees, names, results, record_hash = [], {}, [], None
    if count is not None:
        trustees = ts.trustee_status(db(), election)
        names = {m.id: m.name for m in db().query(CommitteeMember)}
        if count.seats is not None and count.counts is not None:
            identity = identity_of(db(), election.id)
            assert identity is not None
            ballots = {g["id"]: g["ballots"] for g in json.loads(count.aggregates)}
            counts, seats = json.loads(count.counts), json.loads(count.seats)
            paper = confirmed_paper(db(), election) or {}
            results = group_results(manifest_of(identity), ballots, counts, seats, paper)
            record_hash = _record_hash(election)
    member = _member()
    return render_template(
        "committee/count/overview.html",
        election=election,
        count=count,
        groups=json.loads(count.aggregates) if count is not None else [],
        trustees=trustees,
        names=names,
        results=results,
        record_hash=record_hash,
        hybrid=paper_voting_allowed(election),
        paper_waiting=sorted(g for g, row in paper_counts(db(), election.id).items() if row.confirmed_at is None),
        paper_done=confirmed_paper(db(), election) is not None,
        shares_form=SharesForm(),
        lot_form=LotSeedForm(),
        is_trustee=any(t.member_id == member.id for t in trustees),
        can_edit=member.role_enum in EDITORS,
    )


@bp.route(f"{_BASE}/count-file.json")
@committee_role(*VIEWERS)
def count_file_download(election_id: int) -> Any:
    """The whole public board with manifest, keys and credentials, for ``stembus trustee decrypt``."""
    election = election_or_404(election_id)
    try:
        data = ts.count_file(db(), election)
    except ts.CountError as exc:
        flash(count_refusal(exc), "error")
        return _back(election)
    return _json_download(data, f"count-{election.id}-board.json")


@bp.route(f"{_BASE}/tally.json")
@committee_role(*VIEWERS)
def count_tally_download(election_id: int) -> Any:
    """The tally the trustees are asked to decrypt."""
    election = election_or_404(election_id)
    try:
        data = ts.tally_document(db(), election)
    except ts.CountError as exc:
        flash(count_refusal(exc), "error")
        return _back(election)
    return _json_download(data, f"count-{election.id}-tally.json")


@bp.route(f"{_BASE}/shares", methods=["POST"])
@committee_role(*TRUSTEE_ROLES)
def count_shares_upload(election_id: int) -> Any:
    """Take the signed-in trustee's decryption shares; each proof is checked before anything is stored."""
    election = election_or_404(election_id)
    form = SharesForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "error")
        return _back(election)
    raw = form.shares.data.read(MAX_SHARES_BYTES + 1)
    try:
        doc = json.loads(raw) if len(raw) <= MAX_SHARES_BYTES else None
    except ValueError:
        doc = None
    try:
        ts.submit_decryption_share(db(), election, _member(), doc, current_app.config["CLOCK"].now())
    except ts.CountError as exc:
        db().rollback()
        flash(count_refusal(exc), "error")
        return _back(election)
    db().commit()
    flash(_("Your decryption shares verify and were accepted."), "success")
    return _back(election)


@bp.route(f"{_BASE}/lot-seed", methods=["POST"])
@committee_role(*EDITORS)
def count_lot_seed(election_id: int) -> Any:
    """Enter the lot seed the committee fixed in public; a second entry is refused."""
    election = election_or_404(election_id)
    form = LotSeedForm()
    if not form.validate_on_submit():
        flash(_("Enter the lot seed as fixed in public (at most 500 characters)."), "error")
        return _back(election)
    try:
        ts.fix_lot_seed(db(), election, _member(), form.seed.data or "", current_app.config["CLOCK"].now())
    except ts.CountError as exc:
        db().rollback()
        flash(count_refusal(exc), "error")
        return _back(election)
    db().commit()
    flash(_("The lot seed is fixed."), "success")
    return _back(election)


@bp.route(f"{_BASE}/record.zip")
@committee_role(*VIEWERS)
def count_record_download(election_id: int) -> Any:
    """The election record (manifest, keys, credentials, board, tally, seats) as a reproducible .zip."""
    election = election_or_404(election_id)
    if _frozen_record(election) is not None:
        # The frozen bytes are the record from now on, the same the auditor and the public download.
        return redirect(url_for("auditor.record_download", election_id=election.id))
    try:
        data, digest = record_zip(db(), election)
    except ts.CountError as exc:
        flash(count_refusal(exc), "error")
        return _back(election)
    response = send_file(
        BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"election-{election.id}-record.zip",
    )
    response.headers["X-Content-SHA256"] = digest
    return response
