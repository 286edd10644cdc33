"""A trustee's own side of the key ceremony, run on their computer by ``stembus trustee``.

The trustee's secrets (X25519 transport key and polynomial) live only in a local state file,
sealed under their passphrase (``crypto.keystore.seal``); the finished secret share ``s_j`` goes
into a sealed backup file. Each step reads what the server relayed (the public *bundle*), checks it
without trusting the server, and produces the next public message to upload.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from crypto import group as g
from crypto import keystore
from crypto.ceremony import DkgTranscript, EncryptedShare, verify_dkg_transcript
from crypto.group import Scalar
from crypto.keystore import Argon2Cost, KeystoreError
from crypto.threshold import (
    RevealedShare,
    ThresholdError,
    commit_coefficients,
    commitment_hash,
    evaluate,
    make_dealing,
    new_polynomial,
    verify_share,
)
from election.ceremony_messages import (
    BUNDLE_FORMAT,
    Invitation,
    Message,
    MessageError,
    PublicState,
    state_from_messages,
)

STATE_FORMAT = "stembus-trustee-state"
BACKUP_FORMAT = "stembus-trustee-share"


class TrusteeError(Exception):
    """A step that cannot be taken, with a message for the trustee."""


@dataclass(frozen=True)
class Secrets:
    """What the sealed state holds: the transport key and the polynomial's coefficients."""

    transport: X25519PrivateKey
    coefficients: tuple[Scalar, ...]

    @property
    def transport_public(self) -> bytes:
        """The 32-byte public transport key others encrypt shares to."""
        return self.transport.public_key().public_bytes_raw()


def new_state(invitation: Invitation, passphrase: str, cost: Argon2Cost | None = None) -> dict[str, Any]:
    """Draw the transport key and the polynomial; return the state file's content (secrets sealed)."""
    transport, public = keystore.new_transport_key()
    coefficients = new_polynomial(invitation.params)
    secret = json.dumps(
        {"transport_private": transport.private_bytes_raw().hex(), "coefficients": [a.hex() for a in coefficients]}
    ).encode()
    label = f"trustee {invitation.member} ceremony state, election {invitation.election}"
    return {
        "format": STATE_FORMAT,
        "version": 1,
        "invitation": invitation.to_dict(),
        "transport_key": public.hex(),
        "commitments": [c.hex() for c in commit_coefficients(coefficients)],
        "sealed": keystore.seal(secret, passphrase, label=label, cost=cost),
    }


def open_state(state: Mapping[str, Any], passphrase: str) -> tuple[Invitation, Secrets]:
    """Read a state file; raises ``TrusteeError`` for a wrong passphrase or a damaged file."""
    if not isinstance(state, Mapping) or state.get("format") != STATE_FORMAT or state.get("version") != 1:
        raise TrusteeError("this is not a Stembus trustee state file")
    try:
        invitation = Invitation.from_dict(state.get("invitation"))
        secret = json.loads(keystore.unseal(state["sealed"], passphrase))
        transport = X25519PrivateKey.from_private_bytes(bytes.fromhex(secret["transport_private"]))
        coefficients = tuple(g.scalar_from_hex(a) for a in secret["coefficients"])
    except KeystoreError as exc:
        if "wrong passphrase" in str(exc):
            raise TrusteeError("wrong passphrase: the state file cannot be opened (or it was altered)") from None
        raise TrusteeError(f"the state file is damaged: {exc}") from None
    except (MessageError, KeyError, TypeError, ValueError) as exc:
        raise TrusteeError(f"the state file is damaged: {exc}") from None
    secrets_ = Secrets(transport, coefficients)
    if len(coefficients) != invitation.params.t or secrets_.transport_public.hex() != state.get("transport_key"):
        raise TrusteeError("the state file is damaged: its public part does not match the sealed secrets")
    return invitation, secrets_


def _message(invitation: Invitation, kind: str, **payload: Any) -> dict[str, Any]:
    return Message(invitation.election, invitation.params.params_hash, invitation.member, kind, **payload).to_dict()


def commit_message(invitation: Invitation, secrets_: Secrets) -> dict[str, Any]:
    """Stage 1: the transport key and the hash of the coefficient commitments, nothing more."""
    commitments = commit_coefficients(secrets_.coefficients)
    h = commitment_hash(invitation.params, invitation.member, commitments)
    return _message(invitation, "commit", transport_key=secrets_.transport_public, commitment_hash=h)


