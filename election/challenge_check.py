"""Opening a tested (Benaloh-challenged) ballot outside the browser: which choice does it encrypt?

A voter who tests a ballot in the booth gets the ballot with the randomness that encrypted it. The
booth shows it as a challenge document (``joint_key``, ``options``, ``ballot``, ``reveal``); the
public board keeps the ballot and its disclosure as a ``challenged`` entry. Either one, with the
election's public parameters (the booth's ``parameters.json`` or the published election record),
is enough to recompute every ciphertext and name the chosen options in the voter's ballot order
(docs/protocol.md, "Benaloh challenge"). Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crypto import board as bd
from crypto import group as g
from crypto.ballot import BallotError, ballot_from_dict, ballot_to_bytes, check_revealed
from crypto.record import Candidate, RecordReader
from crypto.record_schema import RecordError


class ChallengeUnreadable(ValueError):
    """The challenge or the election parameters cannot be read or do not belong together."""


class ChallengeMismatch(ValueError):
    """The revealed choices and randomness do not open the ballot's ciphertexts."""


@dataclass(frozen=True)
class Option:
    """One option of a ballot, in ciphertext order; ``name`` is None for blank, ``list`` its list name."""

    index: int
    id: str
    name: str | None
    list: str | None


@dataclass(frozen=True)
class ElectionKey:
    """What opening a challenge needs from the election: the joint public key and each group's options."""

    joint_key: str
    groups: Mapping[str, tuple[str | None, tuple[Option, ...]]]  # group id -> (group name, options)


@dataclass(frozen=True)
class Challenge:
    """A challenged ballot with its disclosure, and what the document itself says about the election."""

    ballot: dict[str, Any]
    reveal: Any
    joint_key: str | None
    options: tuple[Option, ...] | None


@dataclass(frozen=True)
class Opened:
    """The outcome: the ballot's tracking code and group, every option with whether it is chosen."""

    tracking_code: str
    group: str
    group_name: str | None
    options: tuple[Option, ...]
    chosen: tuple[int, ...]

    def chosen_labels(self) -> list[str]:
        """The chosen options' names in ballot order (``blank`` for the blank option)."""
        return [label(self.options[i]) for i in self.chosen]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``stembus verify-challenge --json``."""
        return {
            "opens": True,
            "tracking_code": self.tracking_code,
            "group": self.group,
            "group_name": self.group_name,
            "options": [
                {"index": o.index, "id": o.id, "name": o.name, "list": o.list, "chosen": o.index in self.chosen}
                for o in self.options
            ],
            "chosen": self.chosen_labels(),
        }


def label(option: Option) -> str:
    """How an option is shown: its name, or ``blank``."""
    return option.name if option.name is not None else "blank"


def _options_of_document(raw: Any) -> tuple[Option, ...] | None:
    if not isinstance(raw, list):
        return None
    options = []
    for i, o in enumerate(raw):
        if not isinstance(o, Mapping) or not isinstance(o.get("id", ""), str):
            raise ChallengeUnreadable(f"options[{i}]: expected an object with 'id' and 'name'")
        name = o.get("name")
        options.append(Option(i, str(o.get("id", i)), name if isinstance(name, str) else None, None))
    if options and options[-1].id == "blank":
        last = options[-1]
        options[-1] = Option(last.index, last.id, None, None)
    return tuple(options)


def read_challenge(doc: Any) -> Challenge:
    """Accept the booth's challenge document, a board ``challenged`` payload, or the whole board entry."""
    if isinstance(doc, Mapping) and doc.get("type") == bd.CHALLENGED and isinstance(doc.get("payload"), Mapping):
        doc = doc["payload"]
    if not isinstance(doc, Mapping) or not isinstance(doc.get("ballot"), Mapping) or "reveal" not in doc:
        raise ChallengeUnreadable("not a challenged ballot: expected an object with 'ballot' and 'reveal'")
    key = doc.get("joint_key")
    if key is not None and not isinstance(key, str):
        raise ChallengeUnreadable("joint_key: expected a hex string")
    return Challenge(dict(doc["ballot"]), doc["reveal"], key, _options_of_document(doc.get("options")))


