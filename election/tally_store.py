"""The count on a stored election: closing the board, the fixed tally, trustees' shares, counts and seats.

Order of events, as in ``crypto.simulate``: when a second committee member confirms the step to
COUNTED the board gets its ``close`` entry (ballots per group) and one ``tally`` entry per group;
from then on the head after ``close`` is fixed and shown. Trustees submit decryption shares for
every group's aggregate; each share's Chaum-Pedersen proof is checked against the trustee's
verification key from the key ceremony before anything is stored. Once ``t`` trustees have shared,
the counts are combined and solved. Once the committee has also fixed the lot seed in public (and,
in a hybrid election, confirmed every group's paper count, ``election.paper_count``), the seats are
allocated per group by ``election.seats`` from the online and paper votes added together, and the
board ends with the ``share`` entries (member order) and the ``result`` entry. Every refusal changes
nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

# Imported as a module: voting_codes imports procedure_store, which loads this module for its effects.
import election.voting_codes as vc
from crypto import board as bd
from crypto import elgamal
from crypto.dlog import DlogError, solve
from crypto.threshold import DecryptionShare, ThresholdError, combine_decryption_shares, verify_decryption_share
from crypto.verify_tally import seat_input
from election import audit_log
from election.board_store import append_entry, ballots_per_group, entries, head_hash
from election.count_board import SHARES_FILE_FORMAT, TALLY_FILE_FORMAT, parse_manifest
from election.key_ceremony import CompletedCeremony, completed_ceremony
from election.models import CommitteeMember, Election
from election.models.count import DecryptionShareSet, ElectionCount
from election.models.voting import ElectionIdentity
from election.paper_count import confirmed_paper
from election.paper_voting import PaperTotals, add_paper, total_invalid
from election.procedure import Phase, StepRefused
from election.procedure_store import EFFECTS, voting_window_of
from election.running_tally import board_aggregates, running_aggregates
from election.seats import SeatInputError, allocate, parse_contest

MAX_LOT_TEXT = 500


class CountError(Exception):
    """A count step was refused; ``code`` selects the message shown, ``details`` fill it in."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message.format(**details) if details else message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class TrusteeStatus:
    """One trustee of the count: their number, account and whether their shares are in."""

    index: int
    member_id: int
    shared: bool


# --- closing -------------------------------------------------------------------------------------


def count_of(db: Session, election_id: int) -> ElectionCount | None:
    """The election's count, once the board has been closed."""
    return db.scalars(select(ElectionCount).where(ElectionCount.election_id == election_id)).one_or_none()


def opened_identity(db: Session, election_id: int) -> ElectionIdentity:
    identity = vc.identity_of(db, election_id)
    if identity is None or identity.election_hash is None:
        raise CountError("not_open", "voting was never opened: there is no board to close")
    return identity


def close_and_tally(db: Session, election: Election, actor: str, now: datetime) -> ElectionCount:
    """Close the board and fix the tally: the ``close`` entry, then one ``tally`` entry per group.

    The aggregates are the running tally every cast kept (:mod:`election.running_tally`) when it
    covers every ballot on the board, else the sum over the board; the trustees re-derive them from
    the board either way. Runs once; a second call returns the existing count.
    """
    existing = count_of(db, election.id)
    if existing is not None:
        return existing
    identity = opened_identity(db, election.id)
    manifest = parse_manifest(vc.manifest_of(identity))
    counted = ballots_per_group(db, election.id)
    close = {"ballots": {grp.id: counted.get(grp.id, 0) for grp in manifest.groups}}
    append_entry(db, identity, bd.CLOSE, bd.payload_hash(bd.CLOSE, close), close, now)
    board_head = head_hash(db, election.id)
    assert board_head is not None
    groups = running_aggregates(db, election.id, manifest) or board_aggregates(db, election.id, manifest)
    for grp in groups:
        payload = {"group": grp.id, "aggregate_hash": bd.json_hash(grp.to_dict()["aggregate"]).hex()}
        append_entry(db, identity, bd.TALLY, bd.payload_hash(bd.TALLY, payload), payload, now)
    count = ElectionCount(
        election_id=election.id,
        board_head=board_head,
        aggregates=vc.canonical([grp.to_dict() for grp in groups]),
        tallied_at=now,
    )
    db.add(count)
    db.flush()
    audit_log.record_at(db, now, actor, "board_closed", election.id, board_head=board_head, ballots=close["ballots"])
    return count


