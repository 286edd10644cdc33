"""The checks on candidate lists (kandidatenlijsten), each a separate rule with its own code and article.

Pure: plain data in, plain data out. The list store gathers the facts of a stored list
(:class:`ListFacts`); :func:`check_list` runs every rule of :data:`RULES` in order and returns the
defects; :func:`conclude_repair` decides, once the repair window has passed, which candidates are
struck (those below move up, Kieswet analogue) and whether the list is invalid. Domain notes
2.3, 2.4 and 8 items 9-13.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from election.procedure import Phase
from election.timeline import Timeline

ListKind = Literal["union", "free"]

# WOR art. 9 lid 2 sub a: what a union declares before its list is accepted.
UNION_CONDITIONS: tuple[str, ...] = (
    "members_in_company",
    "statutory_aim",
    "legal_capacity_two_years",
    "active_in_company_or_sector",
    "members_consulted",
)


@dataclass(frozen=True)
class LinkedCandidacy:
    """The same person (matched by employee number) on a list of a linked election held together with this one."""

    election: str  # how the committee names the other election
    list_name: str


@dataclass(frozen=True)
class CandidateFacts:
    """One active candidate on the list, with what the register and the consent say about them."""

    candidacy_id: int
    person_id: int
    name: str
    position: int
    passive: bool
    electoral_group_id: int | None
    consent: bool
    other_lists: tuple[int, ...] = ()  # other lists of this election (any group) naming this person
    linked: tuple[LinkedCandidacy, ...] = ()  # lists of linked elections naming this person


@dataclass(frozen=True)
class SubmitterFacts:
    """Who submitted the list: an invited union with its declaration, or employees (free list)."""

    kind: ListKind
    union_invited: bool = False
    union_declaration: frozenset[str] = frozenset()
    person_active: bool = False
    person_group_id: int | None = None
    non_member_supporters: int = 0  # confirmed (co-)submitters declaring they are not in a list-submitting union


@dataclass(frozen=True)
class ListFacts:
    """A list as the checks see it."""

    list_id: int
    kind: ListKind
    electoral_group_id: int
    group_seats: int
    received_on: date
    deadline: date
    max_list_length: int | None
    candidates: tuple[CandidateFacts, ...]
    submitter: SubmitterFacts

    @property
    def max_length(self) -> int:
        """The regulation's maximum; with none set, the number of seats of the electoral group."""
        return self.max_list_length or self.group_seats


@dataclass(frozen=True)
class Defect:
    """A breach of one rule: a stable code, a sentence, the article, and the candidate it concerns."""

    code: str
    message: str
    article: str
    candidacy_id: int | None = None  # None: the defect concerns the whole list
    subject: str | None = None  # the candidate's name, for display
    detail: str | None = None  # data the sentence refers to (e.g. the other election and list), for display

    @property
    def concerns_list(self) -> bool:
        """True when the defect makes the list itself invalid unless repaired."""
        return self.candidacy_id is None


Rule = Callable[[ListFacts], list[Defect]]


def passive_right(facts: ListFacts) -> list[Defect]:
    """Every candidate has the passive voting right on the voting day (WOR art. 6 lid 3)."""
    return [
        Defect(
            "no_passive_right",
            f"{c.name} has no passive voting right on the voting day",
            "WOR art. 6 lid 3",
            c.candidacy_id,
            c.name,
        )
        for c in facts.candidates
        if not c.passive
    ]


def candidate_in_group(facts: ListFacts) -> list[Defect]:
    """Every candidate belongs to the list's electoral group (WOR art. 9 lid 3)."""
    return [
        Defect(
            "wrong_electoral_group",
            f"{c.name} does not belong to the electoral group of this list",
            "WOR art. 9 lid 3",
            c.candidacy_id,
            c.name,
        )
        for c in facts.candidates
        if c.electoral_group_id != facts.electoral_group_id
    ]


def one_list_only(facts: ListFacts) -> list[Defect]:
    """A person stands on one list only across the groups of this election (SER model; sbi.nl case)."""
    return [
        Defect(
            "on_several_lists",
            f"{c.name} also stands on another list",
            "SER model regulation; one list per candidate",
            c.candidacy_id,
            c.name,
        )
        for c in facts.candidates
        if c.other_lists
    ]


