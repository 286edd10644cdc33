"""The public transcript of the committee's key ceremony, its verification, and an in-memory run.

The transcript is what the election record publishes about key generation: every phase-1 hash,
every dealing, every encrypted share, every complaint and its answer, the qualified dealers, the
joint key and each member's verification key. ``verify_dkg_transcript`` recomputes everything that
can be recomputed from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crypto import group as g
from crypto import keystore
from crypto.group import Point, Scalar
from crypto.threshold import (
    Complaint,
    Dealing,
    DkgParams,
    RevealedShare,
    ThresholdError,
    combine_received_shares,
    commitment_hash,
    evaluate,
    joint_key,
    make_dealing,
    new_polynomial,
    qualified_dealers,
    verification_key,
    verify_share,
)


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """A share from ``sender`` to ``recipient``, sealed with ``crypto.keystore.encrypt_share``."""

    sender: int
    recipient: int
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class DkgTranscript:
    """Everything published during key generation."""

    params: DkgParams
    transport_keys: Mapping[int, bytes]
    commitment_hashes: Mapping[int, bytes]
    dealings: Mapping[int, Dealing]
    encrypted_shares: tuple[EncryptedShare, ...]
    complaints: tuple[Complaint, ...]
    revealed: tuple[RevealedShare, ...]
    qualified: tuple[int, ...]
    joint_key: Point
    verification_keys: Mapping[int, Point]

    def to_dict(self) -> dict[str, Any]:
        """JSON form; members are listed in increasing order, all bytes as lower-case hex."""
        return {
            "n": self.params.n,
            "t": self.params.t,
            "params_hash": self.params.params_hash.hex(),
            "transport_keys": [{"member": i, "key": k.hex()} for i, k in sorted(self.transport_keys.items())],
            "commitment_hashes": [{"member": i, "hash": h.hex()} for i, h in sorted(self.commitment_hashes.items())],
            "dealings": [d.to_dict() for _, d in sorted(self.dealings.items())],
            "encrypted_shares": [
                {"sender": e.sender, "recipient": e.recipient, "nonce": e.nonce.hex(), "ciphertext": e.ciphertext.hex()}
                for e in self.encrypted_shares
            ],
            "complaints": [{"accuser": c.accuser, "accused": c.accused} for c in self.complaints],
            "revealed": [{"dealer": r.dealer, "recipient": r.recipient, "share": r.share.hex()} for r in self.revealed],
            "qualified": list(self.qualified),
            "joint_key": self.joint_key.hex(),
            "verification_keys": [{"member": j, "key": y.hex()} for j, y in sorted(self.verification_keys.items())],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DkgTranscript:
        """Parse and validate a transcript; raises ``ThresholdError`` naming the bad field."""
        try:
            params = DkgParams(_int(d["n"]), _int(d["t"]), bytes.fromhex(d["params_hash"]))
            dealings = {}
            for idx, raw in enumerate(d["dealings"]):
                dealing = Dealing.from_dict(raw, f"dealings[{idx}]")
                dealings[dealing.member] = dealing
            return cls(
                params=params,
                transport_keys={_int(e["member"]): _hex(e["key"], 32) for e in d["transport_keys"]},
                commitment_hashes={_int(e["member"]): _hex(e["hash"], 64) for e in d["commitment_hashes"]},
                dealings=dealings,
                encrypted_shares=tuple(
                    EncryptedShare(
                        _int(e["sender"]), _int(e["recipient"]), _hex(e["nonce"], 12), bytes.fromhex(e["ciphertext"])
                    )
                    for e in d["encrypted_shares"]
                ),
                complaints=tuple(Complaint(_int(c["accuser"]), _int(c["accused"])) for c in d["complaints"]),
                revealed=tuple(
                    RevealedShare(_int(r["dealer"]), _int(r["recipient"]), g.scalar_from_hex(r["share"]))
                    for r in d["revealed"]
                ),
                qualified=tuple(_int(i) for i in d["qualified"]),
                joint_key=g.point_from_hex(d["joint_key"]),
                verification_keys={_int(e["member"]): g.point_from_hex(e["key"]) for e in d["verification_keys"]},
            )
        except ThresholdError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ThresholdError(f"malformed DKG transcript: {exc!s}") from None


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ThresholdError(f"expected an integer, got {value!r}")
    return value


def _hex(value: object, length: int) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * length or value != value.lower():
        raise ThresholdError(f"expected {length} bytes of lower-case hex")
    return bytes.fromhex(value)


def verify_dkg_transcript(transcript: DkgTranscript) -> list[str]:
    """Recompute the qualified dealers, ``Y`` and every ``Y_j``; return what does not match.

    Each failure names the member and the check. An empty list means the published joint key is
    the one the ceremony produced and every member's verification key is right.
    """
    p = transcript.params
    failures = []
    members = set(range(1, p.n + 1))
    for name, keys in (
        ("transport key", transcript.transport_keys),
        ("commitment hash", transcript.commitment_hashes),
        ("dealing", transcript.dealings),
        ("verification key", transcript.verification_keys),
    ):
        stray = sorted(set(keys) - members)
        if stray:
            failures.append(f"{name} for unknown member(s) {stray}")
    qual, reasons = qualified_dealers(
        p, transcript.commitment_hashes, transcript.dealings, transcript.complaints, transcript.revealed
    )
    if qual != transcript.qualified:
        failures.append(
            f"qualified dealers are {list(qual)}, the transcript says "
            f"{list(transcript.qualified)} ({'; '.join(reasons) or 'no disqualification'})"
        )
    if len(qual) < p.t:
        failures.append(f"only {len(qual)} qualified dealers, fewer than t={p.t}")
    sent = {(e.sender, e.recipient) for e in transcript.encrypted_shares}
    answered = {(r.dealer, r.recipient) for r in transcript.revealed}
    for i in qual:
        for j in sorted(members - {i}):
            if (i, j) not in sent and (i, j) not in answered:
                failures.append(f"member {i}: no share for member {j} was sent or revealed")
    for c in transcript.complaints:
        if c.accuser not in members or c.accused not in members:
            failures.append(f"complaint by {c.accuser} against {c.accused}: unknown member")
    if joint_key(transcript.dealings, qual) != transcript.joint_key:
        failures.append("joint key does not equal the sum of the qualified dealers' C_{i,0}")
    for j in sorted(members):
        y = transcript.verification_keys.get(j)
        if y is None:
            failures.append(f"member {j}: verification key missing")
        elif verification_key(transcript.dealings, qual, j) != y:
            failures.append(f"member {j}: verification key does not match the commitments")
    return failures


@dataclass
class CeremonyResult:
    """An in-memory ceremony's public transcript and each member's secret share."""

    transcript: DkgTranscript
    secret_shares: dict[int, Scalar] = field(default_factory=dict)


def run_ceremony(
    params: DkgParams,
    *,
    rng: Callable[[], Scalar] = g.random_scalar,
    corrupt_shares: Iterable[tuple[int, int]] = (),
    silent_dealers: Sequence[int] = (),
) -> CeremonyResult:
    """Run the whole DKG among ``n`` simulated members, for tests and simulated elections.

    ``corrupt_shares`` lists (dealer, recipient) pairs where the dealer sends a wrong share; the
    recipient complains and the dealer reveals the right share, unless the dealer is in
    ``silent_dealers``, in which case it is disqualified.
    """
    corrupt = set(corrupt_shares)
    members = range(1, params.n + 1)
    transport = {i: keystore.new_transport_key() for i in members}
    polys = {i: new_polynomial(params, rng) for i in members}
    dealings = {i: make_dealing(params, i, polys[i], rng) for i in members}
    hashes = {i: commitment_hash(params, i, dealings[i].commitments) for i in members}
    received: dict[int, dict[int, Scalar]] = {j: {} for j in members}
    encrypted: list[EncryptedShare] = []
    complaints: list[Complaint] = []
    for i in members:
        for j in members:
            share = evaluate(polys[i], j)
            if (i, j) in corrupt:
                share = g.scalar_add(share, g.ONE)
            if i == j:
                received[j][i] = share
                continue
            nonce, ct = keystore.encrypt_share(
                share,
                params_hash=params.params_hash,
                sender=i,
                sender_private=transport[i][0],
                recipient=j,
                recipient_public=transport[j][1],
            )
            encrypted.append(EncryptedShare(i, j, nonce, ct))
            opened = g.scalar_from_bytes(
                keystore.decrypt_share(
                    nonce,
                    ct,
                    params_hash=params.params_hash,
                    sender=i,
                    sender_public=transport[i][1],
                    recipient=j,
                    recipient_private=transport[j][0],
                )
            )
            if verify_share(dealings[i], j, opened):
                received[j][i] = opened
            else:
                complaints.append(Complaint(j, i))
    revealed = []
    for c in complaints:
        if c.accused not in silent_dealers:
            right = evaluate(polys[c.accused], c.accuser)
            revealed.append(RevealedShare(c.accused, c.accuser, right))
            received[c.accuser][c.accused] = right
    qual, _ = qualified_dealers(params, hashes, dealings, complaints, revealed)
    secret = {j: combine_received_shares(received[j][i] for i in qual) for j in members}
    transcript = DkgTranscript(
        params=params,
        transport_keys={i: transport[i][1] for i in members},
        commitment_hashes=hashes,
        dealings=dealings,
        encrypted_shares=tuple(encrypted),
        complaints=tuple(complaints),
        revealed=tuple(revealed),
        qualified=qual,
        joint_key=joint_key(dealings, qual),
        verification_keys={j: verification_key(dealings, qual, j) for j in members},
    )
    return CeremonyResult(transcript, secret)