def _close_effect(db: Session, election: Election, actor: str, now: datetime) -> None:
    _, closes = voting_window_of(election)
    if now < closes:
        raise StepRefused(
            f"voting is open until {closes:%Y-%m-%d %H:%M}: the vote is closed after the voting window",
            code="voting_open",
            basis="the voting window of the timetable",
            target=Phase.COUNTED,
        )
    close_and_tally(db, election, actor, now)


EFFECTS.setdefault(Phase.COUNTED, []).append(_close_effect)


# --- what the trustees download ------------------------------------------------------------------


def _require_count(db: Session, election: Election) -> ElectionCount:
    count = count_of(db, election.id)
    if count is None:
        raise CountError("not_closed", "the vote has not been closed yet")
    return count


def tally_document(db: Session, election: Election) -> dict[str, Any]:
    """The tally the trustees are asked to decrypt: head after closing and every group's aggregate."""
    count = _require_count(db, election)
    identity = opened_identity(db, election.id)
    return {
        "format": TALLY_FILE_FORMAT,
        "election": election.id,
        "election_hash": identity.election_hash,
        "board_head": count.board_head,
        "groups": json.loads(count.aggregates),
    }


def count_file(db: Session, election: Election) -> dict[str, Any]:
    """The whole public board with manifest, keys and credential lists, for a trustee to re-derive the tally."""
    from election.count_board import COUNT_FILE_FORMAT, board_line
    from election.voting_codes import credential_lists

    _require_count(db, election)
    identity = opened_identity(db, election.id)
    assert identity.keys is not None
    from election.board_store import to_entry

    return {
        "format": COUNT_FILE_FORMAT,
        "election": election.id,
        "manifest": vc.manifest_of(identity),
        "keys": json.loads(identity.keys),
        "credentials": {"groups": credential_lists(db, identity)},
        "board": [board_line(to_entry(row), json.loads(row.payload)) for row in entries(db, election.id)],
    }


# --- decryption shares ---------------------------------------------------------------------------


def _ceremony(db: Session, election: Election) -> CompletedCeremony:
    ceremony = completed_ceremony(db, election.id)
    if ceremony is None:
        raise CountError("no_keys", "the key ceremony has not been completed")
    return ceremony


def share_sets(db: Session, election_id: int) -> list[DecryptionShareSet]:
    """The stored share sets in trustee order."""
    query = select(DecryptionShareSet).where(DecryptionShareSet.election_id == election_id)
    return list(db.scalars(query.order_by(DecryptionShareSet.member_index)))


def trustee_status(db: Session, election: Election) -> list[TrusteeStatus]:
    """Every trustee of the ceremony and whether they have shared."""
    ceremony = _ceremony(db, election)
    done = {s.member_index for s in share_sets(db, election.id)}
    return [TrusteeStatus(j, mid, j in done) for j, mid in enumerate(ceremony.trustees, start=1)]


def _parse_share_file(raw: Any, election: Election, identity: ElectionIdentity) -> tuple[int, dict[str, Any]]:
    if not isinstance(raw, dict) or raw.get("format") != SHARES_FILE_FORMAT:
        raise CountError("not_shares", "this is not a decryption share file from stembus trustee decrypt")
    if raw.get("election") != election.id or raw.get("election_hash") != identity.election_hash:
        raise CountError("other_election", "these decryption shares are for another election")
    member, groups = raw.get("member"), raw.get("groups")
    if not isinstance(member, int) or isinstance(member, bool) or not isinstance(groups, dict):
        raise CountError("not_shares", "this is not a decryption share file from stembus trustee decrypt")
    return member, groups


