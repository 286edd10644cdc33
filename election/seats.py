"""Seat allocation for one contest (one electoral group), in exact arithmetic.

List system (lijstenstelsel), following the domain notes section 5.2:

1. valid votes are the candidates' votes summed; blank and invalid ballots do not count;
2. the quota (kiesdeler) Q = valid votes / seats, kept as an exact fraction;
3. a list gets floor(votes / Q) full seats;
4. the remaining seats go by largest remainders or by D'Hondt averages, as the regulation names,
   only to lists with at least ``remainder_threshold`` x Q votes. Under largest remainders a list
   gets at most one remaining seat; should seats be left after every qualifying list had one,
   they go on by D'Hondt averages among the same lists;
5. a list that won more seats than it has candidates leaves the surplus vacant, or passes it to
   the other qualifying lists by D'Hondt averages (``surplus_seats = "redistribute"``);
6. within a list, candidates whose personal votes reach ``preference_threshold`` x Q are elected
   first in order of personal votes, then the list order fills the rest. Reserves follow the same
   order: remaining preference-qualified candidates by votes, then list order.

Person system (personenstelsel): the candidates with the most votes win; the rest, ranked by votes,
are the reserves. A list or candidate with no votes can still be elected only in the person
system, where every seat is filled while candidates remain.

Earmarked seats (geoormerkte zetels, domain 4.3 and 8 item 26): an earmark reserves a number of the
group's seats for the candidates of one unit (a department or a location) while every voter of the
group votes for every candidate. The reserved seats are filled first, the rest by the normal rule:

* person system: the unit's candidates with the most votes take the reserved seats, then the other
  seats go to the most voted of all candidates not yet elected;
* list system: the seats per list are computed as without earmarks. Each reserved seat then goes to
  the unit's candidate with the most personal votes (ties: better list position, then lot) on a
  list with a seat left; that candidate takes one of their own list's seats. The lists fill their
  other seats by the normal rule, skipping the candidates already elected.

A reserved seat no unit candidate can take (person system: the unit has too few candidates; list
system: none is left on a list with a free seat) is filled by the normal rule and reported as
``unfilled``. Any candidate of the unit counts, also one without votes, as in the normal rule.

Every tie that decides a seat or a reserve rank in the person system is decided by lot
(:class:`Lottery`), and each draw is reported so that anyone can replay it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import groupby
from typing import Any, Literal

from election.regulation import RemainderMethod, SurplusSeats, parse_fraction

LOT_DOMAIN = b"stembus-lot-v1"


class SeatInputError(ValueError):
    """Seat input that cannot be used; the message names the field, e.g. ``lists[0].id``."""


@dataclass(frozen=True)
class Candidate:
    """A candidate and the personal votes cast for them."""

    id: str
    votes: int


@dataclass(frozen=True)
class CandidateList:
    """A candidate list with its candidates in the submitter's order."""

    id: str
    candidates: tuple[Candidate, ...]

    @property
    def votes(self) -> int:
        """The list's votes: every vote for one of its candidates counts for the list."""
        return sum(c.votes for c in self.candidates)


