"""The files trustees and the server exchange during the key ceremony, and reading them strictly.

Three shapes, all JSON:

* the *invitation* a trustee downloads: election, ``t`` of ``n``, ``H_P`` and their member index;
* a *message* a trustee uploads, one per stage: ``commit`` (transport key and the hash of the
  coefficient commitments), ``reveal`` (commitments with Schnorr proofs), ``deal`` (one encrypted
  share for every other trustee), ``complaints`` (whom they accuse) and ``answer`` (shares revealed
  in reply to complaints);
* the public *bundle* the server relays: every message received so far, and the transcript once
  the ceremony is complete.

Every message names the election, ``H_P`` and its sender, so one made for another ceremony or by
another trustee is refused. Nothing here is secret: shares travel sealed to their recipient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crypto import group as g
from crypto.ceremony import DkgTranscript, EncryptedShare
from crypto.threshold import (
    Complaint,
    Dealing,
    DkgParams,
    RevealedShare,
    ThresholdError,
    joint_key,
    qualified_dealers,
    verification_key,
)

INVITATION_FORMAT = "stembus-ceremony-invitation"
MESSAGE_FORMAT = "stembus-ceremony-message"
BUNDLE_FORMAT = "stembus-ceremony-bundle"
STAGES = ("commit", "reveal", "deal", "complaints", "answer")
SHARE_CIPHERTEXT_BYTES = 32 + 16  # a scalar and the Poly1305 tag


class MessageError(ValueError):
    """A ceremony file is malformed or does not belong here; ``code`` names the rule broken."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Invitation:
    """What a trustee needs to start: which ceremony, and which member number they hold."""

    election: int
    organisation: str
    params: DkgParams
    member: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "format": INVITATION_FORMAT,
            "version": 1,
            "election": self.election,
            "organisation": self.organisation,
            "n": self.params.n,
            "t": self.params.t,
            "params_hash": self.params.params_hash.hex(),
            "member": self.member,
        }

    @classmethod
    def from_dict(cls, d: object) -> Invitation:
        """Parse an invitation file; raises ``MessageError``."""
        m = _header(d, INVITATION_FORMAT)
        try:
            params = DkgParams(_int(m, "n"), _int(m, "t"), _hex(m, "params_hash", (32, 64)))
        except ThresholdError as exc:
            raise MessageError("malformed", str(exc)) from None
        member = _int(m, "member")
        if not 1 <= member <= params.n:
            raise MessageError("malformed", f"member {member} is not in 1..{params.n}")
        return cls(_int(m, "election"), str(m.get("organisation", "")), params, member)


