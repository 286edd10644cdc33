"""The regulation profile (OR-reglement) as data.

WOR arts. 8 and 10 oblige the works council to lay down its election rules in its own regulation,
and the council may not depart from it. Almost every term, method and threshold of an election is
therefore a setting of this profile rather than a constant in code. The defaults follow the law as
it stands since 1 January 2022 and the SER model regulation (voorbeeldreglement) as described in the
project's domain notes. A profile is versioned and frozen once the election is announced.

There is deliberately no setting for a support-signature quota on free lists: the requirement was
removed from WOR art. 9 lid 2 sub b on 19 July 2013 and a regulation may not reintroduce it.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, get_args

CandidacyMode = Literal["sequential", "simultaneous"]
RemainderMethod = Literal["largest_remainders", "dhondt"]
SurplusSeats = Literal["vacant", "redistribute"]
VotingChannel = Literal["digital", "paper", "hybrid"]
ElectoralSystem = Literal["list", "person"]
Severity = Literal["warning", "error"]
BallotOrder = Literal["alphabetical", "lists"]
CodeMode = Literal["server", "offline"]

CURRENT_VERSION = 1

_CHOICES: dict[str, tuple[str, ...]] = {
    "candidacy_mode": get_args(CandidacyMode),
    "remainder_method": get_args(RemainderMethod),
    "surplus_seats": get_args(SurplusSeats),
    "voting_channel": get_args(VotingChannel),
    "electoral_system": get_args(ElectoralSystem),
    "term_end_severity": get_args(Severity),
    "person_ballot_order": get_args(BallotOrder),
    "code_mode": get_args(CodeMode),
}
_FRACTION_FIELDS = ("remainder_threshold", "preference_threshold")
_NAME_LISTS = ("electoral_groups", "art64_included", "art64_excluded")


class RegulationError(ValueError):
    """A profile that cannot be used; ``problems`` maps each bad field to what is wrong."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        text = "; ".join(f"{field}: {message}" for field, message in self.problems.items())
        super().__init__(f"invalid regulation: {text}")


