"""The election record: the auditor's page, the committee's publication step and the public download.

The auditor page (auditors and the committee) shows the frozen record's contents in readable form
and runs the checks of ``stembus verify`` on the server as a background job whose progress the page
polls (:mod:`election.record_checks` explains why a job row and a thread). It says plainly that the
independent verifier, run on the auditor's own computer, remains the authority.

The public pages need no login: once the committee has published the record, anyone can download
it with its SHA-256 shown on the page and in a ``.sha256`` companion file.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from admin.committee.elections import EDITORS, VIEWERS, election_or_404
from admin.database import db
from admin.extensions import limiter
from admin.security import committee_role, load_member
from crypto.verify_report import CHECKS
from election import record_checks as rchk
from election.count_results import group_results
from election.models import Election, ElectionIdentity, RecordCheck
from election.models.record import PublishedRecord
from election.paper_count import confirmed_paper
from election.paper_voting import PaperTotals
from election.procedure import Phase, precedes
from election.record_publication import (
    CountError,
    RecordRefused,
    freeze_record,
    overview_of,
    publish_record,
    published_record,
    record_of,
    sha256_line,
    stream_record,
)

bp = Blueprint("auditor", __name__, url_prefix="/committee")
public_bp = Blueprint("public_record", __name__)

_BASE = "/elections/<int:election_id>/record"

CHECK_TITLES = {
    "version": _l("Record format and version are known"),
    "manifest": _l("The manifest is well formed; the manifest and election hashes recompute"),
    "keys": _l("The key generation transcript verifies; the joint and members' keys recompute"),
    "credentials": _l("Credential lists are sorted, distinct, valid and within the register count"),
    "board_chain": _l("The bulletin board's chain is intact from its start"),
    "ballots": _l("Every ballot is well formed: encodings, proofs, signature, number of choices"),
    "eligibility": _l("Every ballot's credential is listed for its electoral group"),
    "one_ballot_per_credential": _l("No credential cast more than one ballot"),
    "challenged": _l("Challenged ballots open to their revealed choices and are not counted"),
    "board_payloads": _l("The set-up, close, tally, share and result entries match the record"),
    "aggregates": _l("The encrypted totals recompute from the counted ballots"),
    "decryption_shares": _l("Every decryption share carries a valid proof"),
    "threshold": _l("At least the threshold of distinct committee members decrypted"),
    "counts": _l("The combined shares reproduce the published counts"),
    "seats": _l("The seat allocation recomputes from the counts"),
}
STAGES = {
    "queued": _l("Waiting to start"),
    "starting": _l("Starting"),
    "reading": _l("Reading the stored record"),
    "setup": _l("Checking manifest, keys and credentials"),
    "board": _l("Checking the bulletin board"),
    "tally": _l("Checking the tally, decryption and seats"),
    "done": _l("Finished"),
}


def _file_name(election: Election) -> str:
    return f"election-{election.id}-record.zip"


def _refusal(exc: RecordRefused) -> str:
    texts = {
        "already_published": _("The record has already been published."),
        "not_announced": _("Announce the result first (the Result page): the record is published with it."),
        "destroyed": _("The record was destroyed after its retention period."),
    }
    return texts.get(exc.code, str(exc))


def _frozen(election: Election, actor: str) -> PublishedRecord | None:
    """The frozen record, freezing it on first use once the result exists; None before the result."""
    record = record_of(db(), election.id)
    if record is not None:
        return record
    try:
        record = freeze_record(db(), election, actor, current_app.config["CLOCK"].now())
    except CountError:
        db().rollback()
        return None
    db().commit()
    return record


def _paper(overview: dict[str, Any], election: Election | None) -> dict[str, PaperTotals]:
    """A hybrid election's paper totals per group as the record holds them; empty for an online-only one."""
    tally = overview["tally"]
    if any("paper" not in t for t in tally.values()):
        # A record frozen before its overview kept the paper totals: the confirmed counts it was built from.
        return (confirmed_paper(db(), election) or {}) if election is not None else {}
    return {
        gid: PaperTotals(t["paper"]["ballots"], tuple(t["paper"]["counts"]), t["paper"]["invalid"])
        for gid, t in tally.items()
        if t["paper"] is not None
    }