def one_list_across_linked_elections(facts: ListFacts) -> list[Defect]:
    """A person stands on one list only across linked elections, e.g. the council and an onderdeelcommissie.

    sbi.nl case (domain 2.4): a candidate on a union list for a sub-committee and on a free list for
    the works council could be refused; domain 8 item 11. The other candidacies come in as data.
    """
    defects = []
    for c in facts.candidates:
        if not c.linked:
            continue
        where = "; ".join(f"{o.election}: “{o.list_name}”" for o in c.linked)
        defects.append(
            Defect(
                "on_list_in_linked_election",
                f"{c.name} also stands on a list of a linked election ({where})",
                "SER model regulation; one list per candidate across linked elections (sbi.nl case)",
                c.candidacy_id,
                c.name,
                where,
            )
        )
    return defects


def consent_present(facts: ListFacts) -> list[Defect]:
    """Every candidate has consented in writing (instemmingsverklaring; regulation)."""
    return [
        Defect(
            "no_consent",
            f"{c.name} has not (yet) consented to the candidacy",
            "regulation: written consent of every candidate",
            c.candidacy_id,
            c.name,
        )
        for c in facts.candidates
        if not c.consent
    ]


def list_length(facts: ListFacts) -> list[Defect]:
    """At most the regulation's number of candidates; those beyond it are the defect."""
    limit = facts.max_length
    ordered = sorted(facts.candidates, key=lambda c: c.position)
    return [
        Defect(
            "list_too_long",
            f"the list holds {len(ordered)} candidates, the maximum is {limit}; {c.name} is beyond it",
            "regulation: maximum number of candidates per list",
            c.candidacy_id,
            c.name,
        )
        for c in ordered[limit:]
    ]


def submitted_in_time(facts: ListFacts) -> list[Defect]:
    """The list reached the committee on or before its deadline (sbiformaat: a late list is refused)."""
    if facts.received_on <= facts.deadline:
        return []
    return [
        Defect(
            "late",
            f"the list was received on {facts.received_on}, after the deadline of {facts.deadline}",
            "regulation: candidacy deadline; WOR art. 9 lid 2",
        )
    ]


def submitter_eligible(facts: ListFacts) -> list[Defect]:
    """An invited union that declared the art. 9 lid 2 sub a conditions, or eligible employees (sub b)."""
    s = facts.submitter
    if s.kind == "union":
        if not s.union_invited:
            return [Defect("union_not_invited", "the union is not among the invited unions", "WOR art. 9 lid 2 sub a")]
        missing = [c for c in UNION_CONDITIONS if c not in s.union_declaration]
        if missing:
            return [
                Defect(
                    "union_declaration_incomplete",
                    f"the union did not declare: {', '.join(missing)}",
                    "WOR art. 9 lid 2 sub a",
                )
            ]
        return []
    if not s.person_active:
        return [Defect("submitter_not_eligible", "the submitter has no active voting right", "WOR art. 9 lid 2 sub b")]
    if s.person_group_id != facts.electoral_group_id:
        return [
            Defect(
                "submitter_not_eligible",
                "the submitter does not belong to the electoral group of this list",
                "WOR art. 9 lid 2 sub b and lid 3",
            )
        ]
    if s.non_member_supporters < 1:
        return [
            Defect(
                "no_non_member_supporter",
                "nobody who submits or supports the list has declared not to be a member of a union that "
                "submitted a list",
                "WOR art. 9 lid 2 sub b",
            )
        ]
    return []


def list_not_empty(facts: ListFacts) -> list[Defect]:
    """A list names at least one candidate."""
    return [] if facts.candidates else [Defect("empty_list", "the list names no candidate", "WOR art. 9 lid 1")]


RULES: tuple[Rule, ...] = (
    submitted_in_time,
    submitter_eligible,
    list_not_empty,
    passive_right,
    candidate_in_group,
    one_list_only,
    one_list_across_linked_elections,
    consent_present,
    list_length,
)
RULE_CODES: tuple[str, ...] = (
    "late",
    "union_not_invited",
    "union_declaration_incomplete",
    "submitter_not_eligible",
    "no_non_member_supporter",
    "empty_list",
    "no_passive_right",
    "wrong_electoral_group",
    "on_several_lists",
    "on_list_in_linked_election",
    "no_consent",
    "list_too_long",
)


