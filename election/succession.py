"""Succession (opvolging): who fills a seat left open during the term, from the stored result.

The rule, per domain notes 2.8, 5.1 and 5.2 step 7:

* list system (lijstenstelsel): the next reserve of the **same list** as the member who left, in
  the order the count stored (preference-qualified candidates first, then list order);
* person system (personenstelsel): the next candidate **by votes** among the group's reserves,
  ties already drawn by lot at the count and stored in that order;
* a vacancy belongs to its electoral group (kiesgroep): successors come from that group only;
* the successor must still be eligible and must accept; a candidate who declines is passed over
  for this vacancy and is asked again for a later one (their place in the order stands), while a
  candidate found no longer eligible is passed over for the rest of the term;
* when nobody is left (the list or the reserves are exhausted) there is no successor: a
  by-election follows with the full normal procedure, unless the regular elections are so near
  that the regulation lets the seat stay open (SER model: 6 months). Until then the council
  continues with fewer members.

Everything here is a plain function on plain data; :mod:`election.succession_store` applies it to
the database. Candidates are the ids of the frozen manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from election.eligibility import add_months

System = Literal["list", "person"]
Answer = Literal["accepted", "declined", "not_eligible"]
Outcome = Literal["by_election", "leave_open"]
ANSWERS: tuple[Answer, ...] = ("accepted", "declined", "not_eligible")


class SuccessionError(ValueError):
    """A succession step that does not fit the stored result; ``code`` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Candidate:
    """A candidate of the stored result: id, name and (list system) the list they stood on."""

    id: str
    name: str
    list_id: str | None = None


@dataclass(frozen=True)
class GroupResult:
    """One electoral group's stored result as succession reads it.

    ``reserves`` maps each list id (``None`` in the person system) to its reserves in succession
    order, exactly as the count stored them.
    """

    id: str
    name: str
    system: System
    elected: tuple[str, ...]
    reserves: Mapping[str | None, tuple[str, ...]]
    candidates: Mapping[str, Candidate]

    def reserve_order(self, left: str) -> tuple[str, ...]:
        """The candidates who may succeed ``left``, best first."""
        if self.system == "person":
            return self.reserves.get(None, ())
        return self.reserves.get(self.candidates[left].list_id, ())


@dataclass(frozen=True)
class Offer:
    """A candidate asked to fill a vacancy, and their answer."""

    candidate: str
    answer: Answer


@dataclass(frozen=True)
class VacancyFacts:
    """A vacancy as recorded: who left, when, and the offers made so far (in order)."""

    left: str
    left_on: date
    offers: tuple[Offer, ...] = ()

    @property
    def filled_by(self) -> str | None:
        """The candidate who accepted, if any."""
        return next((o.candidate for o in self.offers if o.answer == "accepted"), None)


@dataclass(frozen=True)
class Proposal:
    """What the rule proposes for one vacancy.

    Either ``successor`` is the next candidate to ask, or it is ``None`` and ``outcome`` says
    what follows: a by-election or leaving the seat open until the regular elections.
    ``passed_over`` lists the candidates skipped on the way, each with why.
    """

    left: str
    successor: str | None
    passed_over: tuple[tuple[str, str], ...]
    outcome: Outcome | None = None
    reason: str | None = None  # list_exhausted | no_reserves, when there is no successor
    serves_until: date | None = None


def seated(result: GroupResult, history: Sequence[VacancyFacts]) -> tuple[str, ...]:
    """The group's members now: the elected, minus those who left, plus successors who accepted.

    Successors take the place of the member they succeed, so the order follows the seats.
    """
    successor_of = {v.left: v.filled_by for v in history}
    out: list[str] = []
    for member in result.elected:
        while member in successor_of:  # a successor may leave too
            nxt = successor_of[member]
            if nxt is None:
                member = ""
                break
            member = nxt
        if member:
            out.append(member)
    return tuple(out)


def check_vacancy(result: GroupResult, history: Sequence[VacancyFacts], left: str) -> None:
    """Refuse a new vacancy for someone who does not hold a seat of this group now.

    ``history`` is every vacancy recorded so far; a member who already left holds no seat.
    """
    if left not in result.candidates:
        raise SuccessionError("unknown_member", f"{left} is not a candidate of group {result.id}")
    if left not in seated(result, history):
        raise SuccessionError("not_seated", f"{left} does not hold a seat of group {result.id}")


