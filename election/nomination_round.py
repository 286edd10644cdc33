"""Setting up the nomination pre-round and handing out the personal links.

The round runs beside the procedure, not as one of its phases: it has its own dates, which must
end before candidacy opens (see :mod:`election.nomination_rules`). Its settings are fixed once it
has started, so every colleague nominates under the same rules.

Who nominates. Domain 8 item 30: every person with the active voting right (WOR art. 6 lid 2) may
nominate; each gets a personal link by e-mail through the outbox, in their own language, or on a
printed letter when the register has no e-mail address. As with the register self-check, the
link's token travels in the URL fragment and only its SHA-256 is stored.

Logging. The audit log records each committee action with counts only: names of nominators or
nominees never enter the insert-only log, because everything about nominations is deleted when
candidacy closes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from election import audit_log
from election.mail import queue_message
from election.models import Election, NominationParticipant, NominationRound, RegisterPerson
from election.nomination_rules import Problem, RoundSettings, Scope, Status, check_settings, latest_close, round_status
from election.procedure_store import timeline_of

TOKEN_BYTES = 24
LANGUAGES = ("nl", "en")


class SettingsRefused(ValueError):
    """The settings cannot be saved; ``problems`` says which field is wrong and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}:{p.code}" for p in problems))
        self.problems = problems


class RoundNotOpen(ValueError):
    """The step needs a round that has not closed yet (``status`` says where it stands)."""

    def __init__(self, status: Status) -> None:
        super().__init__(status)
        self.status = status


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a personal token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def language_of(person: RegisterPerson) -> str:
    """The language to write to ``person`` in: theirs when we have it, else Dutch."""
    return person.language if person.language in LANGUAGES else "nl"


def round_of(db: Session, election_id: int) -> NominationRound | None:
    """The election's nomination round, or None when the committee has not set one up."""
    return db.scalar(select(NominationRound).where(NominationRound.election_id == election_id))


def status_of(round_: NominationRound, election: Election, today: date) -> Status:
    """Where the round stands today (closed at the latest the day before candidacy opens)."""
    last = latest_close(timeline_of(election))
    return round_status(round_.opens_on, round_.closes_on, today, last, round_.purged_at is not None)


def settings_of(round_: NominationRound) -> RoundSettings:
    """The stored settings as plain data."""
    scope: Scope = "group" if round_.scope == "group" else "organisation"
    return RoundSettings(
        round_.opens_on, round_.closes_on, round_.max_per_person, round_.self_nomination, scope,
        round_.threshold, round_.invitation_nl, round_.invitation_en,
    )


def save_round(
    db: Session, election: Election, actor: str, settings: RoundSettings, today: date, now: datetime
) -> NominationRound:
    """Create the round or change its settings before it opens; audit-logged.

    Raises :class:`SettingsRefused` for bad settings and :class:`RoundNotOpen` once the round
    has started (its rules no longer change). Nothing is stored when it raises.
    """
    round_ = round_of(db, election.id)
    if round_ is not None and status_of(round_, election, today) != "not_yet":
        raise RoundNotOpen(status_of(round_, election, today))
    problems = check_settings(settings, today, timeline_of(election))
    if problems:
        raise SettingsRefused(problems)
    if round_ is None:
        round_ = NominationRound(election_id=election.id, secret=secrets.token_hex(32), created_at=now)
        db.add(round_)
    round_.opens_on, round_.closes_on = settings.opens_on, settings.closes_on
    round_.max_per_person, round_.self_nomination = settings.max_per_person, settings.self_nomination
    round_.scope, round_.threshold = settings.scope, settings.threshold
    round_.invitation_nl, round_.invitation_en = settings.invitation_nl.strip(), settings.invitation_en.strip()
    db.flush()
    audit_log.record(
        db, actor, "nomination_round_saved", election.id,
        opens_on=settings.opens_on.isoformat(), closes_on=settings.closes_on.isoformat(),
        max_per_person=settings.max_per_person, self_nomination=settings.self_nomination,
        scope=settings.scope, threshold=settings.threshold,
    )
    return round_


def enrol(db: Session, round_: NominationRound) -> int:
    """Give every person of the register who has none a participant row with an opaque handle."""
    enrolled = select(NominationParticipant.person_id).where(NominationParticipant.round_id == round_.id)
    missing = db.scalars(
        select(RegisterPerson.id).where(
            RegisterPerson.election_id == round_.election_id, RegisterPerson.id.not_in(enrolled)
        )
    ).all()
    for person_id in missing:
        db.add(NominationParticipant(round_id=round_.id, person_id=person_id, handle=secrets.token_urlsafe(12)))
    db.flush()
    return len(missing)


@dataclass(frozen=True)
class LetterEntry:
    """A printed letter for one person without e-mail: name, language and the link shown once."""

    name: str
    employee_number: str
    department: str
    language: str
    url: str
    token: str


