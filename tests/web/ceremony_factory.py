"""Test data for the key ceremony: a completed ceremony made in memory, with the trustees' shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from crypto import group as g
from crypto.ceremony import run_ceremony
from crypto.group import Scalar
from crypto.threshold import DkgParams
from election.key_ceremony import record_completed_ceremony
from election.models import CommitteeMember, Election
from election.voting_codes import freeze_manifest


def complete_ceremony(
    db: Session,
    election: Election,
    members: Sequence[CommitteeMember],
    threshold: int,
    rng: Callable[[], Scalar] | None = None,
    *,
    params_hash: bytes | None = None,
) -> dict[int, Scalar]:
    """Run the whole DKG in memory for ``members`` (index 1 first) and record it as the election's keys.

    Returns each trustee's secret share ``s_j`` keyed by committee member id, so a count test can
    make decryption shares. As when the committee sets up a ceremony, the election manifest is
    frozen first (``freeze_manifest``: the lists must be final) and ``H_P`` is its hash; pass
    ``params_hash`` only to bind the transcript to something else (a refusal test). The session
    is flushed, not committed: the caller commits.
    """
    h_p = params_hash
    if h_p is None:
        h_p = bytes.fromhex(freeze_manifest(db, election, "test", datetime.now(UTC)).manifest_hash)
    params = DkgParams(len(members), threshold, h_p)
    result = run_ceremony(params, rng=rng or g.random_scalar)
    record_completed_ceremony(db, election, result.transcript, list(members), actor="test")
    return {member.id: result.secret_shares[j] for j, member in enumerate(members, start=1)}
