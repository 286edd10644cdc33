"""Submitting candidate lists: the union round, free lists, co-submitters and candidate consent.

Every submission is checked completely before anything is written, so a refused submission leaves
nothing behind (:class:`SubmissionRefused` names what is wrong). Personal links (union, consent,
co-submitter) carry a 192-bit token in the URL fragment; only its SHA-256 is stored. The formal
checks of WOR art. 9 run later in :mod:`election.list_review`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from election import audit_log
from election.list_files import StoredFile
from election.list_rules import UNION_CONDITIONS, ListKind, Window, submission_window
from election.mail import queue_message
from election.models import (
    Candidacy,
    CandidateList,
    Election,
    ElectoralGroup,
    ListFile,
    ListSupporter,
    ListToken,
    RegisterPerson,
    TradeUnion,
)
from election.procedure import Phase
from election.procedure_store import regulation_of, timeline_of
from election.register_links import TOKEN_BYTES, hash_token

MAX_NAME = 200
SEARCH_LIMIT = 10
MIN_SEARCH = 3
LinkFor = Callable[[str, str], str]  # (purpose, token) -> the personal URL


class SubmissionRefused(Exception):
    """A submission that cannot be accepted; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# ---- personal links -------------------------------------------------------------------------


def issue_token(db: Session, election_id: int, purpose: str, now: datetime, **ref: int) -> str:
    """A new personal link token for ``purpose`` (union, consent, support); earlier ones stop working."""
    column = {"union": ListToken.union_id, "consent": ListToken.candidacy_id, "support": ListToken.supporter_id}
    key = {"union": "union_id", "consent": "candidacy_id", "support": "supporter_id"}[purpose]
    for old in db.scalars(select(ListToken).where(ListToken.purpose == purpose, column[purpose] == ref[key])):
        db.delete(old)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.add(ListToken(election_id=election_id, purpose=purpose, token_hash=hash_token(token), issued_at=now, **ref))
    db.flush()
    return token


def token_row(db: Session, token: str, purpose: str) -> ListToken | None:
    """The link row this token opens for ``purpose``, or None."""
    text = (token or "").strip()
    if len(text) != 32 or not all(c.isalnum() or c in "-_" for c in text):
        return None
    return db.scalar(select(ListToken).where(ListToken.token_hash == hash_token(text), ListToken.purpose == purpose))


def union_links(db: Session, election: Election, actor: str, now: datetime) -> list[tuple[TradeUnion, str]]:
    """Issue every invited union a new submission link (audit-logged; the tokens are returned once)."""
    issued = [(u, issue_token(db, election.id, "union", now, union_id=u.id)) for u in election.unions]
    audit_log.record(db, actor, "union_links_issued", election.id, unions=[u.name for u, _ in issued])
    return issued


# ---- reading the register for submitters --------------------------------------------------


def search_candidates(db: Session, election_id: int, group_id: int, query: str) -> list[RegisterPerson]:
    """People with the passive voting right in ``group_id`` matching an employee number or a name part.

    At most SEARCH_LIMIT people, and nobody for a query shorter than MIN_SEARCH characters: a
    submitter only ever sees names they search for, never the whole register (domain 8.7).
    """
    text = (query or "").strip()[:100]
    if len(text) < MIN_SEARCH:
        return []
    found = select(RegisterPerson).where(
        RegisterPerson.election_id == election_id,
        RegisterPerson.electoral_group_id == group_id,
        RegisterPerson.passive.is_(True),
        or_(
            RegisterPerson.employee_number == text,
            func.lower(RegisterPerson.name).contains(text.lower(), autoescape=True),
        ),
    )
    return list(db.scalars(found.order_by(RegisterPerson.name, RegisterPerson.id).limit(SEARCH_LIMIT)))


def parse_numbers(text: str) -> list[str]:
    """Employee numbers from a text box: one per line (commas and semicolons also separate)."""
    raw = (text or "").replace(",", "\n").replace(";", "\n")
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _people(db: Session, election_id: int, numbers: Sequence[str]) -> list[RegisterPerson]:
    seen: set[str] = set()
    for number in numbers:
        if number in seen:
            raise SubmissionRefused("duplicate_candidate", number=number)
        seen.add(number)
    rows = db.scalars(
        select(RegisterPerson).where(
            RegisterPerson.election_id == election_id, RegisterPerson.employee_number.in_(list(numbers))
        )
    )
    by_number = {p.employee_number: p for p in rows}
    for number in numbers:
        if number not in by_number:
            raise SubmissionRefused("unknown_candidate", number=number[:64])
    return [by_number[n] for n in numbers]