def submit_decryption_share(
    db: Session, election: Election, member: CommitteeMember, shares_json: Any, now: datetime
) -> DecryptionShareSet:
    """Check and store one trustee's decryption shares for every group; then count if ``t`` have shared.

    Refuses (``CountError``, nothing stored) a file for another election or another tally, a
    committee member who is not a trustee, a file made with another trustee's share, a second
    submission by the same trustee, and any share whose proof does not verify — naming the trustee,
    the group and the option.
    """
    count = _require_count(db, election)
    if count.result_at is not None:
        raise CountError("result_final", "the result has been published: no more shares are taken")
    identity = opened_identity(db, election.id)
    ceremony = _ceremony(db, election)
    if member.id not in ceremony.trustees:
        raise CountError("not_trustee", "{name} holds no key share for this election", name=member.email)
    j = ceremony.trustees.index(member.id) + 1
    index, groups = _parse_share_file(shares_json, election, identity)
    if index != j:
        raise CountError(
            "wrong_member",
            "these are trustee {index}'s shares, but {name} is trustee {j}",
            index=index,
            name=member.email,
            j=j,
        )
    if any(s.member_index == j for s in share_sets(db, election.id)):
        raise CountError("already_shared", "trustee {j} ({name}) has already submitted shares", j=j, name=member.email)
    if shares_json.get("board_head") != count.board_head:
        raise CountError("other_tally", "these decryption shares are for another tally (board head differs)")
    stored = _checked_shares(
        json.loads(count.aggregates), groups, j, ceremony, bytes.fromhex(identity.election_hash or "")
    )
    row = DecryptionShareSet(
        election_id=election.id,
        member_index=j,
        committee_member_id=member.id,
        shares=vc.canonical(stored),
        submitted_at=now,
    )
    db.add(row)
    db.flush()
    audit_log.record_at(db, now, member.email, "decryption_shares_submitted", election.id, trustee=j)
    _try_count(db, election, count, ceremony)
    _try_result(db, election, count, member.email, now)
    return row


def _checked_shares(
    tally: list[dict[str, Any]], groups: dict[str, Any], j: int, ceremony: CompletedCeremony, election_hash: bytes
) -> dict[str, list[dict[str, Any]]]:
    if sorted(groups) != sorted(g["id"] for g in tally):
        raise CountError("bad_share", "trustee {j}: shares are missing or extra for some electoral groups", j=j)
    key = ceremony.verification_keys[j]
    out: dict[str, list[dict[str, Any]]] = {}
    for grp in tally:
        raw = groups[grp["id"]]
        if not isinstance(raw, list) or len(raw) != len(grp["aggregate"]):
            raise CountError("bad_share", "trustee {j}: group {group} needs one share per option", j=j, group=grp["id"])
        for i, (item, ct_raw) in enumerate(zip(raw, grp["aggregate"], strict=True)):
            ct = elgamal.Ciphertext.from_dict(ct_raw, allow_identity=True)
            try:
                share = DecryptionShare.from_dict(item)
            except ThresholdError:
                share = None
            if share is None or share.member != j or not verify_decryption_share(share, ct, key, election_hash):
                raise CountError(
                    "bad_share",
                    "trustee {j}: the decryption share for group {group}, option {option} is wrong",
                    j=j,
                    group=grp["id"],
                    option=i + 1,
                )
        out[grp["id"]] = list(raw)
    return out


def _try_count(db: Session, election: Election, count: ElectionCount, ceremony: CompletedCeremony) -> None:
    """Combine the ``t`` lowest-numbered trustees' shares and solve every count (verified shares only)."""
    sets = share_sets(db, election.id)
    if count.counts is not None or len(sets) < ceremony.threshold:
        return
    chosen = sets[: ceremony.threshold]
    parsed = {s.member_index: json.loads(s.shares) for s in chosen}
    counts: dict[str, list[int]] = {}
    for grp in json.loads(count.aggregates):
        values = []
        for i, ct_raw in enumerate(grp["aggregate"]):
            ct = elgamal.Ciphertext.from_dict(ct_raw, allow_identity=True)
            shares = [DecryptionShare.from_dict(parsed[s.member_index][grp["id"]][i]) for s in chosen]
            try:
                values.append(solve(combine_decryption_shares(ct, shares, ceremony.threshold), grp["ballots"]))
            except DlogError:  # verified shares cannot give this; a corrupted store can
                raise CountError("no_count", "group {group}: the decryption gives no count", group=grp["id"]) from None
        counts[grp["id"]] = values
    count.counts = vc.canonical(counts)
    db.flush()


# --- the lot and the result ----------------------------------------------------------------------