def _ballots(overview: dict[str, Any], paper: dict[str, PaperTotals]) -> dict[str, dict[str, int | None]]:
    """Per group the ballots counted online, on paper (``None`` without a paper count) and in total."""
    out: dict[str, dict[str, int | None]] = {}
    for grp in overview["groups"]:
        online = int(overview["tally"].get(grp["id"], {}).get("ballots", 0))
        on_paper = paper[grp["id"]].ballots if grp["id"] in paper else None
        out[grp["id"]] = {"online": online, "paper": on_paper, "total": online + (on_paper or 0)}
    return out


def _results(overview: dict[str, Any], paper: dict[str, PaperTotals]) -> list[Any]:
    """The result per group from the record: online counts plus paper totals, as for the seats."""
    tally = overview["tally"]
    ballots = {gid: t["ballots"] for gid, t in tally.items()}
    counts = {gid: t["counts"] for gid, t in tally.items()}
    return group_results(overview["manifest"], ballots, counts, overview["seats"], paper)


def _public_url(election_id: int) -> str | None:
    uuid = db().scalar(select(ElectionIdentity.uuid).where(ElectionIdentity.election_id == election_id))
    return url_for("public_record.record_page_public", election_uuid=uuid, _external=True) if uuid else None


@bp.route(_BASE)
@committee_role(*VIEWERS)
def record_page(election_id: int) -> Any:
    """The record's contents, the server-side checks with their progress, and how to verify it yourself."""
    election = election_or_404(election_id)
    member = load_member()
    assert member is not None
    record = _frozen(election, member.email)
    overview = overview_of(record) if record is not None and record.destroyed_at is None else None
    paper = _paper(overview, election) if overview else {}
    job = rchk.latest_check(db(), election.id)
    now = current_app.config["CLOCK"].now()
    report = None
    if job is not None and job.report and record is not None and job.record_sha256 == record.sha256:
        report = json.loads(job.report)
    return render_template(
        "auditor/record.html",
        election=election,
        record=record,
        overview=overview,
        results=_results(overview, paper) if overview else [],
        ballots=_ballots(overview, paper) if overview else {},
        hybrid=bool(paper),
        job=job,
        job_status=rchk.status(job, now) if job is not None else None,
        report=report,
        check_titles=CHECK_TITLES,
        crypto_titles=dict(CHECKS),
        stages=STAGES,
        file_name=_file_name(election),
        public_url=_public_url(election.id) if record is not None and record.published_at else None,
        can_publish=member.role_enum in EDITORS,
        announced=not precedes(Phase(election.phase), Phase.RESULT_ANNOUNCED),
    )


@bp.route(f"{_BASE}/publish", methods=["POST"])
@committee_role(*EDITORS)
def record_publish(election_id: int) -> Any:
    """Publish the frozen record for download by anyone (the result is announced with it)."""
    election = election_or_404(election_id)
    member = load_member()
    assert member is not None
    try:
        record = publish_record(db(), election, member.email, current_app.config["CLOCK"].now())
    except CountError:
        db().rollback()
        flash(_("The record can be published once the count has its result."), "error")
        return redirect(url_for("auditor.record_page", election_id=election.id))
    except RecordRefused as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return redirect(url_for("auditor.record_page", election_id=election.id))
    db().commit()
    flash(_("The record is published. Its SHA-256 is %(sha)s.", sha=record.sha256), "success")
    return redirect(url_for("auditor.record_page", election_id=election.id))


@bp.route(f"{_BASE}/record.zip")
@committee_role(*VIEWERS)
def record_download(election_id: int) -> Any:
    """The frozen record, also before publication (auditors verify it on their own computer)."""
    election = election_or_404(election_id)
    record = record_of(db(), election.id)
    if record is None or record.destroyed_at is not None:
        abort(404)
    return _stream(record, _file_name(election))