def _group(election: Election, group_id: int | None) -> ElectoralGroup:
    group = next((g for g in election.groups if g.id == group_id), None)
    if group is None:
        raise SubmissionRefused("unknown_group")
    return group


def _window(election: Election, kind: ListKind, today: date) -> Window:
    return submission_window(kind, Phase(election.phase), timeline_of(election, today), today)


def window_for(election: Election, kind: ListKind, today: date) -> Window:
    """Whether lists of ``kind`` may be submitted through a link today."""
    return _window(election, kind, today)


def _check_candidates(people: Sequence[RegisterPerson], group: ElectoralGroup, limit: int) -> None:
    if not people:
        raise SubmissionRefused("empty_list")
    if len(people) > limit:
        raise SubmissionRefused("list_too_long", count=len(people), limit=limit)
    for p in people:
        if p.electoral_group_id != group.id or not p.passive:
            raise SubmissionRefused("candidate_not_eligible", number=p.employee_number, group=group.name)


@dataclass(frozen=True)
class Submission:
    """What a submitter hands in: group, list name and candidates in list order."""

    group_id: int | None
    name: str
    employee_numbers: tuple[str, ...]


def _new_list(
    db: Session, election: Election, group: ElectoralGroup, kind: ListKind, name: str, received_on: date, now: datetime
) -> CandidateList:
    clean = " ".join((name or "").split())[:MAX_NAME]
    if not clean:
        raise SubmissionRefused("name_missing")
    lst = CandidateList(
        election_id=election.id,
        electoral_group_id=group.id,
        kind=kind,
        name=clean,
        status="submitted",
        received_on=received_on,
        submitted_at=now,
    )
    return lst


def _add_candidates(db: Session, lst: CandidateList, people: Sequence[RegisterPerson]) -> None:
    lst.candidates = [Candidacy(person_id=p.id, position=i + 1, status="active") for i, p in enumerate(people)]


def submit_union_list(
    db: Session,
    election: Election,
    union: TradeUnion,
    submission: Submission,
    declaration: Iterable[str],
    now: datetime,
    today: date,
    *,
    actor: str,
    paper: StoredFile | None = None,
    received_on: date | None = None,
    entered_by: int | None = None,
) -> CandidateList:
    """Store a union's list for one group (WOR art. 9 lid 2 sub a).

    Through the union's link the window must be open and all art. 9 lid 2 sub a conditions declared.
    A paper list entered by the committee carries its scan and the date it was received; the
    deadline and the declaration are then judged by the checks, not refused here.
    """
    if union.election_id != election.id:
        raise SubmissionRefused("unknown_union")
    group = _group(election, submission.group_id)
    declared = sorted(set(declaration) & set(UNION_CONDITIONS))
    if paper is None:
        window = _window(election, "union", today)
        if not window.open:
            raise SubmissionRefused(window.reason, opens=window.opens, closes=window.closes)
        if len(declared) != len(UNION_CONDITIONS):
            raise SubmissionRefused("declaration_incomplete")
    elif not _paper_allowed(election):
        raise SubmissionRefused("closed", closes=timeline_of(election, today)["union_lists_deadline"])
    existing = db.scalar(
        select(CandidateList.id).where(CandidateList.electoral_group_id == group.id, CandidateList.union_id == union.id)
    )
    if existing is not None:
        raise SubmissionRefused("already_submitted", group=group.name)
    people = _people(db, election.id, submission.employee_numbers)
    if paper is None:
        _check_candidates(people, group, regulation_of(election).max_list_length or group.seats)
    elif not people:
        raise SubmissionRefused("empty_list")
    lst = _new_list(db, election, group, "union", submission.name or union.name, received_on or today, now)
    lst.union_id = union.id
    lst.declaration = json.dumps({c: c in declared for c in UNION_CONDITIONS})
    lst.via = "paper" if paper is not None else "link"
    lst.entered_by = entered_by
    _add_candidates(db, lst, people)
    db.add(lst)
    db.flush()
    if paper is not None:
        db.add(paper.row(lst.id, "paper_list", now))
    audit_log.record(
        db,
        actor,
        "union_list_submitted",
        election.id,
        list=lst.id,
        union=union.name,
        group=group.name,
        via=lst.via,
        candidates=[p.employee_number for p in people],
        declaration=declared,
    )
    return lst


