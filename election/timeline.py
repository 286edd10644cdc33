"""The legal timetable of an election, counted from the voting day V.

The WOR itself sets almost no deadlines: the schedule comes from the works council's regulation,
usually the SER model (WOR arts. 8 and 10). :func:`compute_timeline` turns a voting day and a
:class:`~election.regulation.Regulation` into dated steps, each naming its basis, plus warnings and
errors. All dates are plain calendar dates; a deadline date means "up to and including that day".
:func:`voting_window` gives the opening and closing instants in Europe/Amsterdam for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from election.eligibility import add_months
from election.regulation import Regulation

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_SER = "SER model timetable"


@dataclass(frozen=True)
class Step:
    """One dated step of the procedure, with the rule it comes from."""

    key: str
    date: date
    basis: str


@dataclass(frozen=True)
class Notice:
    """A warning or error about the timetable: a stable code and a sentence for the committee."""

    code: str
    message: str
    params: tuple[tuple[str, str], ...] = ()  # the values in ``message``, for translated display


@dataclass(frozen=True)
class Timeline:
    """The dated steps for one voting day, in date order, with what the committee must look at."""

    voting_day: date
    term_end: date | None
    regulation: Regulation
    steps: tuple[Step, ...]
    warnings: tuple[Notice, ...] = ()
    errors: tuple[Notice, ...] = ()

    def __getitem__(self, key: str) -> date:
        """Return the date of the step called ``key`` (KeyError when the timetable has none)."""
        for step in self.steps:
            if step.key == key:
                return step.date
        raise KeyError(key)

    def get(self, key: str) -> date | None:
        """Return the date of step ``key``, or None when the timetable has no such step."""
        try:
            return self[key]
        except KeyError:
            return None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document printed by ``stembus timeline --json``."""
        return {
            "voting_day": self.voting_day.isoformat(),
            "term_end": self.term_end.isoformat() if self.term_end else None,
            "regulation_version": self.regulation.version,
            "candidacy_mode": self.regulation.candidacy_mode,
            "steps": [{"key": s.key, "date": s.date.isoformat(), "basis": s.basis} for s in self.steps],
            "warnings": [{"code": n.code, "message": n.message} for n in self.warnings],
            "errors": [{"code": n.code, "message": n.message} for n in self.errors],
        }


