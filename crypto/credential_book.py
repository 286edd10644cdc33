"""Which public credentials may vote at each place on the board, as revocations and replacements happen.

The credential lists of ``credentials.json`` are fixed in ``H_E`` when voting opens. While voting is
open a lost or exposed code can still be replaced: the server appends a ``credential_revoked`` entry
for the old credential and, in the same transaction, a ``credential_added`` entry for the new one.
Other retiring entries (``crypto.board.RETIRING_TYPES``, e.g. ``credential_disabled`` after a paper
vote) take a credential out of use without a replacement.

``CredentialBook`` replays those entries in board order and answers, for each ballot, whether its
credential was live at that moment. The rules it enforces, each a failure naming the entry:

* a retiring entry names a credential that is live in that group: listed or added earlier, not
  retired yet, and without a ballot so far (a ballot once cast stays; its credential is never retired);
* ``credential_added`` directly follows the ``credential_revoked`` entry of the credential it
  ``replaces``, in the same group, and adds a valid point never listed or added before; so a group's
  number of live credentials never grows and never exceeds its register count;
* a ballot's credential is live in its group at the ballot's place; one that was retired earlier is
  refused with the entry that retired it.

The module is pure: payload builders for the server, the replay for the verifier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crypto import board as bd
from crypto import group as g

REASONS = ("lost", "not_received", "compromised")
"""Why the committee revoked a code; a code, never a person's data."""

_PAYLOAD_KEYS: dict[str, frozenset[str]] = {
    bd.CREDENTIAL_REVOKED: frozenset({"group", "credential", "reason"}),
    bd.CREDENTIAL_ADDED: frozenset({"group", "credential", "replaces"}),
}
_RETIRING_KEYS = frozenset({"group", "credential"})


class CredentialChangeError(ValueError):
    """A credential entry's payload is malformed or breaks a rule; the message says which."""


def revocation_payload(group_id: str, credential: bytes, reason: str) -> dict[str, Any]:
    """The payload of a ``credential_revoked`` entry (no personal data: group, credential, reason code)."""
    if reason not in REASONS:
        raise CredentialChangeError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
    return {"group": group_id, "credential": credential.hex(), "reason": reason}


def addition_payload(group_id: str, credential: bytes, replaces: bytes) -> dict[str, Any]:
    """The payload of the ``credential_added`` entry that follows the revocation of ``replaces``."""
    return {"group": group_id, "credential": credential.hex(), "replaces": replaces.hex()}