@bp.route(f"{_BASE}/record.zip.sha256")
@committee_role(*VIEWERS)
def record_checksum(election_id: int) -> Any:
    """The ``.sha256`` companion of the frozen record."""
    election = election_or_404(election_id)
    record = record_of(db(), election.id)
    if record is None:
        abort(404)
    return _checksum(record, _file_name(election))


@bp.route(f"{_BASE}/checks", methods=["POST"])
@committee_role(*VIEWERS)
def record_check_start(election_id: int) -> Any:
    """Start the server-side checks of the frozen record (or show the run already under way)."""
    election = election_or_404(election_id)
    member = load_member()
    assert member is not None
    clock = current_app.config["CLOCK"]
    try:
        job = rchk.request_check(db(), election, member.email, clock.now())
    except LookupError:
        db().rollback()
        flash(_("There is no frozen record to check yet."), "error")
        return redirect(url_for("auditor.record_page", election_id=election.id))
    db().commit()
    if job.status == "queued":
        rchk.start(current_app.extensions["stembus_sessions"], job.id, clock)
    return redirect(url_for("auditor.record_page", election_id=election.id, _anchor="checks"))


@bp.route(f"{_BASE}/checks/<int:check_id>")
@committee_role(*VIEWERS)
def record_check_status(election_id: int, check_id: int) -> Any:
    """Progress of one run as JSON; a run whose process fell silent is taken over here."""
    election = election_or_404(election_id)
    job = db().get(RecordCheck, check_id)
    if job is None or job.election_id != election.id:
        abort(404)
    clock = current_app.config["CLOCK"]
    now = clock.now()
    if job.status == "queued" or rchk.is_stale(job, now):
        rchk.start(current_app.extensions["stembus_sessions"], job.id, clock)
        db().refresh(job)
    data = rchk.status(job, now)
    data["stage_label"] = str(STAGES.get(job.stage, job.stage))
    return jsonify(data)


# --- public ---------------------------------------------------------------------------------------


def _published(election_uuid: str) -> tuple[PublishedRecord, str]:
    identity = db().scalars(select(ElectionIdentity).where(ElectionIdentity.uuid == election_uuid)).one_or_none()
    record = published_record(db(), identity.election_id) if identity is not None else None
    if record is None:
        abort(404)
    return record, f"election-record-{election_uuid}.zip"


def _stream(record: PublishedRecord, name: str) -> Response:
    pieces = stream_record(current_app.extensions["stembus_sessions"], record.id)
    response = Response(pieces, mimetype="application/zip")
    response.headers["Content-Length"] = str(record.size)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-SHA256"] = record.sha256
    return response


def _checksum(record: PublishedRecord, name: str) -> Response:
    response = Response(sha256_line(record, name), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.sha256"'
    return response


@public_bp.route("/record/<election_uuid>")
def record_page_public(election_uuid: str) -> Any:
    """The published record: what it is, its SHA-256, the downloads and how to verify it."""
    record, name = _published(election_uuid)
    election = db().get(Election, record.election_id)
    overview = overview_of(record)
    paper = _paper(overview, election)
    return render_template(
        "auditor/public_record.html",
        election=election,
        record=record,
        overview=overview,
        ballots=_ballots(overview, paper),
        hybrid=bool(paper),
        election_uuid=election_uuid,
        file_name=name,
    )


@public_bp.route("/record/<election_uuid>/record.zip")
@limiter.limit("60 per hour")
def record_download_public(election_uuid: str) -> Any:
    """The published record .zip, exactly the frozen bytes."""
    record, name = _published(election_uuid)
    return _stream(record, name)


@public_bp.route("/record/<election_uuid>/record.zip.sha256")
def record_checksum_public(election_uuid: str) -> Any:
    """The ``.sha256`` companion: ``sha256sum --check`` reads it."""
    record, name = _published(election_uuid)
    return _checksum(record, name)
