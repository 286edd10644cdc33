"""Making the result known: letters to the elected and the not-elected, and the announcement to staff.

Domain 2.7 and 8 item 22: the result is announced to the employer, staff, candidates and unions;
the elected get a result letter, the others a thank-you letter that names their place among the
reserves (opvolgers), the succession order for vacancies during the term. Each batch is one PDF for
the committee to print; the same wording goes by e-mail to every candidate with an address, the
announcement to every person in the register with an address, and the announcement as PDF to every
union with an address. :mod:`election.result_mailing` queues those e-mails in the background, in
batches. Queueing is idempotent (one dedupe key per recipient), so the step can be repeated after
the register or an address was corrected, and an interrupted run can be resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from election.clock import AMSTERDAM
from election.documents import render_pdf
from election.mail import Attachment, InvalidRecipient, queue_message
from election.models import Candidacy, Election, RegisterPerson, TradeUnion
from election.result_report import CandidateLine, GroupReport, OfficialReport

LANGUAGES = ("nl", "en")


class MailRefused(Exception):
    """The result letters cannot be sent yet: ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResultLetter:
    """One candidate's letter: who they are, where they stood and how it ended."""

    name: str
    department: str
    email: str
    language: str
    group: str
    list_name: str | None
    voted: bool
    elected: bool
    reserve: int | None
    candidacy_id: int | None = None


@dataclass(frozen=True)
class LettersContext:
    """A batch of letters (all elected, or all not elected) with the facts they share."""

    organisation: str
    elected: bool
    letters: tuple[ResultLetter, ...]
    announced_on: date | None
    objection_deadline: date | None
    term_end: date
    page_url: str | None = None
    contact: str | None = None

    def paragraphs(self, letter: ResultLetter) -> list[str]:
        """The body of ``letter`` in the active language, one string per paragraph."""
        return letter_paragraphs(letter, self)


@dataclass(frozen=True)
class AnnouncementContext:
    """The announcement of the result to staff, employer and unions."""

    report: OfficialReport
    page_url: str | None = None
    contact: str | None = None

    @property
    def organisation(self) -> str:
        """The company whose works council was elected."""
        return self.report.organisation

    @property
    def announced_on(self) -> date | None:
        """The day the result was announced (None while it has not been)."""
        at = self.report.announced_at
        return at.astimezone(AMSTERDAM).date() if at is not None else None


def _long(day: date | None) -> str:
    return str(format_date(day, "d MMMM y")) if day else "–"


def letter_paragraphs(letter: ResultLetter, ctx: LettersContext) -> list[str]:
    """The wording of a result letter; the same text goes on paper and in the e-mail."""
    where = (
        _("in electoral group %(group)s, list %(list)s", group=letter.group, list=letter.list_name)
        if letter.list_name
        else _("in electoral group %(group)s", group=letter.group)
    )
    out: list[str] = []
    if letter.elected:
        if letter.voted:
            out.append(
                _(
                    "The election committee is pleased to tell you that you have been elected to the works council "
                    "of %(organisation)s %(where)s.",
                    organisation=ctx.organisation,
                    where=where,
                )
            )
        else:
            out.append(
                _(
                    "There were no more candidates than seats %(where)s, so no vote was held there and you are "
                    "elected to the works council of %(organisation)s without a vote.",
                    organisation=ctx.organisation,
                    where=where,
                )
            )
        out.append(_("The new works council takes office on %(day)s.", day=_long(ctx.term_end)))
    else:
        out.append(
            _(
                "Thank you for standing as a candidate for the works council of %(organisation)s %(where)s. "
                "You have not been elected.",
                organisation=ctx.organisation,
                where=where,
            )
        )
        if letter.reserve is not None:
            out.append(
                _(
                    "You are reserve number %(rank)s on your list. If a seat of your list falls vacant during the "
                    "term, the reserves are asked in this order to take it.",
                    rank=letter.reserve,
                )
                if letter.list_name
                else _(
                    "You are reserve number %(rank)s in your electoral group. If a seat falls vacant during the "
                    "term, the reserves are asked in this order to take it.",
                    rank=letter.reserve,
                )
            )
    if ctx.announced_on is not None and ctx.objection_deadline is not None:
        out.append(
            _(
                "The result was announced on %(announced)s. Anyone with an interest may object to it until "
                "%(deadline)s; after that, and once every objection is decided, the result is final.",
                announced=_long(ctx.announced_on),
                deadline=_long(ctx.objection_deadline),
            )
        )
    if ctx.page_url:
        out.append(_("The full result is published at %(url)s.", url=ctx.page_url))
    return out