def _hex32(payload: Mapping[str, Any], key: str) -> bytes:
    value = payload[key]
    if not isinstance(value, str) or len(value) != 64 or value != value.lower():
        raise CredentialChangeError(f"{key} must be 64 lower-case hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise CredentialChangeError(f"{key} must be 64 lower-case hex digits") from None


@dataclass(frozen=True)
class Change:
    """One parsed credential entry."""

    type: str
    group: str
    credential: bytes
    reason: str | None = None
    replaces: bytes | None = None


def parse_change(entry_type: str, payload: Any) -> Change:
    """Check the shape of a retiring or adding entry's payload; ``CredentialChangeError`` otherwise."""
    if not isinstance(payload, dict):
        raise CredentialChangeError("the payload must be an object")
    allowed = _PAYLOAD_KEYS.get(entry_type, _RETIRING_KEYS)
    if set(payload) != allowed:
        raise CredentialChangeError(f"the payload must hold exactly {', '.join(sorted(allowed))}")
    group_id = payload["group"]
    if not isinstance(group_id, str) or not group_id:
        raise CredentialChangeError("group must be an electoral group id")
    credential = _hex32(payload, "credential")
    if entry_type == bd.CREDENTIAL_REVOKED:
        if payload["reason"] not in REASONS:
            raise CredentialChangeError(f"reason must be one of {', '.join(REASONS)}, got {payload['reason']!r}")
        return Change(entry_type, group_id, credential, reason=payload["reason"])
    if entry_type in bd.ADDING_TYPES:
        try:
            g.point_from_bytes(credential)
        except g.GroupError as exc:
            raise CredentialChangeError(f"the added credential is not a valid point: {exc}") from None
        return Change(entry_type, group_id, credential, replaces=_hex32(payload, "replaces"))
    return Change(entry_type, group_id, credential)


def _short(credential: bytes) -> str:
    return credential.hex()[:16] + "…"


@dataclass
class CredentialBook:
    """The live credentials of every group while the board is replayed, entry by entry, in order."""

    live: dict[str, set[bytes]]
    known: set[bytes] = field(default_factory=set)
    retired: dict[bytes, tuple[str, int]] = field(default_factory=dict)
    voted: dict[bytes, int] = field(default_factory=dict)
    changes: int = 0
    _last_revoked: tuple[int, str, bytes] | None = None

    @classmethod
    def from_lists(cls, lists: Mapping[str, Iterable[bytes]]) -> CredentialBook:
        """Start from the published credential lists (``credentials.json``), per group id."""
        live = {gid: set(creds) for gid, creds in lists.items()}
        return cls(live=live, known=set().union(*live.values()) if live else set())

    def step(self, entry_type: str, seq: int, payload: Any) -> str | None:
        """Apply one non-ballot entry; returns what is wrong with it, or None.

        Call it for every entry that is not a ballot (ballots go through :meth:`ballot`), so that
        "directly follows" can be checked.
        """
        last, self._last_revoked = self._last_revoked, None
        if entry_type not in bd.RETIRING_TYPES and entry_type not in bd.ADDING_TYPES:
            return None
        where = f"{entry_type} seq {seq}"
        try:
            change = parse_change(entry_type, payload)
        except CredentialChangeError as exc:
            return f"{where}: {exc}"
        if change.group not in self.live:
            return f"{where}: unknown electoral group {change.group!r}"
        self.changes += 1
        if entry_type in bd.ADDING_TYPES:
            return self._add(change, seq, where, last)
        return self._retire(change, seq, where)

    def _retire(self, change: Change, seq: int, where: str) -> str | None:
        cred = change.credential
        if cred in self.voted:
            return (
                f"{where}: credential {_short(cred)} already cast ballot seq {self.voted[cred]} and cannot be retired"
            )
        if cred in self.retired:
            kind, at = self.retired[cred]
            return f"{where}: credential {_short(cred)} was already retired by {kind} seq {at}"
        if cred not in self.live[change.group]:
            return f"{where}: credential {_short(cred)} is not listed for group {change.group}"
        self.live[change.group].discard(cred)
        self.retired[cred] = (change.type, seq)
        if change.type == bd.CREDENTIAL_REVOKED:
            self._last_revoked = (seq, change.group, cred)
        return None

    def _add(self, change: Change, seq: int, where: str, last: tuple[int, str, bytes] | None) -> str | None:
        assert change.replaces is not None
        if last is None or last[0] != seq - 1 or last[2] != change.replaces:
            return (
                f"{where}: does not directly follow the credential_revoked entry of the credential it replaces"
                f" ({_short(change.replaces)})"
            )
        if last[1] != change.group:
            return f"{where}: replaces a credential of group {last[1]}, not of group {change.group}"
        if change.credential in self.known:
            return f"{where}: credential {_short(change.credential)} was listed or added before"
        self.known.add(change.credential)
        self.live[change.group].add(change.credential)
        return None

    def ballot(self, group_id: str, credential: bytes, seq: int) -> str | None:
        """Record a ballot under ``credential``; returns why it may not be counted, or None.

        Only a live credential's first ballot is recorded as its vote; a second ballot is the
        verifier's "one ballot per credential" check, not this one.
        """
        self._last_revoked = None
        if credential in self.live.get(group_id, ()):
            self.voted.setdefault(credential, seq)
            return None
        if credential in self.retired:
            kind, at = self.retired[credential]
            return f"credential {_short(credential)} was retired by {kind} seq {at}, before this ballot"
        return f"credential {_short(credential)} is not listed for group {group_id}"

    def other(self) -> None:
        """An entry that changes nothing here (a challenged ballot): only breaks "directly follows"."""
        self._last_revoked = None
