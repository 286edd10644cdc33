"""The ballot of one electoral group, exactly as voters see it, in the one order every part uses.

The committee's preview, the voting booth and the encrypted ballot (:mod:`crypto.ballot`: one
ciphertext per option, blank last) all take their options from :func:`ballot_for_group`, so option
*i* means the same candidate everywhere. Domain 5.1, 5.2 and 8 item 14.

* List system (lijstenstelsel): the lists by list number, each with its candidates in list order;
  the voter marks exactly one candidate, or the explicit blank option.
* Person system (personenstelsel): all candidates on one ballot, alphabetically or in list order as
  the regulation says; the voter marks up to ``k`` candidates, or blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

BLANK = "blank"


@dataclass(frozen=True)
class ListedCandidate:
    """A candidate of a published list: a stable id, the name shown, the place on the list."""

    candidacy_id: int
    name: str
    position: int


@dataclass(frozen=True)
class PublishedList:
    """A valid, numbered list of the group."""

    number: int
    name: str
    candidates: tuple[ListedCandidate, ...]


@dataclass(frozen=True)
class BallotOption:
    """One thing a voter can mark; ``index`` is its place in the encrypted ballot."""

    index: int
    key: str  # "c<candidacy id>" or "blank"
    kind: Literal["candidate", "blank"]
    name: str
    list_number: int | None = None
    list_name: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class BallotList:
    """A list as printed on a list-system ballot: its number, name and candidate options."""

    number: int
    name: str
    options: tuple[BallotOption, ...]


@dataclass(frozen=True)
class BallotLayout:
    """The ballot of one electoral group: options in their fixed order, blank last."""

    group: str
    system: Literal["list", "person"]
    seats: int
    max_marks: int
    options: tuple[BallotOption, ...]
    lists: tuple[BallotList, ...]  # list system only; empty for the person system

    @property
    def blank(self) -> BallotOption:
        """The explicit blank option (always the last)."""
        return self.options[-1]

    @property
    def candidate_options(self) -> tuple[BallotOption, ...]:
        """Every option except blank, in ballot order."""
        return self.options[:-1]


def ballot_for_group(
    group: str,
    system: Literal["list", "person"],
    seats: int,
    lists: Sequence[PublishedList],
    *,
    votes_per_voter: int | None = None,
    person_order: Literal["alphabetical", "lists"] = "alphabetical",
) -> BallotLayout:
    """Build the ballot of one group from its published lists.

    Lists are taken in list-number order and candidates in list order. In the person system the
    candidates are merged into one column, sorted by name (ties by list number and place) or kept
    in list order. The blank option is always last. ``votes_per_voter`` (person system) defaults to
    the number of seats and never exceeds the number of candidates.
    """
    ordered = sorted(lists, key=lambda x: x.number)
    entries = [(lst, c) for lst in ordered for c in sorted(lst.candidates, key=lambda c: c.position)]
    if system == "person" and person_order == "alphabetical":
        entries.sort(key=lambda e: (e[1].name.casefold(), e[0].number, e[1].position))
    options = [
        BallotOption(i, f"c{c.candidacy_id}", "candidate", c.name, lst.number, lst.name, c.position)
        for i, (lst, c) in enumerate(entries)
    ]
    options.append(BallotOption(len(options), BLANK, "blank", BLANK))
    if system == "list":
        by_number = {
            lst.number: BallotList(lst.number, lst.name, tuple(o for o in options if o.list_number == lst.number))
            for lst in ordered
        }
        return BallotLayout(group, system, seats, 1, tuple(options), tuple(by_number.values()))
    k = min(votes_per_voter or seats, max(len(entries), 1))
    return BallotLayout(group, system, seats, k, tuple(options), ())
