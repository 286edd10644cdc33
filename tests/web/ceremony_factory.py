"""Test data for the key ceremony: a completed ceremony made in memory, with the trustees' shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from crypto import group as g
from crypto.ceremony import run_ceremony
from crypto.group import Scalar
from crypto.threshold import DkgParams
from election.key_ceremony import ceremony_params_hash, record_completed_ceremony
from election.models import CommitteeMember, Election


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
    make decryption shares. ``params_hash`` (``H_P``) defaults to the ceremony's own parameters hash;
    pass the frozen manifest hash when a record test needs the two bound together. The session is
    flushed, not committed: the caller commits.
    """
    h_p = params_hash or ceremony_params_hash(election, len(members), threshold)
    params = DkgParams(len(members), threshold, h_p)
    result = run_ceremony(params, rng=rng or g.random_scalar)
    record_completed_ceremony(db, election, result.transcript, list(members), actor="test")
    return {member.id: result.secret_shares[j] for j, member in enumerate(members, start=1)}