@dataclass(frozen=True)
class Regulation:
    """One works council's election rules, with today's law and the SER model as defaults.

    Terms in weeks count back from the voting day V; windows in days count forward from the step
    that opens them. ``free_list_deadline_weeks`` defaults to 4: free lists close four weeks before
    V, which in sequential mode gives free-list submitters two weeks after the union deadline and
    leaves the committee one week to examine lists and let submitters repair defects before
    publication at V-3w.
    """

    version: int = CURRENT_VERSION
    # WOR art. 6 lid 2: active voting right after three months in the company (since 1-1-2022).
    active_months: int = 3
    # WOR art. 6 lid 3: passive voting right after three months in the company (since 1-1-2022).
    passive_months: int = 3
    # WOR art. 1 lid 3 sub a: an agency worker counts as working in the company after 15 months.
    agency_worker_months: int = 15
    # SER Q&A: free lists may be filed after or at the same time as union lists.
    candidacy_mode: CandidacyMode = "sequential"
    # SER model timetable: announcement and union invitation thirteen weeks before V.
    announce_weeks: int = 13
    # SER model timetable: the electoral register about nine weeks before V.
    register_weeks: int = 9
    # SER Q&A: union lists at the latest six weeks before V.
    union_deadline_weeks: int = 6
    # SER Q&A: free-list deadline set by the regulation between six and three weeks before V.
    free_list_deadline_weeks: int = 4
    # SER Q&A: all lists published together about three weeks before V.
    publication_weeks: int = 3
    # SER model timetable: one week to object against the date and against the register.
    date_objection_days: int = 7
    register_objection_days: int = 7
    list_objection_days: int = 7
    result_objection_days: int = 14
    # Kieswet analogue (addendum): two days to repair a defect in a list.
    repair_window_days: int = 2
    # SER timetable practice: V at least two weeks before the sitting council's term ends.
    min_weeks_before_term_end: int = 2
    term_end_severity: Severity = "warning"
    voting_days: int = 1
    postponement_allowed: bool = True
    electoral_system: ElectoralSystem = "list"
    remainder_method: RemainderMethod = "largest_remainders"
    remainder_threshold: Fraction = Fraction(0)
    preference_threshold: Fraction | None = None
    surplus_seats: SurplusSeats = "vacant"
    max_list_length: int | None = None
    votes_per_voter: int | None = None
    # Domain 8 item 14: person-system ballots list candidates alphabetically or in list order.
    person_ballot_order: BallotOrder = "alphabetical"
    # WOR art. 9 lid 1 and domain 2.6: the regulation decides whether voting is digital, on paper or
    # hybrid (paper ballots beside the online vote, domain 8 item 15); digital by default.
    voting_channel: VotingChannel = "digital"
    evoting_allowed: bool = True
    # Domain 2.6 and issue "optional second factor": besides the voting code, a one-time code
    # mailed to the voter's address on the register (off by default).
    voter_second_factor: bool = False
    # Who makes the voting codes: the server (default: it derives and keeps only the public credential,
    # hands the code to delivery and forgets it), or, for high assurance, a committee member offline with
    # ``stembus codes generate`` (the server then never sees a code). The election record names the mode.
    code_mode: CodeMode = "server"
    # WOR art. 12 lid 1: a term of three years unless the regulation says two or four.
    term_years: int = 3
    # SER model art. 14 (2015): ballots kept at least three months.
    retention_months: int = 3
    # GDPR art. 5 lid 1 sub e: personal data go once the objection windows have closed; this many
    # days later still, should the regulation want a margin (domain 8 item 23).
    personal_data_grace_days: int = 0
    # SER model (via rmu.nu): a vacancy may stay open when regular elections are this many months away.
    vacancy_open_months: int = 6
    decryption_threshold: int = 2
    trustees: int = 3
    # WOR art. 9 lid 3: the regulation may split the electorate into electoral groups (kiesgroepen).
    electoral_groups: tuple[str, ...] = ()
    # WOR art. 6 lid 4: employer and council may jointly add persons to or exclude them from the
    # electorate (employee numbers; an exclusion wins over an inclusion).
    art64_included: tuple[str, ...] = ()
    art64_excluded: tuple[str, ...] = ()
    group_by: str | None = None
    group_map: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise RegulationError(problems)

    def problems(self) -> dict[str, str]:
        """Return every field that breaks a rule, with a sentence saying why (empty when usable)."""
        p: dict[str, str] = {}
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                p[name] = f"must be one of {', '.join(choices)}"
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "int" or (f.type == "int | None" and value is not None):
                if isinstance(value, bool) or not isinstance(value, int):
                    p[f.name] = "must be a whole number"
                elif value < 0:
                    p[f.name] = "must not be negative"
            if f.type == "bool" and not isinstance(value, bool):
                p[f.name] = "must be true or false"
        if p:
            return p
        if self.version < 1:
            p["version"] = "must be 1 or higher"
        if not 3 <= self.free_list_deadline_weeks <= 6:
            # SER Q&A: the free-list deadline lies between V-6w and V-3w.
            p["free_list_deadline_weeks"] = "must be between 3 and 6 weeks before the voting day"
        elif self.free_list_deadline_weeks > self.union_deadline_weeks:
            p["free_list_deadline_weeks"] = "free lists cannot close before the union lists do"
        elif self.candidacy_mode == "sequential" and (self.free_list_deadline_weeks == self.union_deadline_weeks):
            p["free_list_deadline_weeks"] = "in sequential mode free lists need a period after the union deadline"
        if self.union_deadline_weeks >= self.announce_weeks:
            p["union_deadline_weeks"] = "union lists must close after the announcement"
        if self.register_weeks >= self.announce_weeks:
            p["register_weeks"] = "the register comes after the announcement"
        review_days = (self.free_list_deadline_weeks - self.publication_weeks) * 7
        if "free_list_deadline_weeks" not in p and review_days < self.repair_window_days:
            p["publication_weeks"] = (
                f"publication {self.publication_weeks} weeks before the voting day leaves "
                f"{review_days} days after the free-list deadline, less than the "
                f"{self.repair_window_days}-day repair window"
            )
        if self.list_objection_days >= self.publication_weeks * 7:
            p["list_objection_days"] = "the objection window on the lists must end before voting"
        if self.date_objection_days >= (self.announce_weeks - self.register_weeks) * 7:
            p["date_objection_days"] = "must end before the register is drawn up"
        if self.voting_days < 1:
            p["voting_days"] = "voting lasts at least one day"
        if self.term_years not in (2, 3, 4):
            # WOR art. 12 lid 1: two, three or four years.
            p["term_years"] = "must be 2, 3 or 4"
        if self.retention_months < 3:
            # SER model art. 14 (2015): at least three months.
            p["retention_months"] = "ballots are kept at least three months"
        if self.trustees < 1:
            p["trustees"] = "at least one committee member holds a key share"
        if not 1 <= self.decryption_threshold <= max(self.trustees, 1):
            p["decryption_threshold"] = "must be between 1 and the number of trustees"
        if self.max_list_length == 0:
            p["max_list_length"] = "must be at least 1, or null for the number of seats"
        if self.votes_per_voter == 0:
            p["votes_per_voter"] = "must be at least 1, or null for the number of seats"
        if self.voting_channel in ("digital", "hybrid") and not self.evoting_allowed:
            p["voting_channel"] = "digital voting needs evoting_allowed in the regulation"
        for name in _FRACTION_FIELDS:
            value = getattr(self, name)
            if value is None and name == "preference_threshold":
                continue
            if not isinstance(value, Fraction) or not 0 <= value <= 1:
                p[name] = "must be a fraction of the quota between 0 and 1"
        if len(set(self.electoral_groups)) != len(self.electoral_groups):
            p["electoral_groups"] = "names must be unique"
        unknown = sorted({g for _, g in self.group_map} - set(self.electoral_groups))
        if unknown:
            p["group_map"] = f"maps to groups not in electoral_groups: {', '.join(unknown)}"
        if self.group_by is not None and (not isinstance(self.group_by, str) or not self.group_by):
            p["group_by"] = "must name a register field such as location or department"
        elif self.group_map and not self.group_by:
            p["group_by"] = "group_map needs the register field it maps from"
        return p

    @property
    def paper_beside_online(self) -> bool:
        """Whether the committee may take paper ballots beside the online vote (hybrid voting).

        Off unless the regulation chooses ``voting_channel = "hybrid"``: WOR art. 9 lid 1 leaves the form
        of the written vote to the regulation, and the system may only do what the regulation says.
        """
        return self.voting_channel == "hybrid"

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as JSON-able data; fractions become strings such as ``"2/3"``."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Fraction):
                value = str(value)
            elif f.name in _NAME_LISTS:
                value = list(value)
            elif f.name == "group_map":
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Regulation:
        """Build a profile from :meth:`to_dict` output; unknown or malformed fields are named."""
        if not isinstance(data, Mapping):
            raise RegulationError({"(document)": "must be an object of field names to values"})
        known = {f.name for f in dataclasses.fields(cls)}
        problems: dict[str, str] = {}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                hint = " (removed from the law in 2013)" if "signature" in key else ""
                problems[key] = f"unknown setting{hint}"
            elif key in _FRACTION_FIELDS:
                if value is None and key == "preference_threshold":
                    kwargs[key] = None
                    continue
                try:
                    kwargs[key] = parse_fraction(value)
                except ValueError as exc:
                    problems[key] = str(exc)
            elif key in _NAME_LISTS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems[key] = "must be a list of names"
                else:
                    kwargs[key] = tuple(value)
            elif key == "group_map":
                if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    problems[key] = "must map register values to group names"
                else:
                    kwargs[key] = tuple(sorted(value.items()))
            else:
                kwargs[key] = value
        if problems:
            raise RegulationError(problems)
        return cls(**kwargs)


def parse_fraction(value: object) -> Fraction:
    """Read ``"2/3"``, ``"0.75"`` or a whole number as an exact fraction (never a float)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('must be a fraction written as a string, e.g. "2/3"')
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f'{value!r} is not a fraction such as "2/3"') from None


def load_regulation(path: str | Path) -> Regulation:
    """Read a regulation profile from a JSON or TOML file (chosen by the file's extension).

    Raises :class:`RegulationError` naming the file problem or each bad field.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RegulationError({str(p): f"cannot read file ({exc.strerror})"}) from None
    try:
        text = raw.decode("utf-8-sig")
        data: object = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except UnicodeDecodeError:
        raise RegulationError({str(p): "not UTF-8 text"}) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegulationError({str(p): f"not valid TOML: {exc}"}) from None
    except json.JSONDecodeError as exc:
        raise RegulationError({str(p): f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"}) from None
    if not isinstance(data, Mapping):
        raise RegulationError({str(p): "must hold an object of settings"})
    return Regulation.from_dict(data)