@dataclass(frozen=True)
class Earmark:
    """Seats reserved for the candidates of one unit (a department or a location); ``id`` labels it."""

    id: str
    seats: int
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class Contest:
    """One electoral group's count and the regulation's allocation rules."""

    system: Literal["list", "person"]
    seats: int
    remainder_method: RemainderMethod = "largest_remainders"
    remainder_threshold: Fraction = Fraction(0)
    preference_threshold: Fraction | None = None
    surplus_seats: SurplusSeats = "vacant"
    lot_seed: bytes = b""
    lists: tuple[CandidateList, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    blank: int = 0
    invalid: int = 0
    earmarks: tuple[Earmark, ...] = ()


@dataclass(frozen=True)
class Lot:
    """One recorded draw: who took part, what was at stake and who won."""

    among: tuple[str, ...]
    label: str
    winner: str


@dataclass(frozen=True)
class ListResult:
    """What one list won and who fills its seats."""

    id: str
    votes: int
    full_seats: int
    remainder_seats: int
    surplus_seats: int
    redistributed_seats: int
    seats: int
    elected: tuple[str, ...]
    reserves: tuple[str, ...]


@dataclass(frozen=True)
class EarmarkResult:
    """Who took an earmark's reserved seats, in order, and how many no unit candidate could take."""

    id: str
    seats: int
    elected: tuple[str, ...]
    unfilled: int


@dataclass(frozen=True)
class SeatResult:
    """The allocation of one contest: seats per list, elected candidates, reserves and lots."""

    valid_votes: int
    quota: Fraction | None
    lists: tuple[ListResult, ...]
    elected: tuple[str, ...]
    vacant_seats: int
    lots: tuple[Lot, ...]
    reserves: tuple[str, ...] = ()
    blank: int = 0
    invalid: int = 0
    earmarks: tuple[EarmarkResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document printed by ``stembus seats --json`` (``earmarks`` only when given)."""
        doc: dict[str, Any] = {
            "valid_votes": self.valid_votes,
            "blank": self.blank,
            "invalid": self.invalid,
            "quota": None if self.quota is None else str(self.quota),
            "lists": [
                {
                    "id": r.id,
                    "votes": r.votes,
                    "full_seats": r.full_seats,
                    "remainder_seats": r.remainder_seats,
                    "surplus_seats": r.surplus_seats,
                    "redistributed_seats": r.redistributed_seats,
                    "seats": r.seats,
                    "elected": list(r.elected),
                    "reserves": list(r.reserves),
                }
                for r in self.lists
            ],
            "elected": list(self.elected),
            "reserves": list(self.reserves),
            "vacant_seats": self.vacant_seats,
            "lots": [{"among": list(x.among), "for": x.label, "winner": x.winner} for x in self.lots],
        }
        if self.earmarks:
            doc["earmarks"] = [
                {"id": e.id, "seats": e.seats, "elected": list(e.elected), "unfilled": e.unfilled}
                for e in self.earmarks
            ]
        return doc


@dataclass
class Lottery:
    """Deterministic, replayable lots derived from the contest's ``lot_seed``.

    For a draw labelled L among participants P (ids sorted by Unicode code point), each
    participant p gets the score SHA-256(enc("stembus-lot-v1") || enc(seed) || enc(L) ||
    enc(enc(p_1) || ... || enc(p_n)) || enc(p)), where enc(x) is the 4-byte big-endian length of
    x followed by x (strings in UTF-8, the seed as the bytes of its hex). The participant with the
    lowest score, compared as bytes, wins. Labels name the seat at stake, e.g.
    ``"remainder seat 2"``, ``"seat 3"``, ``"reserve 1"``, ``"surplus seat 1"``,
    ``"FNV preference seat 2"`` or ``"earmark location:Utrecht seat 1"``.
    """

    seed: bytes
    draws: list[Lot] = field(default_factory=list)

    def score(self, label: str, among: Sequence[str], participant: str) -> bytes:
        """Return the participant's score in the draw (lowest wins)."""
        everyone = b"".join(_enc(p.encode()) for p in sorted(among))
        message = (
            _enc(LOT_DOMAIN) + _enc(self.seed) + _enc(label.encode()) + _enc(everyone) + _enc(participant.encode())
        )
        return hashlib.sha256(message).digest()

    def draw(self, label: str, among: Sequence[str]) -> str:
        """Draw one winner among ``among`` and record the draw (a single participant just wins)."""
        ids = tuple(sorted(among))
        if len(ids) == 1:
            return ids[0]
        winner = min(ids, key=lambda p: self.score(label, ids, p))
        self.draws.append(Lot(ids, label, winner))
        return winner


def _enc(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def allocate(contest: Contest) -> SeatResult:
    """Allocate the contest's seats under its rules; the same input always gives the same result."""
    lottery = Lottery(contest.lot_seed)
    if contest.system == "person":
        return _allocate_persons(contest, lottery)
    return _allocate_lists(contest, lottery)


def _rank(
    items: Sequence[Candidate],
    places: int,
    label: Callable[[int], str],
    lottery: Lottery,
    *,
    rank_all: bool,
) -> list[str]:
    """Order candidates by votes (stable), deciding ties by lot where they matter.

    A tie matters when it straddles the last of ``places``; with ``rank_all`` ties further down
    the ranking (the reserves' order) are drawn too.
    """
    ordered = sorted(items, key=lambda c: -c.votes)
    out: list[str] = []
    for _, group in groupby(ordered, key=lambda c: c.votes):
        members = [c.id for c in group]
        start, end = len(out), len(out) + len(members)
        if len(members) > 1 and (start < places < end or (rank_all and start >= places)):
            while len(members) > 1 and (rank_all or len(out) < places):
                winner = lottery.draw(label(len(out) + 1), members)
                out.append(winner)
                members.remove(winner)
        out.extend(members)
    return out


def _allocate_persons(contest: Contest, lottery: Lottery) -> SeatResult:
    seats = contest.seats
    # Earmarked seats (domain 4.3): the unit's most voted candidates take the reserved seats first.
    earmarks, reserved = _earmarked_persons(contest, lottery)
    taken = {cid for e in earmarks for cid in e.elected}
    open_seats = seats - len(reserved)

    def label(pos: int) -> str:
        pos += len(reserved)
        return f"seat {pos}" if pos <= seats else f"reserve {pos - seats}"

    # Person system (domain 5.1): the most votes win; ties for the last seat and in the
    # reserves' ranking are decided by lot (SER standard clause via or-online).
    others = [c for c in contest.candidates if c.id not in taken]
    ranking = _rank(others, open_seats, label, lottery, rank_all=True)
    elected = tuple(reserved) + tuple(ranking[:open_seats])
    return SeatResult(
        valid_votes=sum(c.votes for c in contest.candidates),
        quota=None,
        lists=(),
        elected=elected,
        vacant_seats=seats - len(elected),
        lots=tuple(lottery.draws),
        reserves=tuple(ranking[open_seats:]),
        blank=contest.blank,
        invalid=contest.invalid,
        earmarks=earmarks,
    )


def _earmarked_persons(contest: Contest, lottery: Lottery) -> tuple[tuple[EarmarkResult, ...], list[str]]:
    """Fill each earmark's seats with its unit's most voted candidates (ties by lot); also every id elected so."""
    votes = {c.id: c for c in contest.candidates}
    results: list[EarmarkResult] = []
    reserved: list[str] = []
    for earmark in contest.earmarks:
        unit = [votes[cid] for cid in earmark.candidates]
        ranking = _rank(unit, earmark.seats, _earmark_label(earmark), lottery, rank_all=False)
        chosen = tuple(ranking[: earmark.seats])
        reserved.extend(chosen)
        results.append(EarmarkResult(earmark.id, earmark.seats, chosen, earmark.seats - len(chosen)))
    return tuple(results), reserved


def _allocate_lists(contest: Contest, lottery: Lottery) -> SeatResult:
    lists = contest.lists
    seats = contest.seats
    votes = {lst.id: lst.votes for lst in lists}
    valid = sum(votes.values())
    if valid == 0:
        empty = tuple(ListResult(lst.id, 0, 0, 0, 0, 0, 0, (), tuple(c.id for c in lst.candidates)) for lst in lists)
        unfilled = tuple(EarmarkResult(e.id, e.seats, (), e.seats) for e in contest.earmarks)
        return SeatResult(
            0, None, empty, (), seats, (), blank=contest.blank, invalid=contest.invalid, earmarks=unfilled
        )
    # Domain 5.2 step 2: the electoral quotient (kiesdeler), exact.
    quota = Fraction(valid, seats)
    full = {i: v * seats // valid for i, v in votes.items()}
    extra = dict.fromkeys(votes, 0)
    # Domain 5.2 step 4: only lists reaching the threshold share in the remaining seats.
    floor_votes = contest.remainder_threshold * quota
    qualified = [lst.id for lst in lists if votes[lst.id] > 0 and votes[lst.id] >= floor_votes]
    remaining = seats - sum(full.values())
    seat_no = 1
    if contest.remainder_method == "largest_remainders":
        remainder = {i: votes[i] - full[i] * quota for i in qualified}
        ordered = sorted(qualified, key=lambda i: -remainder[i])
        for _, group in groupby(ordered, key=lambda i: remainder[i]):
            members = list(group)
            while members and remaining:
                winner = members[0] if len(members) <= remaining else lottery.draw(f"remainder seat {seat_no}", members)
                extra[winner] += 1
                members.remove(winner)
                remaining -= 1
                seat_no += 1
    # D'Hondt (largest averages), or what largest remainders leaves once every list had one.
    while remaining and qualified:
        winner = _best_average(qualified, votes, lambda i: full[i] + extra[i], lottery, f"remainder seat {seat_no}")
        extra[winner] += 1
        remaining -= 1
        seat_no += 1
    vacant = remaining
    won = {i: full[i] + extra[i] for i in votes}
    size = {lst.id: len(lst.candidates) for lst in lists}
    surplus = {i: max(0, won[i] - size[i]) for i in votes}
    received = dict.fromkeys(votes, 0)
    spare_seats = sum(surplus.values())
    if contest.surplus_seats == "redistribute":
        # Domain 5.2 step 5 / Kieswet: surplus seats pass to other lists by largest averages.
        for n in range(1, spare_seats + 1):
            open_lists = [i for i in qualified if won[i] + received[i] < size[i]]
            if not open_lists:
                vacant += spare_seats - n + 1
                break
            winner = _best_average(open_lists, votes, lambda i: won[i] + received[i], lottery, f"surplus seat {n}")
            received[winner] += 1
    else:
        vacant += spare_seats
    filled = {i: won[i] - surplus[i] + received[i] for i in votes}
    # Earmarked seats (domain 4.3): taken within the lists' seats, before the lists fill them.
    earmarks, on_list = _earmarked_on_lists(contest, filled, lottery)
    results: list[ListResult] = []
    elected = [cid for e in earmarks for cid in e.elected]
    for lst in lists:
        i = lst.id
        first = tuple(on_list.get(i, ()))
        rest = CandidateList(i, tuple(c for c in lst.candidates if c.id not in first)) if first else lst
        chosen, reserves = _fill_list(rest, filled[i] - len(first), contest.preference_threshold, quota, lottery)
        elected.extend(chosen)
        results.append(
            ListResult(i, votes[i], full[i], extra[i], surplus[i], received[i], filled[i], first + chosen, reserves)
        )
    return SeatResult(
        valid,
        quota,
        tuple(results),
        tuple(elected),
        vacant,
        tuple(lottery.draws),
        blank=contest.blank,
        invalid=contest.invalid,
        earmarks=earmarks,
    )


def _earmark_label(earmark: Earmark) -> Callable[[int], str]:
    """The lot label for an earmark's reserved seat ``n``."""
    return lambda n: f"earmark {earmark.id} seat {n}"


def _earmarked_on_lists(
    contest: Contest, filled: Mapping[str, int], lottery: Lottery
) -> tuple[tuple[EarmarkResult, ...], dict[str, list[str]]]:
    """Give each reserved seat to the unit's best-placed candidate on a list with a seat left.

    Best placed: the most personal votes, then the better place on their list, then lot. Returns
    the earmarks' outcomes and, per list, the candidates who took one of its seats this way.
    """
    where = {c.id: (lst.id, place, c.votes) for lst in contest.lists for place, c in enumerate(lst.candidates)}
    on_list: dict[str, list[str]] = {}
    results: list[EarmarkResult] = []
    for earmark in contest.earmarks:
        chosen: list[str] = []
        for n in range(1, earmark.seats + 1):
            open_ids = [
                cid
                for cid in earmark.candidates
                if cid not in chosen and len(on_list.get(where[cid][0], ())) < filled[where[cid][0]]
            ]
            if not open_ids:
                break
            best = min((-where[cid][2], where[cid][1]) for cid in open_ids)
            tied = [cid for cid in open_ids if (-where[cid][2], where[cid][1]) == best]
            winner = lottery.draw(_earmark_label(earmark)(n), tied)
            chosen.append(winner)
            on_list.setdefault(where[winner][0], []).append(winner)
        results.append(EarmarkResult(earmark.id, earmark.seats, tuple(chosen), earmark.seats - len(chosen)))
    return tuple(results), on_list


def _best_average(
    among: Sequence[str],
    votes: Mapping[str, int],
    seats_of: Callable[[str], int],
    lottery: Lottery,
    label: str,
) -> str:
    """The list with the highest votes / (seats + 1); equal averages are decided by lot."""
    averages = {i: Fraction(votes[i], seats_of(i) + 1) for i in among}
    top = max(averages.values())
    return lottery.draw(label, [i for i in among if averages[i] == top])


def _fill_list(
    lst: CandidateList,
    seats: int,
    threshold: Fraction | None,
    quota: Fraction,
    lottery: Lottery,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pick a list's elected candidates and its reserves in succession order."""
    if threshold is None:
        order = [c.id for c in lst.candidates]
    else:
        # Domain 5.2 step 6: preference votes at or above f x Q beat the list order.
        personal = threshold * quota
        preferred = [c for c in lst.candidates if c.votes >= personal]
        ranked = _rank(preferred, seats, lambda p: f"{lst.id} preference seat {p}", lottery, rank_all=False)
        taken = set(ranked)
        order = ranked + [c.id for c in lst.candidates if c.id not in taken]
    return tuple(order[:seats]), tuple(order[seats:])


def parse_contest(doc: object) -> Contest:
    """Read the ``stembus seats`` input document, naming the field of every problem."""
    if not isinstance(doc, Mapping):
        raise SeatInputError("input must be a JSON object")
    system = doc.get("system", "list")
    if system not in ("list", "person"):
        raise SeatInputError('system: must be "list" or "person"')
    seats = _count(doc.get("seats"), "seats", minimum=1)
    method = doc.get("remainder_method", "largest_remainders")
    if method not in ("largest_remainders", "dhondt"):
        raise SeatInputError('remainder_method: must be "largest_remainders" or "dhondt"')
    surplus = doc.get("surplus_seats", "vacant")
    if surplus not in ("vacant", "redistribute"):
        raise SeatInputError('surplus_seats: must be "vacant" or "redistribute"')
    remainder_threshold = _fraction(doc.get("remainder_threshold", "0"), "remainder_threshold")
    pref_raw = doc.get("preference_threshold")
    preference = None if pref_raw is None else _fraction(pref_raw, "preference_threshold")
    seed_raw = doc.get("lot_seed", "")
    try:
        if not isinstance(seed_raw, str):
            raise ValueError
        seed = bytes.fromhex(seed_raw)
    except ValueError:
        raise SeatInputError("lot_seed: must be a hexadecimal string") from None
    seen: set[str] = set()
    lists: list[CandidateList] = []
    raw_lists = doc.get("lists", [])
    if not isinstance(raw_lists, list):
        raise SeatInputError("lists: must be an array")
    for n, raw in enumerate(raw_lists):
        where = f"lists[{n}]"
        if not isinstance(raw, Mapping):
            raise SeatInputError(f"{where}: must be an object")
        list_id = _ident(raw.get("id"), f"{where}.id", seen)
        cands = _candidates(raw.get("candidates", []), f"{where}.candidates", seen)
        lists.append(CandidateList(list_id, cands))
    person_cands = _candidates(doc.get("candidates", []), "candidates", seen)
    if system == "list" and not lists:
        raise SeatInputError("lists: the list system needs at least one list")
    if system == "person" and lists:
        raise SeatInputError("lists: the person system takes candidates, not lists")
    known = {c.id for lst in lists for c in lst.candidates} | {c.id for c in person_cands}
    earmarks = _earmarks(doc.get("earmarks", []), known, seats)
    return Contest(
        system=system,
        seats=seats,
        remainder_method=method,
        remainder_threshold=remainder_threshold,
        preference_threshold=preference,
        surplus_seats=surplus,
        lot_seed=seed,
        lists=tuple(lists),
        candidates=person_cands,
        blank=_count(doc.get("blank", 0), "blank"),
        invalid=_count(doc.get("invalid", 0), "invalid"),
        earmarks=earmarks,
    )


def _earmarks(raw: object, known: set[str], seats: int) -> tuple[Earmark, ...]:
    """Read ``earmarks``: each names its unit's candidates; together they reserve at most the group's seats."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SeatInputError("earmarks: must be an array")
    ids: set[str] = set()
    placed: dict[str, str] = {}
    out: list[Earmark] = []
    for n, item in enumerate(raw):
        where = f"earmarks[{n}]"
        if not isinstance(item, Mapping):
            raise SeatInputError(f"{where}: must be an object")
        earmark_id = _ident(item.get("id"), f"{where}.id", ids)
        reserved = _count(item.get("seats"), f"{where}.seats")
        cands = item.get("candidates", [])
        if not isinstance(cands, list):
            raise SeatInputError(f"{where}.candidates: must be an array")
        for k, cid in enumerate(cands):
            at = f"{where}.candidates[{k}]"
            if not isinstance(cid, str) or cid not in known:
                raise SeatInputError(f"{at}: {cid!r} is not a candidate of this contest")
            if cid in placed:
                raise SeatInputError(f"{at}: {cid!r} is already in earmark {placed[cid]!r}")
            placed[cid] = earmark_id
        out.append(Earmark(earmark_id, reserved, tuple(cands)))
    total = sum(e.seats for e in out)
    if total > seats:
        raise SeatInputError(f"earmarks: {total} reserved seats, more than the {seats} seats of the group")
    return tuple(out)


def _count(value: object, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SeatInputError(f"{where}: must be a whole number of at least {minimum}")
    return value


def _fraction(value: object, where: str) -> Fraction:
    try:
        result = parse_fraction(value)
    except ValueError as exc:
        raise SeatInputError(f"{where}: {exc}") from None
    if not 0 <= result <= 1:
        raise SeatInputError(f"{where}: must be a fraction of the quota between 0 and 1")
    return result


def _ident(value: object, where: str, seen: set[str]) -> str:
    if not isinstance(value, str) or not value:
        raise SeatInputError(f"{where}: must be a non-empty string")
    if value in seen:
        raise SeatInputError(f"{where}: {value!r} is used twice")
    seen.add(value)
    return value


def _candidates(raw: object, where: str, seen: set[str]) -> tuple[Candidate, ...]:
    if not isinstance(raw, list):
        raise SeatInputError(f"{where}: must be an array")
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise SeatInputError(f"{where}[{n}]: must be an object")
        cid = _ident(item.get("id"), f"{where}[{n}].id", seen)
        out.append(Candidate(cid, _count(item.get("votes"), f"{where}[{n}].votes")))
    return tuple(out)