def _paper_allowed(election: Election) -> bool:
    phase = Phase(election.phase)
    order = list(Phase)
    return order.index(Phase.UNION_CANDIDACY) <= order.index(phase) <= order.index(Phase.LIST_REVIEW)


def submit_free_list(
    db: Session,
    election: Election,
    submitter: RegisterPerson,
    submission: Submission,
    declares_non_member: bool,
    co_submitters: Sequence[str],
    now: datetime,
    today: date,
) -> CandidateList:
    """Store a free list (WOR art. 9 lid 2 sub b); no support signatures exist or can be asked.

    The submitter has the active voting right in the list's group. A submitter who cannot declare
    not to be a member of a list-submitting union names at least one co-submitter, who confirms
    through their own link. Co-submitters need the active voting right in the group too.
    """
    if submitter.election_id != election.id:
        raise SubmissionRefused("submitter_not_eligible")
    window = _window(election, "free", today)
    if not window.open:
        raise SubmissionRefused(window.reason, opens=window.opens, closes=window.closes)
    if not submitter.active or submitter.electoral_group_id is None:
        raise SubmissionRefused("submitter_not_eligible")
    group = _group(election, submission.group_id or submitter.electoral_group_id)
    if group.id != submitter.electoral_group_id:
        raise SubmissionRefused("wrong_group", group=group.name)
    people = _people(db, election.id, submission.employee_numbers)
    _check_candidates(people, group, regulation_of(election).max_list_length or group.seats)
    helpers = _people(db, election.id, [n for n in co_submitters if n != submitter.employee_number])
    for h in helpers:
        if not h.active or h.electoral_group_id != group.id:
            raise SubmissionRefused("co_submitter_not_eligible", number=h.employee_number)
    if not declares_non_member and not helpers:
        raise SubmissionRefused("co_submitter_needed")
    lst = _new_list(db, election, group, "free", submission.name, today, now)
    _add_candidates(db, lst, people)
    lst.supporters = [
        ListSupporter(
            person_id=submitter.id, role="submitter", declares_non_member=declares_non_member, confirmed_at=now
        ),
        *(ListSupporter(person_id=h.id, role="co_submitter") for h in helpers),
    ]
    db.add(lst)
    db.flush()
    audit_log.record(
        db,
        f"employee {submitter.employee_number}",
        "free_list_submitted",
        election.id,
        list=lst.id,
        group=group.name,
        candidates=[p.employee_number for p in people],
        co_submitters=[h.employee_number for h in helpers],
    )
    return lst


def free_lists_of(db: Session, person: RegisterPerson) -> list[CandidateList]:
    """The free lists this person submitted."""
    query = (
        select(CandidateList)
        .join(ListSupporter)
        .where(ListSupporter.person_id == person.id, ListSupporter.role == "submitter")
    )
    return list(db.scalars(query.order_by(CandidateList.id)))


def union_lists_of(db: Session, union: TradeUnion) -> list[CandidateList]:
    """The lists this union submitted, one per group at most."""
    return list(db.scalars(select(CandidateList).where(CandidateList.union_id == union.id).order_by(CandidateList.id)))


# ---- consent and co-submitters -------------------------------------------------------------


def send_personal_links(db: Session, election: Election, lst: CandidateList, now: datetime, link_for: LinkFor) -> int:
    """Mail every candidate without consent a consent link and every unconfirmed co-submitter theirs.

    People without an e-mail address in the register are skipped: the committee records a signed
    form for them. Returns how many messages were queued.
    """
    queued = 0
    for c in lst.candidates:
        if c.status != "active" or c.consent_at is not None:
            continue
        person = db.get(RegisterPerson, c.person_id)
        if person is None or not person.email:
            continue
        token = issue_token(db, election.id, "consent", now, candidacy_id=c.id)
        _mail(db, election, person, "consent", lst, link_for("consent", token), f"{c.id}:{now.isoformat()}")
        queued += 1
    for s in lst.supporters:
        if s.confirmed_at is not None:
            continue
        person = db.get(RegisterPerson, s.person_id)
        if person is None or not person.email:
            continue
        token = issue_token(db, election.id, "support", now, supporter_id=s.id)
        _mail(db, election, person, "support", lst, link_for("support", token), f"{s.id}:{now.isoformat()}")
        queued += 1
    return queued


