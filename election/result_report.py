"""The result of the election as the official report (proces-verbaal), the results pages and the letters read it.

Everything comes from what the count stored: the frozen manifest, ``seats.json`` (the exact input
and output of the seat allocation per electoral group, lots included) and the per-group rows of
:func:`election.count_results.group_results`. Nothing is recomputed here except figures derived
for reading (turnout, remainders, the preference threshold in votes). Groups that held no vote
(domain 2.1 step 8b) come from the final lists: every candidate elected, the rest of the seats empty.

The proces-verbaal lists (domain 8 item 22; 2.7): the election's data and the regulation's
counting rules, the course of events, the register size and turnout per electoral group, valid,
blank and invalid votes, the quota, full and remaining seats, preference calculations, lot draws
with the public seed, elected members and ranked reserves, objections and their decisions, the
board head and the record's SHA-256, and the committee's signatures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from flask_babel import format_decimal

from crypto import record as rc
from election.count_board import parse_manifest
from election.count_results import GroupResult
from election.list_publication import GroupOutcome
from election.regulation import Regulation, parse_fraction

# Audit actions that make up the course of events in the report.
EVENTS = frozenset(
    {
        "phase_changed",
        "voting_day_postponed",
        "voting_extended",
        "board_closed",
        "decryption_shares_submitted",
        "lot_seed_fixed",
        "result_published",
        "result_objection_filed",
        "result_objection_decided",
    }
)
_CANDIDACY = re.compile(r"^c(\d+)$")


class ResultNotReady(Exception):
    """There is no result to report yet: ``code`` is ``counting`` (a vote without seats) or ``no_result``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CandidateLine:
    """One candidate's votes and outcome; ``candidacy_id`` links to the stored candidacy when there is one."""

    id: str
    name: str
    list_name: str | None
    votes: int
    elected: bool
    reserve: int | None  # 1-based place in the succession order of their list (or of the group)
    preference: bool = False  # reached the preference threshold (list system with one)
    earmark: str | None = None  # the earmark (``seats.json`` id) whose reserved seat they were elected on

    @property
    def candidacy_id(self) -> int | None:
        """The stored candidacy behind a ballot option ``c<id>``."""
        found = _CANDIDACY.match(self.id)
        return int(found.group(1)) if found else None


@dataclass(frozen=True)
class ListLine:
    """One list: votes, how its seats were won, and its candidates in list order."""

    id: str
    name: str
    votes: int
    full_seats: int
    remainder_seats: int
    surplus_seats: int  # won but left without a candidate
    redistributed_seats: int  # received from another list's surplus
    seats: int
    remainder: Fraction | None  # votes - full seats x quota (largest remainders) or votes / (full + 1) (D'Hondt)
    qualified: bool  # reached the threshold to share in the remaining seats
    candidates: tuple[CandidateLine, ...]


@dataclass(frozen=True)
class LotLine:
    """One draw by lot: what was at stake, who took part, who won (names, not ids).

    ``kind`` reads the allocation's label (``election.seats.Lottery``): ``remainder``, ``surplus``,
    ``seat`` and ``reserve`` with their number, ``preference`` with the list's name, ``earmark`` with
    the unit, else ``other``.
    """

    label: str
    among: tuple[str, ...]
    winner: str
    kind: str = "other"
    number: int | None = None
    list_name: str | None = None
    unit: tuple[str | None, str] | None = None  # an earmark's reserved seat: its register column and value


@dataclass(frozen=True)
class EarmarkLine:
    """Seats reserved for one unit (domain 4.3): who took them and how many no unit candidate could take.

    ``unit_field`` is ``department`` or ``location`` (None when the id names neither), ``unit`` its value.
    """

    id: str
    unit_field: str | None
    unit: str
    seats: int
    elected: tuple[CandidateLine, ...]
    unfilled: int