@dataclass(frozen=True)
class Message:
    """One uploaded message; exactly the payload field of its ``kind`` is set."""

    election: int
    params_hash: bytes
    member: int
    kind: str
    transport_key: bytes = b""
    commitment_hash: bytes = b""
    dealing: Dealing | None = None
    shares: tuple[EncryptedShare, ...] = ()
    accused: tuple[int, ...] = ()
    revealed: tuple[RevealedShare, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the header and the payload of this kind."""
        d: dict[str, Any] = {
            "format": MESSAGE_FORMAT,
            "version": 1,
            "election": self.election,
            "params_hash": self.params_hash.hex(),
            "member": self.member,
            "kind": self.kind,
        }
        if self.kind == "commit":
            d.update(transport_key=self.transport_key.hex(), commitment_hash=self.commitment_hash.hex())
        elif self.kind == "reveal":
            assert self.dealing is not None
            d["dealing"] = self.dealing.to_dict()
        elif self.kind == "deal":
            d["shares"] = [
                {"recipient": s.recipient, "nonce": s.nonce.hex(), "ciphertext": s.ciphertext.hex()}
                for s in self.shares
            ]
        elif self.kind == "complaints":
            d["accused"] = list(self.accused)
        else:
            d["revealed"] = [{"recipient": r.recipient, "share": r.share.hex()} for r in self.revealed]
        return d


def parse_message(d: object, params: DkgParams) -> Message:
    """Parse an uploaded message against the ceremony's ``params``; raises ``MessageError``.

    Checks the shape of every field and that members are numbered ``1 .. n``; whether the message
    fits the ceremony's progress is the relay's business.
    """
    m = _header(d, MESSAGE_FORMAT)
    member, kind = _int(m, "member"), m.get("kind")
    if not 1 <= member <= params.n:
        raise MessageError("malformed", f"member {member} is not in 1..{params.n}")
    if kind not in STAGES:
        raise MessageError("malformed", f"unknown message kind {kind!r}")
    election, params_hash = _int(m, "election"), _hex(m, "params_hash", (32, 64))
    if params_hash != params.params_hash:
        raise MessageError("other_ceremony", "this message was made for another key ceremony")
    head = (election, params_hash, member, str(kind))
    try:
        if kind == "commit":
            return Message(
                *head,
                transport_key=_hex(m, "transport_key", (32,)),
                commitment_hash=_hex(m, "commitment_hash", (64,)),
            )
        if kind == "reveal":
            dealing = Dealing.from_dict(m.get("dealing"))
            if dealing.member != member:
                raise MessageError("malformed", "the dealing names another member")
            return Message(*head, dealing=dealing)
        if kind == "deal":
            shares = tuple(_encrypted_share(member, raw, params.n) for raw in _list(m, "shares"))
            if sorted(s.recipient for s in shares) != [j for j in range(1, params.n + 1) if j != member]:
                raise MessageError("malformed", "a dealing holds exactly one share for every other trustee")
            return Message(*head, shares=shares)
        if kind == "complaints":
            accused = tuple(_member_number(a, params.n) for a in _list(m, "accused"))
            if len(set(accused)) != len(accused) or member in accused:
                raise MessageError("malformed", "complaints name distinct other trustees")
            return Message(*head, accused=accused)
        revealed = tuple(
            RevealedShare(
                member, _member_number(_field(r, "recipient"), params.n), g.scalar_from_hex(_field(r, "share"))
            )
            for r in _list(m, "revealed")
        )
        return Message(*head, revealed=revealed)
    except (ThresholdError, g.GroupError, TypeError, ValueError) as exc:
        if isinstance(exc, MessageError):
            raise
        raise MessageError("malformed", f"malformed {kind} message: {exc}") from None


@dataclass
class PublicState:
    """Everything published so far, gathered from the messages (what the bundle carries)."""

    params: DkgParams
    transport_keys: dict[int, bytes] = field(default_factory=dict)
    commitment_hashes: dict[int, bytes] = field(default_factory=dict)
    dealings: dict[int, Dealing] = field(default_factory=dict)
    encrypted_shares: list[EncryptedShare] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    revealed: list[RevealedShare] = field(default_factory=list)
    senders: dict[str, set[int]] = field(default_factory=lambda: {s: set() for s in STAGES})

    def add(self, message: Message) -> None:
        """Take in one parsed message."""
        self.senders[message.kind].add(message.member)
        if message.kind == "commit":
            self.transport_keys[message.member] = message.transport_key
            self.commitment_hashes[message.member] = message.commitment_hash
        elif message.kind == "reveal" and message.dealing is not None:
            self.dealings[message.member] = message.dealing
        elif message.kind == "deal":
            self.encrypted_shares.extend(message.shares)
        elif message.kind == "complaints":
            self.complaints.extend(Complaint(message.member, i) for i in message.accused)
        else:
            self.revealed.extend(message.revealed)

    def expected(self, kind: str) -> set[int]:
        """Who must send a message of ``kind``: everyone, except that only the accused answer."""
        if kind == "answer":
            return {c.accused for c in self.complaints}
        return set(range(1, self.params.n + 1))

    def stage(self) -> str:
        """The first stage still waiting for someone, or ``"complete"``."""
        for kind in STAGES:
            if not self.expected(kind) <= self.senders[kind]:
                return kind
        return "complete"

    def waiting_for(self) -> list[int]:
        """Member numbers the current stage still waits for."""
        kind = self.stage()
        return [] if kind == "complete" else sorted(self.expected(kind) - self.senders[kind])

    def transcript(self) -> DkgTranscript:
        """The full transcript of a complete ceremony: qualified dealers, ``Y`` and every ``Y_j``."""
        qual, _ = qualified_dealers(self.params, self.commitment_hashes, self.dealings, self.complaints, self.revealed)
        members = range(1, self.params.n + 1)
        return DkgTranscript(
            params=self.params,
            transport_keys=dict(self.transport_keys),
            commitment_hashes=dict(self.commitment_hashes),
            dealings=dict(self.dealings),
            encrypted_shares=tuple(sorted(self.encrypted_shares, key=lambda e: (e.sender, e.recipient))),
            complaints=tuple(sorted(self.complaints, key=lambda c: (c.accuser, c.accused))),
            revealed=tuple(sorted(self.revealed, key=lambda r: (r.dealer, r.recipient))),
            qualified=qual,
            joint_key=joint_key(self.dealings, qual),
            verification_keys={j: verification_key(self.dealings, qual, j) for j in members},
        )


def state_from_messages(params: DkgParams, messages: Sequence[object]) -> PublicState:
    """Gather parsed messages (as JSON objects) into the public state; raises ``MessageError``."""
    state = PublicState(params)
    for raw in messages:
        state.add(parse_message(raw, params))
    return state


# --- strict field readers --------------------------------------------------------------------------


def _header(d: object, fmt: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping) or d.get("format") != fmt or d.get("version") != 1:
        raise MessageError("wrong_file", f"this is not a version 1 {fmt} file")
    return d


def _field(d: object, key: str) -> Any:
    if not isinstance(d, Mapping) or key not in d:
        raise MessageError("malformed", f"missing field {key!r}")
    return d[key]


def _int(d: Mapping[str, Any], key: str) -> int:
    value = _field(d, key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MessageError("malformed", f"{key} must be an integer")
    return value


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    value = _field(d, key)
    if not isinstance(value, list):
        raise MessageError("malformed", f"{key} must be a list")
    return value


def _hex(d: Mapping[str, Any], key: str, lengths: tuple[int, ...]) -> bytes:
    value = _field(d, key)
    if not isinstance(value, str) or value != value.lower() or len(value) not in [2 * n for n in lengths]:
        raise MessageError("malformed", f"{key} must be lower-case hex of {' or '.join(map(str, lengths))} bytes")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise MessageError("malformed", f"{key} is not hex") from None


def _member_number(value: object, n: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= n:
        raise MessageError("malformed", f"{value!r} is not a member number in 1..{n}")
    return value


def _encrypted_share(sender: int, raw: object, n: int) -> EncryptedShare:
    if not isinstance(raw, Mapping):
        raise MessageError("malformed", "each share is an object")
    recipient = _member_number(_field(raw, "recipient"), n)
    nonce = _hex(raw, "nonce", (12,))
    ciphertext = _hex(raw, "ciphertext", (SHARE_CIPHERTEXT_BYTES,))
    return EncryptedShare(sender, recipient, nonce, ciphertext)