def _letters(db: Session, groups: tuple[GroupReport, ...]) -> list[ResultLetter]:
    wanted = [(g, c) for g in groups for c in g.all_candidates if c.candidacy_id is not None]
    ids = [c.candidacy_id for _, c in wanted]
    people: dict[int | None, RegisterPerson] = {
        cid: person
        for cid, person in db.execute(
            select(Candidacy.id, RegisterPerson)
            .join(RegisterPerson, RegisterPerson.id == Candidacy.person_id)
            .where(Candidacy.id.in_(ids))
        ).all()
    }
    return [_letter(group, c, people.get(c.candidacy_id)) for group, c in wanted]


def _letter(group: GroupReport, c: CandidateLine, person: RegisterPerson | None) -> ResultLetter:
    return ResultLetter(
        name=c.name,
        department=person.department if person else "",
        email=person.email if person else "",
        language=person.language if person and person.language in LANGUAGES else "nl",
        group=group.name,
        list_name=c.list_name,
        voted=group.voted,
        elected=c.elected,
        reserve=c.reserve,
        candidacy_id=c.candidacy_id,
    )


def letters_context(
    db: Session, report: OfficialReport, elected: bool, *, page_url: str | None = None, contact: str | None = None
) -> LettersContext:
    """The batch of letters to the elected (``elected``) or to the candidates not elected."""
    letters = [letter for letter in _letters(db, report.groups) if letter.elected is elected]
    announced = report.announced_at.astimezone(AMSTERDAM).date() if report.announced_at else None
    return LettersContext(
        organisation=report.organisation,
        elected=elected,
        letters=tuple(letters),
        announced_on=announced,
        objection_deadline=report.objection_deadline,
        term_end=report.term_end,
        page_url=page_url,
        contact=contact,
    )


def announcement_text(ctx: AnnouncementContext) -> tuple[str, str]:
    """Subject and plain text of the announcement e-mail, in the active language."""
    report = ctx.report
    subject = _("Result of the works council election %(organisation)s", organisation=report.organisation)
    lines = [
        _(
            "The election committee announces the result of the works council election of %(organisation)s.",
            organisation=report.organisation,
        ),
        "",
    ]
    for group in report.groups:
        lines.append(_("Electoral group %(group)s (%(seats)s seats):", group=group.name, seats=group.seats))
        lines += [f"- {c.name}" + (f" ({c.list_name})" if c.list_name else "") for c in group.elected]
        if group.vacant_seats:
            lines.append(_("Seats left empty: %(n)s", n=group.vacant_seats))
        lines.append("")
    if ctx.announced_on is not None and report.objection_deadline is not None:
        lines.append(
            _(
                "Anyone with an interest may object to the result until %(deadline)s.",
                deadline=_long(report.objection_deadline),
            )
        )
    if ctx.page_url:
        lines.append(_("The full result, and the way to object, are published at %(url)s.", url=ctx.page_url))
    lines += ["", _("The election committee")]
    return str(subject), "\n".join(str(x) for x in lines)


def _letter_mail(letter: ResultLetter, ctx: LettersContext) -> tuple[str, str]:
    if letter.elected:
        subject = _("You have been elected to the works council of %(organisation)s", organisation=ctx.organisation)
    else:
        subject = _("Works council election %(organisation)s: the result", organisation=ctx.organisation)
    body = [_("Dear %(name)s,", name=letter.name), *letter_paragraphs(letter, ctx), _("The election committee")]
    return str(subject), "\n\n".join(str(x) for x in body)