@dataclass(frozen=True)
class ReserveGroup:
    """The reserves (opvolgers) of one list, or of the group in the person system, in order."""

    list_name: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class GroupReport:
    """One electoral group's result, with every figure the proces-verbaal gives."""

    id: str
    name: str
    system: str
    seats: int
    voted: bool
    register_count: int
    ballots: int
    blank: int
    invalid: int
    valid_votes: int
    quota: Fraction | None
    remainder_method: str
    remainder_threshold: Fraction
    preference_threshold: Fraction | None
    surplus_rule: str
    lists: tuple[ListLine, ...]
    candidates: tuple[CandidateLine, ...]  # person system (ballot order); empty for lists
    elected: tuple[CandidateLine, ...]  # in the order their seats were filled
    reserves: tuple[ReserveGroup, ...]
    vacant_seats: int
    lots: tuple[LotLine, ...]
    paper_ballots: int | None = None  # hybrid election: the paper ballots among ``ballots``
    earmarks: tuple[EarmarkLine, ...] = ()

    @property
    def turnout(self) -> Fraction | None:
        """Ballots cast as a share of the voters in the register (None without a vote or voters)."""
        return Fraction(self.ballots, self.register_count) if self.voted and self.register_count else None

    @property
    def preference_votes(self) -> Fraction | None:
        """The personal votes a candidate needed to pass the list order (threshold x quota)."""
        if self.preference_threshold is None or self.quota is None:
            return None
        return self.preference_threshold * self.quota

    @property
    def remainder_votes(self) -> Fraction | None:
        """The votes a list needed to share in the remaining seats (threshold x quota)."""
        return None if self.quota is None else self.remainder_threshold * self.quota

    @property
    def all_candidates(self) -> tuple[CandidateLine, ...]:
        """Every candidate of the group, list by list."""
        return tuple(c for lst in self.lists for c in lst.candidates) + self.candidates

    @property
    def top(self) -> int:
        """The largest vote figure shown, for the scale of the charts."""
        figures = [lst.votes for lst in self.lists] + [c.votes for c in self.all_candidates]
        return max([1, *figures])


@dataclass(frozen=True)
class Event:
    """One step in the course of the election, from the audit log."""

    at: datetime
    action: str
    actor: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Trustee:
    """A committee member holding a key share, and whether their decryption shares were used."""

    index: int
    name: str
    shared: bool


@dataclass(frozen=True)
class ObjectionLine:
    """An objection (against the result) and its decision."""

    received_on: date
    objector: str
    text: str
    decision: str | None
    reasons: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class Signatory:
    """A committee member who signs the report."""

    name: str
    role: str