def lot_seed_from(text: str, board_head: str) -> str:
    """The lot seed (hex) from what the committee fixed in public, bound to the board head.

    Anyone can recompute it from the published text and head; ``election.seats`` replays every lot from it.
    """
    data = b"stembus/v1/lot-seed\x00" + bytes.fromhex(board_head) + b"\x00" + text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def fix_lot_seed(db: Session, election: Election, member: CommitteeMember, text: str, now: datetime) -> ElectionCount:
    """Enter the lot seed the committee fixed in public (for example dice thrown at the meeting), once."""
    count = _require_count(db, election)
    if count.lot_text is not None:
        raise CountError("lot_fixed", "the lot seed has already been fixed")
    text = text.strip()
    if not text or len(text) > MAX_LOT_TEXT:
        raise CountError("lot_empty", "enter the lot seed as fixed in public (at most 500 characters)")
    count.lot_text = text
    count.lot_seed = lot_seed_from(text, count.board_head)
    count.lot_fixed_by = member.email
    count.lot_fixed_at = now
    db.flush()
    audit_log.record_at(db, now, member.email, "lot_seed_fixed", election.id, lot_text=text, lot_seed=count.lot_seed)
    _try_result(db, election, count, member.email, now)
    return count


def seats_document(
    manifest_raw: Any, counts: dict[str, list[int]], lot_seed: str, paper: dict[str, PaperTotals] | None = None
) -> dict[str, Any]:
    """``seats.json``: per group the ``stembus seats`` input (the rules, the public lot seed) and output.

    In a hybrid election ``paper`` holds each group's confirmed paper totals: the online and paper
    votes are added option by option before the allocation, and the paper ballots' invalid count
    goes with them (an online ballot is never invalid).
    """
    manifest = parse_manifest(manifest_raw)
    groups = []
    for grp in manifest.groups:
        totals = (paper or {}).get(grp.id)
        votes = add_paper(counts[grp.id], totals)
        doc = seat_input(grp, dict(zip(grp.options, votes, strict=True)), invalid=total_invalid(totals))
        doc["lot_seed"] = lot_seed
        try:
            output = allocate(parse_contest(doc)).to_dict()
        except SeatInputError as exc:
            raise CountError("seat_rules", "group {group}: {error}", group=grp.id, error=str(exc)) from None
        groups.append({"id": grp.id, "input": doc, "output": output})
    return {"groups": groups}


def try_result(db: Session, election: Election, count: ElectionCount, actor: str, now: datetime) -> None:
    """Publish the result once everything it needs is in (see ``_try_result``); otherwise do nothing."""
    _try_result(db, election, count, actor, now)


def _try_result(db: Session, election: Election, count: ElectionCount, actor: str, now: datetime) -> None:
    """With counts and the lot seed in (and in a hybrid election every group's confirmed paper count):
    allocate the seats, then the ``share`` and ``result`` entries."""
    if count.counts is None or count.lot_seed is None or count.result_at is not None:
        return
    paper = confirmed_paper(db, election)
    if paper is None:
        return
    identity = opened_identity(db, election.id)
    counts = json.loads(count.counts)
    seats = seats_document(vc.manifest_of(identity), counts, count.lot_seed, paper)
    for s in share_sets(db, election.id):
        payload = {"member": s.member_index, "shares_hash": bd.json_hash(json.loads(s.shares)).hex()}
        append_entry(db, identity, bd.SHARE, bd.payload_hash(bd.SHARE, payload), payload, now)
    result = {"counts_hash": bd.json_hash(counts).hex(), "seats_hash": bd.json_hash(seats).hex()}
    append_entry(db, identity, bd.RESULT, bd.payload_hash(bd.RESULT, result), result, now)
    count.seats = vc.canonical(seats)
    count.result_at = now
    db.flush()
    audit_log.record_at(db, now, actor, "result_published", election.id, board_head=head_hash(db, election.id))


def tally_json(db: Session, election: Election) -> dict[str, Any]:
    """``tally.json`` of the record: aggregates, every trustee's shares and the counts; after the result."""
    count = _require_count(db, election)
    if count.result_at is None or count.counts is None:
        raise CountError("no_result", "the result has not been published yet")
    sets = share_sets(db, election.id)
    counts = json.loads(count.counts)
    paper = confirmed_paper(db, election) or {}
    groups = []
    for grp in json.loads(count.aggregates):
        shares = [{"member": s.member_index, "shares": json.loads(s.shares)[grp["id"]]} for s in sets]
        doc = {**grp, "shares": shares, "counts": counts[grp["id"]]}
        if grp["id"] in paper:  # a hybrid election's paper totals, kept apart from the online counts
            doc["paper"] = paper[grp["id"]].to_dict()
        groups.append(doc)
    return {"board_head": head_hash(db, election.id), "groups": groups}