def check_list(facts: ListFacts) -> tuple[Defect, ...]:
    """Every defect of the list, rule by rule in :data:`RULES` order."""
    return tuple(defect for rule in RULES for defect in rule(facts))


@dataclass(frozen=True)
class RepairOutcome:
    """What the committee decides once the repair window has passed."""

    struck: tuple[tuple[int, Defect], ...]  # (candidacy id, the defect that was not repaired)
    invalid: Defect | None  # the list-level defect that makes the list invalid, if any
    order: tuple[int, ...]  # the remaining candidacy ids, top to bottom (those below a struck one move up)

    @property
    def valid(self) -> bool:
        """True when the list stands, with at least one candidate."""
        return self.invalid is None


def move_up(candidates: Sequence[CandidateFacts], struck: set[int]) -> tuple[int, ...]:
    """The remaining candidates in list order; no empty place is left (Kieswet analogue, kiesraad)."""
    return tuple(c.candidacy_id for c in sorted(candidates, key=lambda c: c.position) if c.candidacy_id not in struck)


def conclude_repair(facts: ListFacts) -> RepairOutcome:
    """Strike every candidate with an unrepaired defect, move the rest up, and judge the list.

    A list-level defect (late, submitter not eligible, empty) makes the list invalid. The length
    rule is applied after the other strikes: only candidates still beyond the maximum are struck.
    A list with nobody left is invalid.
    """
    defects = check_list(facts)
    list_level = [d for d in defects if d.concerns_list]
    if list_level:
        return RepairOutcome((), list_level[0], ())
    struck: dict[int, Defect] = {}
    for d in defects:
        if d.candidacy_id is not None and d.code != "list_too_long" and d.candidacy_id not in struck:
            struck[d.candidacy_id] = d
    order = move_up(facts.candidates, set(struck))
    limit = facts.max_length
    for candidacy_id in order[limit:]:
        name = next(c.name for c in facts.candidates if c.candidacy_id == candidacy_id)
        struck[candidacy_id] = Defect(
            "list_too_long",
            f"{name} stands beyond the maximum of {limit} candidates",
            "regulation: maximum number of candidates per list",
            candidacy_id,
            name,
        )
    order = order[:limit]
    pairs = tuple(struck.items())
    if not order:
        return RepairOutcome(pairs, Defect("empty_list", "no candidate is left on the list", "WOR art. 9 lid 1"), ())
    return RepairOutcome(pairs, None, order)


@dataclass(frozen=True)
class Window:
    """Whether lists of one kind may be submitted today, and if not, why."""

    open: bool
    opens: date
    closes: date
    reason: Literal["open", "not_yet", "closed"]


_PHASES: dict[ListKind, frozenset[Phase]] = {
    "union": frozenset({Phase.UNION_CANDIDACY, Phase.CANDIDACY}),
    "free": frozenset({Phase.FREE_CANDIDACY, Phase.CANDIDACY}),
}


def submission_window(kind: ListKind, phase: Phase, timeline: Timeline, today: date) -> Window:
    """The submission window for union or free lists (sequential or simultaneous, domain 2.3 and 8.4).

    Union lists are accepted in the union (or combined) candidacy phase up to ``union_lists_deadline``;
    free lists in the free (or combined) phase from ``free_candidacy_opens`` up to ``free_lists_deadline``.
    """
    opens = timeline["union_candidacy_opens" if kind == "union" else "free_candidacy_opens"]
    closes = timeline["union_lists_deadline" if kind == "union" else "free_lists_deadline"]
    order = list(Phase)
    if today > closes or (phase not in _PHASES[kind] and order.index(phase) >= order.index(Phase.LIST_REVIEW)):
        return Window(False, opens, closes, "closed")
    if phase not in _PHASES[kind]:
        # Sequential mode: free lists wait for FREE_CANDIDACY; union lists closed once it began.
        after_union = kind == "union" and phase is Phase.FREE_CANDIDACY
        return Window(False, opens, closes, "closed" if after_union else "not_yet")
    if today < opens:
        return Window(False, opens, closes, "not_yet")
    return Window(True, opens, closes, "open")


def needs_vote(seats: int, valid_candidates: int) -> bool:
    """Domain 2.1 step 8b: with no more candidates than seats, no vote is held; all are elected."""
    return valid_candidates > seats