@dataclass(frozen=True)
class OfficialReport:
    """The proces-verbaal of one election; also what the results pages and letters are made from."""

    election_id: int
    organisation: str
    headcount: int
    seats: int
    electoral_system: str
    regulation: Regulation
    voting_day: date
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    term_end: date
    groups: tuple[GroupReport, ...]
    generated_at: datetime
    events: tuple[Event, ...] = ()
    board_head_closed: str | None = None
    board_head: str | None = None
    election_hash: str | None = None
    record_sha256: str | None = None
    lot_text: str | None = None
    lot_seed: str | None = None
    lot_fixed_by: str | None = None
    lot_fixed_at: datetime | None = None
    threshold: int | None = None
    trustees: tuple[Trustee, ...] = ()
    objections: tuple[ObjectionLine, ...] = ()
    register_objections: tuple[int, int] = (0, 0)  # filed, upheld
    list_objections: tuple[int, int] = (0, 0)
    announced_at: datetime | None = None
    objection_deadline: date | None = None
    final_at: datetime | None = None
    committee: tuple[Signatory, ...] = field(default_factory=tuple)

    @property
    def voted(self) -> bool:
        """Whether a vote was held in at least one electoral group."""
        return any(g.voted for g in self.groups)

    @property
    def register_total(self) -> int:
        """Voters in the register of the groups that held a vote."""
        return sum(g.register_count for g in self.groups if g.voted)

    @property
    def ballots_total(self) -> int:
        """Ballots cast in every group."""
        return sum(g.ballots for g in self.groups)

    @property
    def turnout(self) -> Fraction | None:
        """Overall turnout of the groups that held a vote."""
        return Fraction(self.ballots_total, self.register_total) if self.register_total else None

    @property
    def elected_total(self) -> int:
        """Members elected in all groups."""
        return sum(len(g.elected) for g in self.groups)

    @property
    def vacant_total(self) -> int:
        """Seats left empty in all groups."""
        return sum(g.vacant_seats for g in self.groups)

    @property
    def lots(self) -> tuple[LotLine, ...]:
        """Every draw by lot in every group."""
        return tuple(lot for g in self.groups for lot in g.lots)

    @staticmethod
    def decimal(value: Fraction | int | None, places: int = 2) -> str:
        """A figure for reading, rounded to ``places`` decimals in the active language (exact figures beside it)."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(format_decimal(float(value), format=pattern))

    @staticmethod
    def exact(value: Fraction | None) -> str:
        """A fraction exactly, as ``800/15``; a whole number without denominator."""
        if value is None:
            return "–"
        return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"

    def percent(self, value: Fraction | None) -> str:
        """A share as a percentage with one decimal."""
        return "–" if value is None else self.decimal(value * 100, 1) + " %"


# ---- building the groups (pure) ------------------------------------------------------------------


def voted_groups(manifest_raw: Any, seats_doc: dict[str, Any], results: Sequence[GroupResult]) -> list[GroupReport]:
    """The groups that held a vote, in manifest order, from the manifest, ``seats.json`` and the count rows."""
    manifest = parse_manifest(manifest_raw)
    by_id = {g["id"]: g for g in seats_doc["groups"]}
    rows = {r.id: r for r in results}
    return [
        _voted_group(grp, by_id[grp.id]["input"], by_id[grp.id]["output"], rows.get(grp.id)) for grp in manifest.groups
    ]


def _fraction(raw: Any) -> Fraction | None:
    return None if raw is None else parse_fraction(raw)


def _voted_group(grp: rc.Group, doc: dict[str, Any], out: dict[str, Any], row: GroupResult | None) -> GroupReport:
    names = {c.id: c.name for lst in grp.lists for c in lst.candidates} | {c.id: c.name for c in grp.candidates}
    names |= {lst.id: lst.name for lst in grp.lists}
    list_of = {c.id: lst.name for lst in grp.lists for c in lst.candidates}
    votes = {c["id"]: int(c["votes"]) for lst in doc.get("lists", []) for c in lst["candidates"]}
    votes |= {c["id"]: int(c["votes"]) for c in doc.get("candidates", [])}
    quota = _fraction(out.get("quota"))
    method = str(doc.get("remainder_method", "largest_remainders"))
    remainder_threshold = _fraction(doc.get("remainder_threshold")) or Fraction(0)
    preference = _fraction(doc.get("preference_threshold"))
    personal = preference * quota if preference is not None and quota is not None else None
    elected_ids = list(out.get("elected", []))
    elected = set(elected_ids)
    reserve_rank: dict[str, int] = {}
    reserves: list[ReserveGroup] = []
    for lst_out in out.get("lists", []):
        ids = list(lst_out.get("reserves", []))
        reserve_rank |= {cid: i for i, cid in enumerate(ids, start=1)}
        reserves.append(ReserveGroup(names.get(lst_out["id"], lst_out["id"]), tuple(names[c] for c in ids)))
    if grp.system != "list":
        ids = list(out.get("reserves", []))
        reserve_rank = {cid: i for i, cid in enumerate(ids, start=1)}
        reserves = [ReserveGroup(None, tuple(names[c] for c in ids))]

    earmark_of = {cid: str(e["id"]) for e in out.get("earmarks", []) for cid in e.get("elected", [])}

    def line(cid: str) -> CandidateLine:
        reached = personal is not None and votes[cid] >= personal
        return CandidateLine(
            cid,
            names[cid],
            list_of.get(cid),
            votes[cid],
            cid in elected,
            reserve_rank.get(cid),
            reached,
            earmark_of.get(cid),
        )

    outputs = {lst["id"]: lst for lst in out.get("lists", [])}
    lists = []
    for lst in grp.lists:
        o = outputs.get(lst.id, {})
        total = sum(votes[c.id] for c in lst.candidates)
        full = int(o.get("full_seats", 0))
        remainder: Fraction | None = None
        if quota is not None:
            remainder = total - full * quota if method == "largest_remainders" else Fraction(total, full + 1)
        qualified = quota is not None and total > 0 and total >= remainder_threshold * quota
        lists.append(
            ListLine(
                lst.id,
                lst.name,
                total,
                full,
                int(o.get("remainder_seats", 0)),
                int(o.get("surplus_seats", 0)),
                int(o.get("redistributed_seats", 0)),
                int(o.get("seats", 0)),
                remainder,
                qualified,
                tuple(line(c.id) for c in lst.candidates),
            )
        )
    lots = tuple(_lot(lot, names) for lot in out.get("lots", []))
    earmarks = tuple(
        EarmarkLine(
            str(e["id"]),
            *unit_of(str(e["id"])),
            int(e.get("seats", 0)),
            tuple(line(cid) for cid in e.get("elected", [])),
            int(e.get("unfilled", 0)),
        )
        for e in out.get("earmarks", [])
    )
    return GroupReport(
        id=grp.id,
        name=grp.name,
        system=grp.system,
        seats=grp.seats,
        voted=True,
        register_count=grp.register_count,
        ballots=row.ballots if row is not None else 0,
        blank=int(out.get("blank", doc.get("blank", 0))),
        invalid=int(out.get("invalid", doc.get("invalid", 0))),
        valid_votes=int(out.get("valid_votes", sum(votes.values()))),
        quota=quota,
        remainder_method=method,
        remainder_threshold=remainder_threshold,
        preference_threshold=preference,
        surplus_rule=str(doc.get("surplus_seats", "vacant")),
        lists=tuple(lists),
        candidates=tuple(line(c.id) for c in grp.candidates),
        elected=tuple(line(cid) for cid in elected_ids),
        reserves=tuple(reserves),
        vacant_seats=int(out.get("vacant_seats", 0)),
        lots=lots,
        paper_ballots=row.paper_ballots if row is not None else None,
        earmarks=earmarks,
    )


def unit_of(earmark_id: str) -> tuple[str | None, str]:
    """The register column and value an earmark id (``location:Utrecht``) names; None for another id."""
    field, sep, value = earmark_id.partition(":")
    if sep and field in ("department", "location"):
        return field, value
    return None, earmark_id


_LOT_LABELS = (
    ("remainder", re.compile(r"^remainder seat (\d+)$")),
    ("surplus", re.compile(r"^surplus seat (\d+)$")),
    ("seat", re.compile(r"^seat (\d+)$")),
    ("reserve", re.compile(r"^reserve (\d+)$")),
    ("preference", re.compile(r"^(.+) preference seat (\d+)$")),
    ("earmark", re.compile(r"^earmark (.+) seat (\d+)$")),
)


def _lot(lot: dict[str, Any], names: dict[str, str]) -> LotLine:
    label = str(lot["for"])
    among = tuple(names.get(p, p) for p in lot["among"])
    winner = names.get(lot["winner"], lot["winner"])
    for kind, pattern in _LOT_LABELS:
        found = pattern.match(label)
        if found is None:
            continue
        if kind == "preference":
            return LotLine(label, among, winner, kind, int(found.group(2)), names.get(found.group(1), found.group(1)))
        if kind == "earmark":
            return LotLine(label, among, winner, kind, int(found.group(2)), unit=unit_of(found.group(1)))
        return LotLine(label, among, winner, kind, int(found.group(1)))
    return LotLine(label, among, winner)


def unvoted_group(outcome: GroupOutcome, register_count: int, system: str, regulation: Regulation) -> GroupReport:
    """A group without a vote (domain 2.1 step 8b): every valid candidate elected, the other seats empty."""
    lists = []
    elected: list[CandidateLine] = []
    for lst in outcome.lists:
        cands = tuple(CandidateLine(f"c{c.candidacy_id}", c.name, lst.name, 0, True, None) for c in lst.candidates)
        elected.extend(cands)
        lists.append(ListLine(f"L{lst.number}", lst.name, 0, 0, 0, 0, 0, len(cands), None, False, cands))
    person = system == "person"
    return GroupReport(
        id=f"G{outcome.group_id}",
        name=outcome.name,
        system=system,
        seats=outcome.seats,
        voted=False,
        register_count=register_count,
        ballots=0,
        blank=0,
        invalid=0,
        valid_votes=0,
        quota=None,
        remainder_method=regulation.remainder_method,
        remainder_threshold=regulation.remainder_threshold,
        preference_threshold=regulation.preference_threshold,
        surplus_rule=regulation.surplus_seats,
        lists=() if person else tuple(lists),
        candidates=tuple(elected) if person else (),
        elected=tuple(elected),
        reserves=(),
        vacant_seats=outcome.empty_seats,
        lots=(),
    )
