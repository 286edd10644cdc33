"""The result per electoral group as the committee reads it: votes per list and candidate, seats, elected, reserves.

Pure presentation data from the frozen manifest, the counts and ``seats.json``; nothing is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crypto import record as rc
from election.count_board import parse_manifest


@dataclass(frozen=True)
class CandidateRow:
    """One candidate's votes and outcome."""

    name: str
    votes: int
    elected: bool
    reserve: int | None  # 1-based rank among the reserves of their list (or of the group)


@dataclass(frozen=True)
class ListRow:
    """One candidate list's votes and seats (the person system has one row without a name)."""

    name: str | None
    votes: int
    seats: int
    candidates: tuple[CandidateRow, ...]


@dataclass(frozen=True)
class GroupResult:
    """One electoral group's result."""

    id: str
    name: str
    seats: int
    ballots: int
    blank: int
    lists: tuple[ListRow, ...]
    elected: tuple[str, ...]
    reserves: tuple[str, ...]
    lots: tuple[dict[str, Any], ...]
    top: int  # the largest number of votes, for the bar scale


def group_results(
    manifest_raw: Any, ballots: dict[str, int], counts: dict[str, list[int]], seats: dict[str, Any]
) -> list[GroupResult]:
    """Every group's result, groups in manifest order, candidates in ballot order."""
    manifest = parse_manifest(manifest_raw)
    outputs = {g["id"]: g["output"] for g in seats["groups"]}
    return [_group(grp, ballots.get(grp.id, 0), counts[grp.id], outputs[grp.id]) for grp in manifest.groups]


def _group(grp: rc.Group, ballots: int, values: list[int], output: dict[str, Any]) -> GroupResult:
    votes = dict(zip(grp.options, values, strict=True))
    names = {c.id: c.name for lst in grp.lists for c in lst.candidates} | {c.id: c.name for c in grp.candidates}
    elected = set(output.get("elected", []))
    per_list = {lst["id"]: lst for lst in output.get("lists", [])}

    def rows(candidates: tuple[rc.Candidate, ...], reserves: list[str]) -> tuple[CandidateRow, ...]:
        rank = {cid: i for i, cid in enumerate(reserves, start=1)}
        return tuple(CandidateRow(c.name, votes[c.id], c.id in elected, rank.get(c.id)) for c in candidates)

    if grp.system == "list":
        lists = tuple(
            ListRow(
                lst.name,
                sum(votes[c.id] for c in lst.candidates),
                int(per_list.get(lst.id, {}).get("seats", 0)),
                rows(lst.candidates, list(per_list.get(lst.id, {}).get("reserves", []))),
            )
            for lst in grp.lists
        )
        reserves = tuple(names[c] for lst in output.get("lists", []) for c in lst.get("reserves", []))
    else:
        reserve_ids = list(output.get("reserves", []))
        lists = (
            ListRow(None, sum(votes[c.id] for c in grp.candidates), len(elected), rows(grp.candidates, reserve_ids)),
        )
        reserves = tuple(names[c] for c in reserve_ids)
    top = max([1, *(c.votes for lst in lists for c in lst.candidates), *(lst.votes for lst in lists)])
    return GroupResult(
        id=grp.id,
        name=grp.name,
        seats=grp.seats,
        ballots=ballots,
        blank=votes[rc.BLANK],
        lists=lists,
        elected=tuple(names[c] for c in output.get("elected", [])),
        reserves=reserves,
        lots=tuple(output.get("lots", [])),
        top=top,
    )
