"""Hybrid voting: paper ballots beside the online vote, counted by hand and added to it before the seats.

WOR art. 9 lid 1 asks for a secret, written vote and leaves its form to the regulation: analogue,
digital or hybrid (domain 2.6). A regulation that allows paper beside online voting says so with
``voting_channel = "hybrid"``. Hybrid voting must stop double voting across the channels (domain 8
item 15): a voter marked as having voted on paper loses their online code, and every paper ballot
belongs to such a mark. The online and paper totals stay apart in the record and are added, option
by option, before the seat allocation (domain 8 item 20).

Pure rules on plain data; the stores are :mod:`election.paper_marks` and :mod:`election.paper_count`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crypto.record import PaperTotals

__all__ = ["PaperProblem", "PaperTotals", "add_paper", "paper_problems", "total_invalid"]


@dataclass(frozen=True)
class PaperProblem:
    """Why a group's paper count cannot be taken; ``code`` selects the message, ``details`` fill it in."""

    code: str
    details: dict[str, Any] = field(default_factory=dict)


def paper_problems(
    totals: PaperTotals, *, system: str, max_choices: int, n_options: int, marked: int
) -> list[PaperProblem]:
    """Check one group's hand count against the ballot's shape and the voters marked as voting on paper.

    ``totals.counts`` holds the votes per option in ballot order with the blank ballots last;
    ``marked`` is the number of voters of the group the committee marked as having voted on paper.
    """
    values = (totals.ballots, totals.invalid, *totals.counts)
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        return [PaperProblem("negative")]
    if len(totals.counts) != n_options:
        return [PaperProblem("options", {"expected": n_options, "got": len(totals.counts)})]
    problems: list[PaperProblem] = []
    blank = totals.counts[-1]
    marks = sum(totals.counts[:-1])
    if system == "list":
        # Domain 2.6: in the list system a valid ballot carries exactly one vote, so every ballot found
        # is one vote, one blank ballot or one invalid ballot.
        found = marks + blank + totals.invalid
        if found != totals.ballots:
            problems.append(PaperProblem("list_sum", {"ballots": totals.ballots, "found": found}))
    else:
        marked_ballots = totals.ballots - blank - totals.invalid
        if marked_ballots < 0:
            problems.append(PaperProblem("person_blank", {"ballots": totals.ballots}))
        elif not marked_ballots <= marks <= max_choices * marked_ballots:
            # Domain 2.6: a person-system ballot carries one to k votes.
            problems.append(PaperProblem("person_marks", {"marks": marks, "ballots": marked_ballots, "k": max_choices}))
    if totals.ballots > marked:
        # Domain 8 item 15: each paper ballot belongs to a voter marked as having voted on paper.
        problems.append(PaperProblem("more_than_marked", {"ballots": totals.ballots, "marked": marked}))
    return problems


def add_paper(online: Sequence[int], paper: PaperTotals | None) -> list[int]:
    """The votes per option (blank last) of the online count plus the paper count, before allocation."""
    if paper is None:
        return list(online)
    if len(paper.counts) != len(online):
        raise ValueError(f"{len(paper.counts)} paper counts for {len(online)} options")
    return [a + b for a, b in zip(online, paper.counts, strict=True)]


def total_invalid(paper: PaperTotals | None) -> int:
    """Invalid ballots of a group: an online ballot is valid or blank by construction, so only paper ones."""
    return 0 if paper is None else paper.invalid
