"""Changing a submitted list: what its submitter may still do, and when.

Before the submission deadline the submitter may take any candidate off the list. After it, a list
changes only to repair the defects the committee notified, while the repair window runs (domain 2.4
and 8 item 12): the submitter may take off a candidate named in the defect notice, rather than wait
for the committee to strike them; those below move up and keep their order. Reordering the remaining
candidates is not a repair: the order is the one the submitter chose by the deadline (domain 5.2),
a later change is a late submission (sbiformaat), and only defective lists would get the chance.
Every change is recorded as a decision with the submitter's reason. The committee makes the change
for a paper list, on the submitter's written request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from election.list_review import REVIEW_PHASES, ReviewRefused, latest_notice, strike
from election.list_rules import Defect
from election.list_store import window_for
from election.models import Candidacy, CandidateList, Election, ListDecision
from election.procedure import Phase

MAX_REASON = 1000
State = Literal["candidacy", "repair", "closed"]


@dataclass(frozen=True)
class ChangeWindow:
    """Whether a list can change now, until when, and which candidates may be taken off."""

    state: State
    refusal: str | None  # the ReviewRefused code when closed
    deadline: date | None
    removable: frozenset[int]  # candidacy ids

    @property
    def open(self) -> bool:
        """True when a candidate can be taken off now."""
        return self.state != "closed"


def _closed(code: str, deadline: date | None = None) -> ChangeWindow:
    return ChangeWindow("closed", code, deadline, frozenset())


def change_window(
    election: Election, lst: CandidateList, notice_deadline: date | None, notice_ids: frozenset[int], today: date
) -> ChangeWindow:
    """The window for changing ``lst`` today, given its latest defect notice (deadline and named candidates)."""
    phase = Phase(election.phase)
    order = list(Phase)
    if order.index(phase) >= order.index(Phase.LISTS_PUBLISHED):
        return _closed("published")
    if phase not in REVIEW_PHASES:
        return _closed("not_in_review")
    if lst.status not in ("submitted", "defective"):
        return _closed("judged")
    active = frozenset(c.id for c in lst.candidates if c.status == "active")
    if window_for(election, "union" if lst.kind == "union" else "free", today).open:
        return ChangeWindow("candidacy", None, None, active)
    if notice_deadline is None or lst.status != "defective":
        return _closed("no_repair_window")
    if today > notice_deadline:
        return _closed("repair_closed", notice_deadline)
    # Domain 2.4: repair concerns the notified defects only.
    return ChangeWindow("repair", None, notice_deadline, active & notice_ids)


def window_of(db: Session, election: Election, lst: CandidateList, today: date) -> ChangeWindow:
    """The change window of a stored list (reads its latest defect notice)."""
    notice = latest_notice(db, lst)
    named = frozenset(d.candidacy_id for d in notified_defects(notice) if d.candidacy_id is not None)
    return change_window(election, lst, notice.deadline if notice else None, named, today)


def notified_defects(notice: ListDecision | None) -> tuple[Defect, ...]:
    """The defects a stored defect notice named (none without a notice)."""
    if notice is None:
        return ()
    return tuple(Defect(**d) for d in json.loads(notice.details or "{}").get("defects", []))


def take_off(
    db: Session,
    election: Election,
    candidacy: Candidacy,
    reason: str,
    actor: str,
    now: datetime,
    today: date,
    *,
    by_committee: bool = False,
) -> None:
    """Take a candidate off their list at the submitter's request; those below move up.

    Refused (:class:`ReviewRefused`) outside the window of :func:`change_window`, for a candidate
    the defect notice does not name during repair, without a reason, and when the committee acts
    for a list that was not submitted on paper.
    """
    lst = candidacy.list
    if by_committee and lst.via != "paper":
        raise ReviewRefused("submitter_acts")
    window = window_of(db, election, lst, today)
    if not window.open:
        raise ReviewRefused(window.refusal or "not_editable", deadline=window.deadline)
    if candidacy.status != "active":
        raise ReviewRefused("not_editable")
    if candidacy.id not in window.removable:
        raise ReviewRefused("not_a_defect", deadline=window.deadline)
    text = " ".join((reason or "").split())[:MAX_REASON]
    if not text:
        raise ReviewRefused("reason_missing")
    when = "during the repair window" if window.state == "repair" else "before the submission deadline"
    who = "the committee, on the submitter's written request" if by_committee else "its submitter"
    strike(db, election, candidacy, "withdrawn_by_submitter", f"taken off the list by {who} {when}: {text}", actor, now)
