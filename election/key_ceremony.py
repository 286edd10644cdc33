"""The committee's completed key ceremony: storing a verified transcript and reading the keys back.

A ceremony is *completed* when its public transcript (``crypto.ceremony.DkgTranscript``) passes
``verify_dkg_transcript``: then the joint key ``Y`` every ballot is encrypted under, and each
trustee's verification key ``Y_j`` that decryption shares are checked against, are fixed. Voting
cannot open before that (``PRECONDITIONS[Phase.VOTING]``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto.ceremony import DkgTranscript, verify_dkg_transcript
from crypto.group import Point
from crypto.threshold import ThresholdError
from election import audit_log
from election.models import CommitteeMember, Election
from election.models.ceremony import CeremonyTrustee, KeyCeremony
from election.models.voting import ElectionIdentity
from election.procedure import Phase


class CeremonyError(Exception):
    """A ceremony step that is refused; ``code`` names the reason, ``details`` fill its message."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class CompletedCeremony:
    """The public outcome of a verified ceremony, as voting and the count need it."""

    joint_key: Point
    verification_keys: dict[int, Point]  # member index j -> Y_j
    threshold: int
    trustees: tuple[int, ...]  # committee member ids, member index 1 first
    transcript: DkgTranscript


def ceremony_of(db: Session, election_id: int) -> KeyCeremony | None:
    """The election's ceremony row, running or completed, if one was set up."""
    return db.scalars(select(KeyCeremony).where(KeyCeremony.election_id == election_id)).one_or_none()


def record_completed_ceremony(
    db: Session,
    election: Election,
    transcript: DkgTranscript,
    trustees: list[CommitteeMember],
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> None:
    """Store a finished transcript as the election's keys, after verifying it in full.

    ``trustees[j-1]`` holds member index ``j``. Refuses (``CeremonyError``, nothing stored) a
    transcript whose ``H_P`` is not the hash of the election's frozen manifest (or when no manifest
    is frozen), one that ``verify_dkg_transcript`` rejects, one whose size or ``H_P`` does not match
    a ceremony set up for this election, or a second completion.
    """
    params = transcript.params
    frozen = db.scalars(
        select(ElectionIdentity.manifest_hash).where(ElectionIdentity.election_id == election.id)
    ).one_or_none()
    if frozen is None:
        raise CeremonyError("no_manifest", "the election manifest has not been frozen: there is no H_P to bind keys to")
    if params.params_hash.hex() != frozen:
        given = params.params_hash.hex()
        raise CeremonyError(
            "manifest_mismatch",
            f"the transcript is bound to params hash {given[:16]}…, not to the frozen manifest hash {frozen[:16]}…",
            given=given,
            frozen=frozen,
        )
    if len(trustees) != params.n or len({m.id for m in trustees}) != params.n:
        raise CeremonyError(
            "trustee_count",
            "the transcript has n={n} members, {given} distinct trustees were given",
            n=params.n,
            given=len({m.id for m in trustees}),
        )
    failures = verify_dkg_transcript(transcript)
    if failures:
        raise CeremonyError(
            "transcript_invalid", "the ceremony transcript does not verify: {failures}", failures="; ".join(failures)
        )
    ceremony = ceremony_of(db, election.id)
    when = now or datetime.now(UTC)
    if ceremony is None:
        ceremony = KeyCeremony(
            election_id=election.id,
            trustee_count=params.n,
            threshold=params.t,
            params_hash=params.params_hash.hex(),
            created_at=when,
        )
        db.add(ceremony)
        db.flush()
        for j, member in enumerate(trustees, start=1):
            db.add(CeremonyTrustee(ceremony_id=ceremony.id, member_index=j, committee_member_id=member.id))
    else:
        if ceremony.status == "completed":
            raise CeremonyError("already_completed", "the key ceremony of this election is already completed")
        if (ceremony.trustee_count, ceremony.threshold, ceremony.params_hash) != (
            params.n,
            params.t,
            params.params_hash.hex(),
        ):
            raise CeremonyError("params_mismatch", "the transcript was made for other ceremony parameters")
        seated = [t.committee_member_id for t in ceremony.trustees]
        if seated != [m.id for m in trustees]:
            raise CeremonyError("trustees_mismatch", "the trustees differ from those set for this ceremony")
    ceremony.status = "completed"
    ceremony.completed_at = when
    ceremony.joint_key = transcript.joint_key.hex()
    ceremony.transcript = json.dumps(transcript.to_dict(), sort_keys=True, separators=(",", ":"))
    db.flush()
    audit_log.record(
        db,
        actor,
        "key_ceremony_completed",
        election.id,
        trustees=params.n,
        threshold=params.t,
        qualified=list(transcript.qualified),
        joint_key=transcript.joint_key.hex(),
    )


def completed_ceremony(db: Session, election_id: int) -> CompletedCeremony | None:
    """The election's verified keys, or ``None`` while no ceremony has completed."""
    ceremony = ceremony_of(db, election_id)
    if ceremony is None or ceremony.status != "completed" or ceremony.transcript is None:
        return None
    try:
        transcript = DkgTranscript.from_dict(json.loads(ceremony.transcript))
    except (ThresholdError, ValueError) as exc:  # a stored transcript is written by us; this is corruption
        raise CeremonyError(
            "stored_transcript", "the stored transcript cannot be read: {error}", error=str(exc)
        ) from None
    return CompletedCeremony(
        joint_key=transcript.joint_key,
        verification_keys=dict(transcript.verification_keys),
        threshold=transcript.params.t,
        trustees=tuple(t.committee_member_id for t in ceremony.trustees),
        transcript=transcript,
    )


# --- the procedure: no voting without keys ---------------------------------------------------------


def _ceremony_completed(db: Session, election: Election, today: date) -> list[str]:
    """Voting may open only once the committee's key ceremony has completed and verified."""
    if completed_ceremony(db, election.id) is None:
        return ["the key ceremony has not been completed: voting cannot open without the committee's joint key"]
    return []


# Imported last: procedure_store imports this module (and voting set-up, which reads the keys) at its end.
from election.procedure_store import PRECONDITIONS  # noqa: E402

PRECONDITIONS.setdefault(Phase.VOTING, []).append(_ceremony_completed)