def _mail(
    db: Session, election: Election, person: RegisterPerson, kind: str, lst: CandidateList, url: str, key: str
) -> None:
    locale = "en" if (person.language or "").lower().startswith("en") else "nl"
    with force_locale(locale):
        if kind == "consent":
            subject = _(
                "Do you agree to stand as a candidate? Works council election %(org)s", org=election.organisation
            )
            text = _(
                "Dear %(name)s,\n\nYou have been put forward as a candidate on the list “%(list)s” for the works "
                "council election of %(org)s. You only stand if you agree. Open your personal link to agree or "
                "decline, and to add a short profile if you wish:\n\n%(url)s\n\nThe election committee",
                name=person.name,
                list=lst.name,
                org=election.organisation,
                url=url,
            )
        else:
            subject = _("Please confirm that you support a free list: %(org)s", org=election.organisation)
            text = _(
                "Dear %(name)s,\n\nYou have been named as co-submitter of the free list “%(list)s” for the works "
                "council election of %(org)s. Open your personal link to confirm or decline:\n\n%(url)s\n\n"
                "The election committee",
                name=person.name,
                list=lst.name,
                org=election.organisation,
                url=url,
            )
    queue_message(
        db,
        dedupe_key=f"list-{kind}:{election.id}:{key}",
        recipient=person.email,
        subject=subject,
        text=text,
        kind=f"list_{kind}",
        language=locale,
        election_id=election.id,
        sensitive=True,
    )


def _consent_open(election: Election) -> bool:
    return list(Phase).index(Phase(election.phase)) < list(Phase).index(Phase.LISTS_PUBLISHED)


def give_consent(
    db: Session,
    candidacy: Candidacy,
    agree: bool,
    now: datetime,
    *,
    profile_nl: str = "",
    profile_en: str = "",
    photo: StoredFile | None = None,
    actor: str = "candidate (personal link)",
) -> None:
    """Record the candidate's answer; declining strikes them from the list (the others move up)."""
    lst = candidacy.list
    election = db.get(Election, lst.election_id)
    assert election is not None
    if not _consent_open(election) or candidacy.status != "active":
        raise SubmissionRefused("consent_closed")
    if not agree:
        from election.list_review import strike

        strike(db, election, candidacy, "declined", "the candidate declined the candidacy", actor, now)
        return
    candidacy.consent_at = now
    candidacy.consent_via = "link"
    candidacy.profile_nl = clean_profile(profile_nl)
    candidacy.profile_en = clean_profile(profile_en)
    if photo is not None:
        for old in db.scalars(select(ListFile).where(ListFile.candidacy_id == candidacy.id, ListFile.kind == "photo")):
            db.delete(old)
        db.add(photo.row(lst.id, "photo", now, candidacy_id=candidacy.id))
    audit_log.record(db, actor, "candidate_consented", election.id, list=lst.id, candidacy=candidacy.id)


PROFILE_MAX = 600


def clean_profile(text: str) -> str:
    """A profile as plain text: control characters removed, whitespace tidied, at most PROFILE_MAX characters."""
    kept = "".join(ch for ch in (text or "") if ch in "\n" or ch.isprintable())
    lines = [" ".join(line.split()) for line in kept.splitlines()]
    return "\n".join(line for line in lines if line)[:PROFILE_MAX]


def record_consent_form(
    db: Session, candidacy: Candidacy, member_id: int, actor: str, now: datetime, scan: StoredFile | None
) -> None:
    """The committee records a signed consent form it received (with its scan when there is one)."""
    election = db.get(Election, candidacy.list.election_id)
    assert election is not None
    if not _consent_open(election) or candidacy.status != "active":
        raise SubmissionRefused("consent_closed")
    candidacy.consent_at = now
    candidacy.consent_via = "form"
    candidacy.consent_recorded_by = member_id
    if scan is not None:
        db.add(scan.row(candidacy.list_id, "consent_form", now, candidacy_id=candidacy.id))
    audit_log.record(
        db, actor, "consent_form_recorded", election.id, list=candidacy.list_id, candidacy=candidacy.id, scan=bool(scan)
    )


def confirm_support(
    db: Session, supporter: ListSupporter, agree: bool, declares_non_member: bool, now: datetime
) -> None:
    """A co-submitter confirms (with their declaration) or declines through their own link."""
    election = db.get(Election, supporter.list.election_id)
    assert election is not None
    if not _consent_open(election) or supporter.confirmed_at is not None:
        raise SubmissionRefused("consent_closed")
    if agree:
        supporter.confirmed_at = now
        supporter.declares_non_member = declares_non_member
    else:
        supporter.list.supporters.remove(supporter)
    audit_log.record(
        db,
        "co-submitter (personal link)",
        "co_submitter_confirmed" if agree else "co_submitter_declined",
        election.id,
        list=supporter.list_id,
    )