def reveal_message(invitation: Invitation, secrets_: Secrets, bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Stage 2, once every commit is in: the commitments with a Schnorr proof for each."""
    state = read_bundle(invitation, bundle)
    _require_all(state, "commit")
    _require_own_commit(invitation, secrets_, state)
    dealing = make_dealing(invitation.params, invitation.member, secrets_.coefficients)
    return _message(invitation, "reveal", dealing=dealing)


def deal_message(invitation: Invitation, secrets_: Secrets, bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Stage 3: ``f_i(j)`` for every other trustee j, sealed to j's transport key."""
    state = read_bundle(invitation, bundle)
    _require_all(state, "reveal")
    _require_own_commit(invitation, secrets_, state)
    me, params = invitation.member, invitation.params
    shares = []
    for j in range(1, params.n + 1):
        if j == me:
            continue
        nonce, ct = keystore.encrypt_share(
            evaluate(secrets_.coefficients, j),
            params_hash=params.params_hash,
            sender=me,
            sender_private=secrets_.transport,
            recipient=j,
            recipient_public=state.transport_keys[j],
        )
        shares.append(EncryptedShare(me, j, nonce, ct))
    return _message(invitation, "deal", shares=tuple(shares))


def receive_message(
    invitation: Invitation, secrets_: Secrets, bundle: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Stage 4: open and check every share sent to this trustee; complain about each bad one.

    Returns the complaints message (possibly accusing no one) and a line per accused dealer.
    """
    state = read_bundle(invitation, bundle)
    _require_all(state, "deal")
    accused, problems = [], []
    for i in range(1, invitation.params.n + 1):
        if i == invitation.member:
            continue
        reason = _share_problem(invitation, secrets_, state, i)
        if reason:
            accused.append(i)
            problems.append(f"member {i}: {reason}")
    return _message(invitation, "complaints", accused=tuple(accused)), problems


def answer_message(invitation: Invitation, secrets_: Secrets, bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Stage 5, only for an accused trustee: reveal the share each accuser complained about."""
    state = read_bundle(invitation, bundle)
    _require_all(state, "complaints")
    me = invitation.member
    revealed = tuple(
        RevealedShare(me, c.accuser, evaluate(secrets_.coefficients, c.accuser))
        for c in sorted(state.complaints, key=lambda c: c.accuser)
        if c.accused == me
    )
    if not revealed:
        raise TrusteeError("no one has complained about your shares: there is nothing to answer")
    return _message(invitation, "answer", revealed=revealed)


def finish(
    invitation: Invitation,
    secrets_: Secrets,
    bundle: Mapping[str, Any],
    passphrase: str,
    cost: Argon2Cost | None = None,
) -> dict[str, Any]:
    """Check the completed transcript independently, derive ``s_j`` and return the sealed backup file.

    Refuses a transcript that does not verify, that does not carry this trustee's own commitments,
    or whose ``Y_j`` does not equal ``s_j·B``.
    """
    read_bundle(invitation, bundle)
    raw = bundle.get("transcript")
    if not raw:
        raise TrusteeError("the ceremony is not complete yet: download the bundle again once it is")
    try:
        transcript = DkgTranscript.from_dict(raw)
    except ThresholdError as exc:
        raise TrusteeError(f"the transcript is malformed: {exc}") from None
    if transcript.params != invitation.params:
        raise TrusteeError("the transcript belongs to another key ceremony")
    failures = verify_dkg_transcript(transcript)
    if failures:
        raise TrusteeError("the transcript does not verify: " + "; ".join(failures))
    me = invitation.member
    own = transcript.dealings.get(me)
    if own is None or own.commitments != commit_coefficients(secrets_.coefficients):
        raise TrusteeError("the transcript does not carry your own commitments")
    if transcript.transport_keys.get(me) != secrets_.transport_public:
        raise TrusteeError("the transcript does not carry your own transport key")
    total = 0
    for i in transcript.qualified:
        share = _final_share(invitation, secrets_, transcript, i)
        total += g.scalar_to_int(share)
    s_j = g.scalar_from_int(total % g.L)
    if g.base_mul(s_j) != transcript.verification_keys[me]:
        raise TrusteeError("your share does not match your published verification key")
    return sealed_backup(invitation.election, me, transcript, s_j, passphrase, cost)


def sealed_backup(
    election: int,
    member: int,
    transcript: DkgTranscript,
    share: Scalar,
    passphrase: str,
    cost: Argon2Cost | None = None,
) -> dict[str, Any]:
    """The backup file of trustee ``member``'s secret share, sealed under their passphrase.

    It carries the public facts needed to check it later (``open_backup``) and to match it to an
    election's keys, and nothing secret outside the sealed part.
    """
    label = f"trustee {member} secret share, election {election}"
    params = transcript.params
    return {
        "format": BACKUP_FORMAT,
        "version": 1,
        "election": election,
        "member": member,
        "n": params.n,
        "t": params.t,
        "params_hash": params.params_hash.hex(),
        "joint_key": transcript.joint_key.hex(),
        "verification_key": transcript.verification_keys[member].hex(),
        "sealed": keystore.seal(bytes(share), passphrase, label=label, cost=cost),
    }


def open_backup(backup: Mapping[str, Any], passphrase: str) -> tuple[int, Scalar]:
    """Return ``(j, s_j)`` from a backup file, checked against its verification key."""
    if not isinstance(backup, Mapping) or backup.get("format") != BACKUP_FORMAT:
        raise TrusteeError("this is not a Stembus trustee share backup")
    try:
        share = g.scalar_from_bytes(keystore.unseal(backup["sealed"], passphrase))
        key = g.point_from_hex(backup["verification_key"])
    except KeystoreError as exc:
        raise TrusteeError(f"the backup cannot be opened: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise TrusteeError(f"the backup is damaged: {exc}") from None
    if g.base_mul(share) != key:
        raise TrusteeError("the backup's share does not match its verification key")
    return int(backup["member"]), share


# --- helpers ---------------------------------------------------------------------------------------


def read_bundle(invitation: Invitation, bundle: Mapping[str, Any]) -> PublicState:
    """Parse the relayed bundle for this trustee's ceremony; raises ``TrusteeError``."""
    if not isinstance(bundle, Mapping) or bundle.get("format") != BUNDLE_FORMAT:
        raise TrusteeError("this is not a ceremony bundle: download it from the key ceremony page")
    if (
        bundle.get("election") != invitation.election
        or bundle.get("params_hash") != invitation.params.params_hash.hex()
    ):
        raise TrusteeError("the bundle belongs to another key ceremony")
    messages = bundle.get("messages")
    if not isinstance(messages, list):
        raise TrusteeError("the bundle holds no message list")
    try:
        return state_from_messages(invitation.params, messages)
    except MessageError as exc:
        raise TrusteeError(f"the bundle holds a malformed message: {exc.message}") from None


def _require_all(state: PublicState, kind: str) -> None:
    missing = sorted(state.expected(kind) - state.senders[kind])
    if missing:
        raise TrusteeError(
            f"not every {kind} message is in yet (waiting for member(s) {', '.join(map(str, missing))}):"
            " download the bundle again later"
        )


def _require_own_commit(invitation: Invitation, secrets_: Secrets, state: PublicState) -> None:
    expected = commitment_hash(invitation.params, invitation.member, commit_coefficients(secrets_.coefficients))
    if state.commitment_hashes.get(invitation.member) != expected:
        raise TrusteeError("the bundle does not hold your own commit message: was it made with this state file?")
    if state.transport_keys.get(invitation.member) != secrets_.transport_public:
        raise TrusteeError("the bundle holds another transport key for you than your state file")


def _open_share(invitation: Invitation, secrets_: Secrets, shares: Any, keys: Mapping[int, bytes], i: int) -> Scalar:
    me = invitation.member
    sent = [e for e in shares if e.sender == i and e.recipient == me]
    if len(sent) != 1:
        raise KeystoreError("no share was sent")
    plain = keystore.decrypt_share(
        sent[0].nonce,
        sent[0].ciphertext,
        params_hash=invitation.params.params_hash,
        sender=i,
        sender_public=keys[i],
        recipient=me,
        recipient_private=secrets_.transport,
    )
    try:
        return g.scalar_from_bytes(plain)
    except g.GroupError:
        raise KeystoreError("the share is not a scalar") from None


def _share_problem(invitation: Invitation, secrets_: Secrets, state: PublicState, i: int) -> str | None:
    dealing = state.dealings.get(i)
    if dealing is None:
        return "published no commitments"
    try:
        share = _open_share(invitation, secrets_, state.encrypted_shares, state.transport_keys, i)
    except KeystoreError as exc:
        return f"the share cannot be opened ({exc})"
    if not verify_share(dealing, invitation.member, share):
        return "the share does not match the commitments"
    return None


def _final_share(invitation: Invitation, secrets_: Secrets, transcript: DkgTranscript, i: int) -> Scalar:
    me = invitation.member
    if i == me:
        return evaluate(secrets_.coefficients, me)
    dealing = transcript.dealings[i]
    answer = next((r.share for r in transcript.revealed if r.dealer == i and r.recipient == me), None)
    if answer is not None and verify_share(dealing, me, answer):
        return answer
    try:
        share = _open_share(invitation, secrets_, transcript.encrypted_shares, transcript.transport_keys, i)
    except KeystoreError as exc:
        raise TrusteeError(f"the share from member {i} cannot be opened: {exc}") from None
    if not verify_share(dealing, me, share):
        raise TrusteeError(f"the share from member {i} does not match its commitments and was not revealed")
    return share
