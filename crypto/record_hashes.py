"""The hashes that tie an election record together: manifest hash, credential-list roots, election identity.

``H_E`` (the election identity) is what every proof, signature and the board's genesis are bound to::

    manifest_hash = json_hash(manifest.json)                         (SHA-256, crypto.board.json_hash)
    keys_hash     = json_hash(keys.json)
    root_g        = SHA-512 transcript "stembus/v1/credential-list" (group id, register count, count,
                    credential_1, ..., credential_count)              for each electoral group g
    H_E           = SHA-512 transcript "stembus/v1/election" (record version, manifest_hash, keys_hash,
                    number of groups, then per group in manifest order: group id, root_g)

(transcript encoding: ``crypto.transcript``). ``docs/election-record.md`` gives the same, byte by byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crypto.board import json_hash
from crypto.transcript import Part, digest

ELECTION_LABEL = "stembus/v1/election"
CREDENTIAL_LIST_LABEL = "stembus/v1/credential-list"


def manifest_hash(manifest: Any) -> bytes:
    """The hash of ``manifest.json`` as JSON data."""
    return json_hash(manifest)


def keys_hash(keys: Any) -> bytes:
    """The hash of ``keys.json`` as JSON data (key-generation transcript, joint and member keys)."""
    return json_hash(keys)


def credential_root(group_id: str, register_count: int, credentials: Sequence[bytes]) -> bytes:
    """The hash of one group's published credential list, in its published (sorted) order."""
    return digest(CREDENTIAL_LIST_LABEL, group_id, register_count, len(credentials), *credentials)


def election_hash(
    version: int, manifest_digest: bytes, keys_digest: bytes, roots: Sequence[tuple[str, bytes]]
) -> bytes:
    """``H_E``: 64 bytes binding the manifest, the committee's keys and every credential list."""
    parts: list[Part] = [version, manifest_digest, keys_digest, len(roots)]
    for group_id, root in roots:
        parts.extend((group_id, root))
    return digest(ELECTION_LABEL, *parts)