def key_from_parameters(params: Any) -> ElectionKey:
    """The election key from the booth's ``parameters.json`` (``/vote/<uuid>/parameters.json``)."""
    if not isinstance(params, Mapping) or not isinstance(params.get("joint_key"), str):
        raise ChallengeUnreadable("not the booth's parameters.json: no 'joint_key'")
    groups_raw = params.get("groups")
    if not isinstance(groups_raw, Mapping):
        raise ChallengeUnreadable("not the booth's parameters.json: no 'groups'")
    groups = {}
    for gid, grp in groups_raw.items():
        try:
            options = tuple(Option(int(o["index"]), str(o["id"]), o["name"], o.get("list")) for o in grp["options"])
            groups[str(gid)] = (grp.get("name"), options)
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ChallengeUnreadable(f"parameters.json: group {gid!r} has no readable options") from None
    return ElectionKey(params["joint_key"], groups)


def key_from_record(path: Path) -> ElectionKey:
    """The election key from a published election record (a directory or a .zip): keys and manifest."""
    try:
        with RecordReader(path) as record:
            manifest, keys = record.manifest(), record.keys()
    except RecordError as exc:
        raise ChallengeUnreadable(str(exc)) from None
    groups = {}
    for grp in manifest.groups:
        named: list[tuple[Candidate, str | None]]
        if grp.system == "list":
            named = [(c, lst.name) for lst in grp.lists for c in lst.candidates]
        else:
            named = [(c, None) for c in grp.candidates]
        options = [Option(i, c.id, c.name, lst) for i, (c, lst) in enumerate(named)]
        options.append(Option(len(options), "blank", None, None))
        groups[grp.id] = (grp.name, tuple(options))
    return ElectionKey(keys.joint_key.hex(), groups)


def open_challenge(challenge: Challenge, election: ElectionKey | None = None) -> Opened:
    """Recompute every ciphertext from the disclosure; name what the ballot encrypts.

    Without ``election`` the document's own key and option names are used (the booth's document
    carries both). Raises ``ChallengeUnreadable`` when the inputs cannot be read or disagree, and
    ``ChallengeMismatch`` when the randomness does not open the ciphertexts.
    """
    key = election.joint_key if election is not None else challenge.joint_key
    if key is None:
        raise ChallengeUnreadable("the election's public key is missing: give the parameters or the record")
    if election is not None and challenge.joint_key not in (None, election.joint_key):
        raise ChallengeUnreadable("the challenge names another public key than the election's parameters")
    try:
        ballot = ballot_from_dict(challenge.ballot)
        joint_key = g.point_from_hex(key)
    except (BallotError, g.GroupError) as exc:
        raise ChallengeUnreadable(str(exc)) from None
    group_name = None
    options = challenge.options
    if election is not None:
        if ballot.group_id not in election.groups:
            raise ChallengeUnreadable(f"the ballot is for group {ballot.group_id!r}, which this election does not have")
        group_name, options = election.groups[ballot.group_id]
    n = len(ballot.selections)
    if options is None:
        options = tuple(Option(i, "blank" if i == n - 1 else str(i + 1), None, None) for i in range(n))
    if len(options) != n:
        raise ChallengeUnreadable(f"the ballot has {n} options, the election's ballot for its group {len(options)}")
    try:
        choices = check_revealed(ballot, challenge.reveal, joint_key=joint_key)
    except BallotError as exc:
        raise ChallengeMismatch(f"the disclosure does not open this ballot: {exc}") from None
    chosen = tuple(i for i, m in enumerate(choices) if m == 1)
    code = bd.tracking_code(ballot_to_bytes(ballot))
    return Opened(code, ballot.group_id, group_name, options, chosen)