def queue_candidate_letters(
    db: Session,
    election: Election,
    report: OfficialReport,
    *,
    now: datetime,
    page_url: str | None = None,
    contact: str | None = None,
) -> dict[str, int]:
    """Queue the result letter to every candidate with an address, each in their own language.

    Returns ``candidates`` (queued, now or earlier: one dedupe key per candidacy) and
    ``candidates_by_post`` (no usable address: the committee posts those letters).
    """
    candidates = by_post = 0
    for elected in (True, False):
        ctx = letters_context(db, report, elected, page_url=page_url, contact=contact)
        for letter in ctx.letters:
            if not letter.email:
                by_post += 1
                continue
            with force_locale(letter.language):
                subject, text = _letter_mail(letter, ctx)
            key = f"result-letter:{election.id}:{letter.candidacy_id}"
            if _queue(db, key, letter.email, subject, text, "result_letter", letter.language, election.id, now):
                candidates += 1
            else:
                by_post += 1
    return {"candidates": candidates, "candidates_by_post": by_post}


def queue_union_announcements(
    db: Session, election: Election, announcement: AnnouncementContext, *, now: datetime
) -> dict[str, int]:
    """Queue the announcement with its PDF to every union with an address; count those to post."""
    unions = by_post = 0
    union_rows = list(db.scalars(select(TradeUnion).where(TradeUnion.election_id == election.id)))
    if union_rows:
        pdf = render_pdf("result_announcement", announcement, "nl")
        with force_locale("nl"):
            subject, text = announcement_text(announcement)
        for union in union_rows:
            attached = [Attachment(f"result-{election.id}.pdf", "application/pdf", pdf)]
            key = f"result-announcement:{election.id}:union:{union.id}"
            if union.email and _queue(
                db, key, union.email, subject, text, "result_announcement", "nl", election.id, now, attached
            ):
                unions += 1
            else:
                by_post += 1
    return {"unions": unions, "unions_by_post": by_post}


def _staff_query(election_id: int):  # type: ignore[no-untyped-def]
    return select(RegisterPerson).where(RegisterPerson.election_id == election_id, RegisterPerson.email != "")


def staff_to_announce(db: Session, election_id: int) -> int:
    """How many people in the register have an e-mail address for the announcement."""
    return int(db.scalar(select(func.count()).select_from(_staff_query(election_id).subquery())) or 0)


def next_staff(db: Session, election_id: int, after_person_id: int, limit: int) -> list[RegisterPerson]:
    """The next ``limit`` people with an address after ``after_person_id``, in register order (by id)."""
    query = _staff_query(election_id).where(RegisterPerson.id > after_person_id).order_by(RegisterPerson.id)
    return list(db.scalars(query.limit(limit)))


def announcement_texts(announcement: AnnouncementContext) -> dict[str, tuple[str, str]]:
    """Subject and text of the announcement e-mail in every language a register person may read."""
    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = announcement_text(announcement)
    return texts


def queue_staff_announcements(
    db: Session,
    election_id: int,
    texts: dict[str, tuple[str, str]],
    people: list[RegisterPerson],
    *,
    now: datetime,
) -> int:
    """Queue the announcement to each of ``people`` in their language, once per person; return how many.

    One dedupe key per person: a person queued before (an earlier or interrupted run) is counted
    and not queued again. A person whose address cannot receive mail is not counted.
    """
    queued = 0
    for person in people:
        language = person.language if person.language in LANGUAGES else "nl"
        subject, text = texts[language]
        key = f"result-announcement:{election_id}:person:{person.id}"
        queued += _queue(db, key, person.email, subject, text, "result_announcement", language, election_id, now)
    return queued


def _queue(
    db: Session,
    key: str,
    recipient: str,
    subject: str,
    text: str,
    kind: str,
    language: str,
    election_id: int,
    now: datetime,
    attachments: list[Attachment] | None = None,
) -> bool:
    try:
        queue_message(
            db,
            dedupe_key=key,
            recipient=recipient,
            subject=subject,
            text=text,
            kind=kind,
            language=language,
            election_id=election_id,
            attachments=attachments or (),
            now=now,
        )
    except InvalidRecipient:
        return False
    return True
