"""The result per electoral group as the committee reads it: votes per list and candidate, seats, elected, reserves.

Pure presentation data from the frozen manifest, the counts and ``seats.json``; nothing is recomputed.
In a hybrid election the online and paper votes are shown apart and added (as for the seats); the
``online`` and ``paper`` fields are ``None`` in an online-only election.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crypto import record as rc
from election.count_board import parse_manifest
from election.paper_voting import PaperTotals, add_paper


@dataclass(frozen=True)
class CandidateRow:
    """One candidate's votes and outcome."""

    name: str
    votes: int  # online and paper votes together
    elected: bool
    reserve: int | None  # 1-based rank among the reserves of their list (or of the group)
    online: int | None = None  # hybrid election: the online votes
    paper: int | None = None  # hybrid election: the paper votes
    earmarked: bool = False  # elected on a seat reserved for their department or location (domain 4.3)


@dataclass(frozen=True)
class ListRow:
    """One candidate list's votes and seats (the person system has one row without a name)."""

    name: str | None
    votes: int
    seats: int
    candidates: tuple[CandidateRow, ...]
    online: int | None = None
    paper: int | None = None


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
    paper_ballots: int | None = None  # hybrid election: paper ballots found (``ballots`` includes them)
    paper_blank: int = 0  # hybrid election: blank paper ballots (``blank`` includes them)
    invalid: int = 0  # invalid paper ballots (an online ballot is never invalid)
    earmarks_unfilled: int = 0  # reserved seats no candidate of the unit could take (filled by the normal rule)


def group_results(
    manifest_raw: Any,
    ballots: dict[str, int],
    counts: dict[str, list[int]],
    seats: dict[str, Any],
    paper: dict[str, PaperTotals] | None = None,
) -> list[GroupResult]:
    """Every group's result, groups in manifest order, candidates in ballot order.

    ``ballots`` and ``counts`` are the online figures; ``paper`` a hybrid election's confirmed paper
    totals per group, added to them as they were for the seat allocation.
    """
    manifest = parse_manifest(manifest_raw)
    outputs = {g["id"]: g["output"] for g in seats["groups"]}
    return [
        _group(grp, ballots.get(grp.id, 0), counts[grp.id], outputs[grp.id], (paper or {}).get(grp.id))
        for grp in manifest.groups
    ]


def _group(
    grp: rc.Group, ballots: int, values: list[int], output: dict[str, Any], paper: PaperTotals | None = None
) -> GroupResult:
    votes = dict(zip(grp.options, add_paper(values, paper), strict=True))
    online = dict(zip(grp.options, values, strict=True)) if paper is not None else None
    on_paper = dict(zip(grp.options, paper.counts, strict=True)) if paper is not None else None

    def split(ids: list[str]) -> tuple[int | None, int | None]:
        if online is None or on_paper is None:
            return None, None
        return sum(online[i] for i in ids), sum(on_paper[i] for i in ids)

    names = {c.id: c.name for lst in grp.lists for c in lst.candidates} | {c.id: c.name for c in grp.candidates}
    elected = set(output.get("elected", []))
    per_list = {lst["id"]: lst for lst in output.get("lists", [])}

    earmarks = output.get("earmarks", [])
    earmarked = {cid for e in earmarks for cid in e.get("elected", [])}

    def rows(candidates: tuple[rc.Candidate, ...], reserves: list[str]) -> tuple[CandidateRow, ...]:
        rank = {cid: i for i, cid in enumerate(reserves, start=1)}
        return tuple(
            CandidateRow(c.name, votes[c.id], c.id in elected, rank.get(c.id), *split([c.id]), c.id in earmarked)
            for c in candidates
        )

    if grp.system == "list":
        lists = tuple(
            ListRow(
                lst.name,
                sum(votes[c.id] for c in lst.candidates),
                int(per_list.get(lst.id, {}).get("seats", 0)),
                rows(lst.candidates, list(per_list.get(lst.id, {}).get("reserves", []))),
                *split([c.id for c in lst.candidates]),
            )
            for lst in grp.lists
        )
        reserves = tuple(names[c] for lst in output.get("lists", []) for c in lst.get("reserves", []))
    else:
        reserve_ids = list(output.get("reserves", []))
        lists = (
            ListRow(
                None,
                sum(votes[c.id] for c in grp.candidates),
                len(elected),
                rows(grp.candidates, reserve_ids),
                *split([c.id for c in grp.candidates]),
            ),
        )
        reserves = tuple(names[c] for c in reserve_ids)
    top = max([1, *(c.votes for lst in lists for c in lst.candidates), *(lst.votes for lst in lists)])
    return GroupResult(
        id=grp.id,
        name=grp.name,
        seats=grp.seats,
        ballots=ballots + (paper.ballots if paper is not None else 0),
        blank=votes[rc.BLANK],
        lists=lists,
        elected=tuple(names[c] for c in output.get("elected", [])),
        reserves=reserves,
        lots=tuple(output.get("lots", [])),
        top=top,
        paper_ballots=paper.ballots if paper is not None else None,
        paper_blank=paper.counts[-1] if paper is not None else 0,
        invalid=paper.invalid if paper is not None else 0,
        earmarks_unfilled=sum(int(e.get("unfilled", 0)) for e in earmarks),
    )