def compute_timeline(
    voting_day: date,
    regulation: Regulation | None = None,
    *,
    term_end: date | None = None,
    today: date | None = None,
    voting_days: int | None = None,
) -> Timeline:
    """Compute the timetable for voting day V under ``regulation`` (SER defaults when None).

    ``voting_days`` (default: the regulation's) makes voting a period from V to V + n - 1. The
    result lists warnings (a longer union than free-list period, V in the past relative to
    ``today``, a weekend voting day) and errors; a voting day too close to ``term_end`` is a
    warning or an error as ``regulation.term_end_severity`` says.
    """
    reg = regulation or Regulation()
    days = reg.voting_days if voting_days is None else voting_days
    if days < 1:
        raise ValueError("voting_days must be at least 1")
    v = voting_day

    def weeks_before(n: int) -> date:
        return v - timedelta(weeks=n)

    announce = weeks_before(reg.announce_weeks)
    register = weeks_before(reg.register_weeks)
    union_deadline = weeks_before(reg.union_deadline_weeks)
    free_deadline = weeks_before(reg.free_list_deadline_weeks)
    published = weeks_before(reg.publication_weeks)
    closes = v + timedelta(days=days - 1)
    if reg.candidacy_mode == "sequential":
        # SER model: free lists follow the union period, once it is known which unions filed.
        free_opens = union_deadline + timedelta(days=1)
        free_basis = f"{_SER} (sequential candidacy); WOR art. 9 lid 2 sub b"
    else:
        # SER Q&A: free lists may be filed at the same time as union lists.
        free_opens = announce
        free_basis = "SER Q&A (simultaneous candidacy); WOR art. 9 lid 2 sub b"
    steps = [
        Step("announce", announce, f"{_SER}: V-{reg.announce_weeks}w; WOR art. 10"),
        Step("union_invitation", announce, f"{_SER}; WOR art. 9 lid 2 sub a"),
        Step("union_candidacy_opens", announce, f"{_SER}; WOR art. 9 lid 2 sub a"),
        Step(
            "date_objection_end",
            announce + timedelta(days=reg.date_objection_days),
            f"{_SER}: {reg.date_objection_days} days after the announcement",
        ),
        Step("register", register, f"{_SER}: V-{reg.register_weeks}w; WOR art. 6 lid 2-3"),
        Step(
            "register_objection_end",
            register + timedelta(days=reg.register_objection_days),
            f"{_SER}: {reg.register_objection_days} days after the register",
        ),
        Step("free_candidacy_opens", free_opens, free_basis),
        Step("union_lists_deadline", union_deadline, f"SER Q&A: V-{reg.union_deadline_weeks}w; WOR art. 9 lid 2 sub a"),
        Step(
            "free_lists_deadline",
            free_deadline,
            f"regulation: V-{reg.free_list_deadline_weeks}w (SER: between V-6w and V-3w); WOR art. 9 lid 2 sub b",
        ),
        Step(
            "repair_deadline",
            free_deadline + timedelta(days=reg.repair_window_days),
            f"regulation: {reg.repair_window_days}-day repair window (Kieswet analogue)",
        ),
        Step("lists_published", published, f"SER Q&A: V-{reg.publication_weeks}w, union and free lists together"),
        Step(
            "list_objection_end",
            published + timedelta(days=reg.list_objection_days),
            f"regulation: {reg.list_objection_days} days after publication",
        ),
        Step("voting_opens", v, "election date set by the works council; WOR art. 9 lid 1"),
        Step("voting_closes", closes, f"voting period of {days} day(s); WOR art. 9 lid 1"),
        Step(
            "result_objection_end",
            closes + timedelta(days=reg.result_objection_days),
            f"regulation: {reg.result_objection_days} days after the result",
        ),
        Step(
            "retention_end",
            add_months(closes, reg.retention_months),
            f"SER model art. 14: ballots kept {reg.retention_months} months",
        ),
    ]
    if term_end is not None:
        steps.append(Step("term_end", term_end, "end of the sitting council's term; WOR art. 12"))
    order = {s.key: i for i, s in enumerate(steps)}
    steps.sort(key=lambda s: (s.date, order[s.key]))

    warnings: list[Notice] = []
    errors: list[Notice] = []
    union_days = (union_deadline - announce).days + 1
    free_days = (free_deadline - free_opens).days + 1
    if union_days > free_days:
        # Gerechtshof Den Haag 2018 (ground 36): a longer union period is unjustified.
        warnings.append(
            Notice(
                "union_period_longer",
                f"unions have {union_days} days to file lists, free-list submitters {free_days}; "
                "the Hague Court of Appeal (2018) held such a difference unjustified",
                (("union_days", str(union_days)), ("free_days", str(free_days))),
            )
        )
    if today is not None and v < today:
        warnings.append(
            Notice("voting_day_in_past", f"voting day {v} lies before today {today}", (("day", v.isoformat()),))
        )
    elif today is not None and announce < today:
        warnings.append(
            Notice(
                "announcement_overdue",
                f"the announcement was due on {announce}; the timetable can no longer be kept",
                (("day", announce.isoformat()),),
            )
        )
    if v.weekday() >= 5:
        warnings.append(Notice("voting_day_weekend", f"voting day {v} falls on a weekend", (("day", v.isoformat()),)))
    if term_end is not None:
        margin = timedelta(weeks=reg.min_weeks_before_term_end)
        target = errors if reg.term_end_severity == "error" else warnings
        if closes >= term_end:
            target.append(
                Notice(
                    "voting_after_term_end",
                    f"voting closes on {closes}, not before the term ends on {term_end}",
                    (("closes", closes.isoformat()), ("term_end", term_end.isoformat())),
                )
            )
        elif term_end - closes < margin:
            target.append(
                Notice(
                    "voting_too_close_to_term_end",
                    f"voting closes {(term_end - closes).days} days before the term ends on "
                    f"{term_end}; the regulation asks for {reg.min_weeks_before_term_end} weeks",
                    (
                        ("days", str((term_end - closes).days)),
                        ("term_end", term_end.isoformat()),
                        ("weeks", str(reg.min_weeks_before_term_end)),
                    ),
                )
            )
    return Timeline(v, term_end, reg, tuple(steps), tuple(warnings), tuple(errors))


def voting_window(
    timeline: Timeline, opens_at: time = time(8, 0), closes_at: time = time(20, 0)
) -> tuple[datetime, datetime]:
    """Return the aware Europe/Amsterdam instants when voting opens and closes.

    A wall-clock time that does not exist on a daylight-saving change day (the skipped hour in
    March) is moved forward to the first real instant after it; an ambiguous one in October is
    read as the first (summer-time) occurrence. Both instants share one tzinfo, so Python
    subtracts them as wall-clock times: convert to UTC first to get the elapsed time.
    """
    return (
        _amsterdam(timeline["voting_opens"], opens_at),
        _amsterdam(timeline["voting_closes"], closes_at),
    )


def _amsterdam(day: date, at: time) -> datetime:
    local = datetime.combine(day, at, tzinfo=AMSTERDAM)
    # The round trip through UTC normalises a time that falls in the spring-forward gap.
    return local.astimezone(UTC).astimezone(AMSTERDAM)