def propose(
    result: GroupResult,
    history: Sequence[VacancyFacts],
    vacancy: VacancyFacts,
    *,
    term_ends_on: date,
    open_months: int,
) -> Proposal:
    """The next candidate to ask for ``vacancy``, or what follows when nobody is left.

    ``history`` holds every vacancy of the group (``vacancy`` among them or not); a candidate who
    accepted anywhere is seated and cannot be asked, one found not eligible is passed over for
    good, one who declined is passed over for this vacancy only. ``term_ends_on`` is the end of
    the council's term: a successor serves until then (WOR art. 12 lid 5).
    """
    others = [v for v in history if v.left != vacancy.left]
    now_seated = set(seated(result, others))
    left_already = {v.left for v in others}
    not_eligible = {o.candidate for v in [*others, vacancy] for o in v.offers if o.answer == "not_eligible"}
    declined_here = {o.candidate for o in vacancy.offers if o.answer == "declined"}
    passed: list[tuple[str, str]] = []
    if vacancy.filled_by is not None:
        return Proposal(vacancy.left, vacancy.filled_by, (), serves_until=term_ends_on)
    for candidate in result.reserve_order(vacancy.left):
        if candidate in now_seated:
            passed.append((candidate, "seated"))
        elif candidate in left_already:
            passed.append((candidate, "left"))
        elif candidate in not_eligible:
            # Domain 8 item 28: the successor must still be eligible.
            passed.append((candidate, "not_eligible"))
        elif candidate in declined_here:
            # Domain 8 item 28: the successor must accept; the next one is asked.
            passed.append((candidate, "declined"))
        else:
            # WOR art. 12 lid 5: the successor serves until the predecessor would have stepped down.
            return Proposal(vacancy.left, candidate, tuple(passed), serves_until=term_ends_on)
    # Domain 2.8: nobody available -> a by-election, unless the regular elections are near
    # enough that the regulation lets the seat stay open (SER model: 6 months, via rmu.nu).
    near = term_ends_on <= add_months(vacancy.left_on, open_months)
    return Proposal(
        vacancy.left,
        None,
        tuple(passed),
        outcome="leave_open" if near else "by_election",
        reason="no_reserves" if result.system == "person" else "list_exhausted",
    )


def check_answer(proposal: Proposal, candidate: str, answer: str) -> Answer:
    """Accept an answer only for the candidate the rule proposes now, so the order is kept."""
    if answer not in ANSWERS:
        raise SuccessionError("bad_answer", f"unknown answer {answer!r}")
    if proposal.successor is None:
        raise SuccessionError("no_successor", "there is no candidate left to ask for this vacancy")
    if candidate != proposal.successor:
        raise SuccessionError("out_of_order", f"the candidate to ask now is {proposal.successor}, not {candidate}")
    return answer


def results_from_record(manifest: Mapping[str, Any], seats: Mapping[str, Any]) -> dict[str, GroupResult]:
    """Every voted group's result for succession, from the frozen manifest and ``seats.json``."""
    outputs = {g["id"]: g["output"] for g in seats.get("groups", [])}
    out: dict[str, GroupResult] = {}
    for grp in manifest.get("groups", []):
        output = outputs.get(grp["id"])
        if output is None:
            continue
        candidates: dict[str, Candidate] = {}
        reserves: dict[str | None, tuple[str, ...]] = {}
        if grp["system"] == "list":
            for lst in grp.get("lists", []):
                for c in lst["candidates"]:
                    candidates[c["id"]] = Candidate(c["id"], c["name"], lst["id"])
            for lst in output.get("lists", []):
                reserves[lst["id"]] = tuple(lst.get("reserves", []))
        else:
            for c in grp.get("candidates", []):
                candidates[c["id"]] = Candidate(c["id"], c["name"])
            reserves[None] = tuple(output.get("reserves", []))
        out[grp["id"]] = GroupResult(
            id=grp["id"],
            name=grp["name"],
            system=grp["system"],
            elected=tuple(output.get("elected", [])),
            reserves=reserves,
            candidates=candidates,
        )
    return out