@dataclass(frozen=True)
class LinksOutcome:
    """What :func:`send_links` did: e-mails queued, and people who need a printed letter."""

    queued: int
    without_email: int


def link_url(base_url: str, token: str) -> str:
    """A personal link: the page with the token in the fragment, which never reaches the server."""
    return f"{base_url}#t={token}"


def _nominators(db: Session, round_: NominationRound) -> list[tuple[NominationParticipant, RegisterPerson]]:
    rows = db.execute(
        select(NominationParticipant, RegisterPerson)
        .join(RegisterPerson, RegisterPerson.id == NominationParticipant.person_id)
        .where(NominationParticipant.round_id == round_.id, RegisterPerson.active.is_(True))
        .order_by(RegisterPerson.employee_number)
    ).all()
    return [(p, person) for p, person in rows]


def _require_not_closed(round_: NominationRound, election: Election, today: date) -> None:
    status = status_of(round_, election, today)
    if status not in ("not_yet", "open"):
        raise RoundNotOpen(status)


def link_message(election: Election, round_: NominationRound, url: str, locale: str) -> tuple[str, str]:
    """The subject and text of the e-mail that brings one person their personal link."""
    with force_locale(locale):
        intro = round_.invitation_en if locale == "en" else round_.invitation_nl
        subject = _("Whom would you like to see on the works council? (%(organisation)s)",
                    organisation=election.organisation)
        text = "\n\n".join([
            intro,
            _("Open your personal link to nominate up to %(n)s colleagues, from %(opens)s to %(closes)s:",
              n=round_.max_per_person, opens=format_date(round_.opens_on, "long"),
              closes=format_date(round_.closes_on, "long")),
            url,
            _("Your nominations are anonymous: nobody, the election committee included, can see who nominated "
              "whom. A nomination is not a candidacy and nobody needs one to stand as a candidate."),
            _("This link is personal. Do not forward it."),
            _("The election committee"),
        ])
    return str(subject), text


def send_links(
    db: Session, election: Election, round_: NominationRound, actor: str, base_url: str, today: date, now: datetime
) -> LinksOutcome:
    """Queue a personal link by e-mail for every nominator who has an address and no link yet.

    Idempotent: a second run reaches only people added to the register since. Runs in the
    caller's transaction; the mail leaves through the outbox, its text erased once sent.
    """
    _require_not_closed(round_, election, today)
    enrol(db, round_)
    queued = without = 0
    for participant, person in _nominators(db, round_):
        if not person.email:
            without += 1
            continue
        if participant.token_hash is not None:
            continue
        token = secrets.token_urlsafe(TOKEN_BYTES)
        participant.token_hash = hash_token(token)
        locale = language_of(person)
        subject, text = link_message(election, round_, link_url(base_url, token), locale)
        queue_message(
            db, dedupe_key=f"nomination-link:{participant.id}:{participant.token_hash[:16]}",
            recipient=person.email, subject=subject, text=text, kind="nomination_link", language=locale,
            election_id=election.id, sensitive=True, now=now,
        )
        queued += 1
    db.flush()
    audit_log.record(db, actor, "nomination_links_sent", election.id, queued=queued, without_email=without)
    return LinksOutcome(queued, without)


def issue_letters(
    db: Session, election: Election, round_: NominationRound, actor: str, base_url: str, today: date, language: str
) -> list[LetterEntry]:
    """New links for every nominator without e-mail who reads ``language``, for printed letters.

    Their earlier links stop working; the tokens exist only in the returned letters.
    """
    _require_not_closed(round_, election, today)
    enrol(db, round_)
    letters: list[LetterEntry] = []
    for participant, person in _nominators(db, round_):
        if person.email or language_of(person) != language:
            continue
        token = secrets.token_urlsafe(TOKEN_BYTES)
        participant.token_hash = hash_token(token)
        letters.append(LetterEntry(
            person.name, person.employee_number, person.department, language_of(person),
            link_url(base_url, token), token,
        ))
    db.flush()
    audit_log.record(db, actor, "nomination_letters_printed", election.id, letters=len(letters), language=language)
    return letters


@dataclass(frozen=True)
class LettersContext:
    """The printed letters with personal links, for one language, as one document."""

    organisation: str
    intro: str
    max_per_person: int
    opens_on: date
    closes_on: date
    page_url: str
    letters: tuple[LetterEntry, ...]


def letters_context(
    election: Election, round_: NominationRound, letters: list[LetterEntry], page_url: str, language: str
) -> LettersContext:
    """The document of printed letters for ``letters`` (all in ``language``)."""
    return LettersContext(
        organisation=election.organisation,
        intro=round_.invitation_en if language == "en" else round_.invitation_nl,
        max_per_person=round_.max_per_person,
        opens_on=round_.opens_on,
        closes_on=round_.closes_on,
        page_url=page_url,
        letters=tuple(letters),
    )
