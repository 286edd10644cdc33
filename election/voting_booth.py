"""What the booth loads before the voter picks: the election's public parameters and each ballot.

Everything here is public (it is in the election record). Options are in the manifest's order,
which is the order of :func:`election.ballot_layout.ballot_for_group`: candidates list by list,
blank last, so option *i* in the booth is ciphertext *i* of the ballot.
"""

from __future__ import annotations

from typing import Any

from election.models.voting import ElectionIdentity
from election.voting_codes import manifest_of


def _group(group: dict[str, Any]) -> dict[str, Any]:
    options: list[dict[str, Any]] = []
    lists: list[dict[str, Any]] = []
    if group["system"] == "list":
        for lst in group["lists"]:
            first = len(options)
            for cand in lst["candidates"]:
                options.append({"index": len(options), "id": cand["id"], "name": cand["name"], "list": lst["name"]})
            lists.append({"name": lst["name"], "options": list(range(first, len(options)))})
    else:
        for cand in group["candidates"]:
            options.append({"index": len(options), "id": cand["id"], "name": cand["name"], "list": None})
    options.append({"index": len(options), "id": "blank", "name": None, "list": None})
    return {
        "id": group["id"],
        "name": group["name"],
        "system": group["system"],
        "k": group["max_choices"],
        "seats": group["seats"],
        "options": options,
        "lists": lists,
    }


# Parameters of opened elections, built once per process. Everything they are made of is frozen
# into H_E when voting opens, so H_E (with the election's UUID) names them exactly.
_OPENED: dict[tuple[str, str], dict[str, Any]] = {}
_OPENED_MAX = 16


def booth_parameters(identity: ElectionIdentity) -> dict[str, Any]:
    """The public parameters: UUID, ``H_P``, ``H_E``, joint key, and every group's ballot.

    Once voting has opened they never change, so each process builds them once per election.
    """
    if identity.election_hash is None:
        return _build(identity)
    key = (identity.uuid, identity.election_hash)
    cached = _OPENED.get(key)
    if cached is None:
        if len(_OPENED) >= _OPENED_MAX:
            _OPENED.clear()
        cached = _OPENED[key] = _build(identity)
    return cached


def _build(identity: ElectionIdentity) -> dict[str, Any]:
    manifest = manifest_of(identity)
    return {
        "election": identity.uuid,
        "organisation": manifest["election"]["organisation"],
        "params_hash": identity.manifest_hash,
        "election_hash": identity.election_hash,
        "joint_key": identity.joint_key,
        "groups": {g["id"]: _group(g) for g in manifest["groups"]},
    }
