"""Delivering voting codes (stemcodes) by e-mail and on printed letters, minting each code as it leaves.

Default ("server") mode, with no code ever stored in a form that can vote (issue 6, item 2).

Issuing (:func:`issue_for_delivery`) gives every voter without a code a credential holder whose
public credential comes from a code that is drawn and dropped at once: nobody knows it, so it
cannot vote. For every such voter with an e-mail address it queues a sensitive outbox row of kind
``voting_code`` whose text has :data:`~election.voting_mail_text.CODE_MARK` where the code goes,
and records the delivery (:class:`~election.models.delivery.CodeDelivery`).

A code is minted only when it leaves:

* by e-mail, the mail worker calls :func:`voting_code_body` right before the hand-over to SMTP:
  it draws a code, derives the public credential under the election's UUID and ``H_P``, puts it
  in place of the voter's current one and commits; only then is the code filled into the text.
  The finished body is handed to the mail system and never stored;
* on a letter, :func:`mint_letters` does the same for a batch of voters while the committee
  downloads the PDF (:mod:`election.code_letter_files`), which is streamed and not kept.

At least once, and what follows from it. The outbox may hand an e-mail over twice inside a small
crash window, and a worker that died after minting but before the hand-over leaves its row to be
retried (:mod:`election.mail`). Every attempt mints a fresh code and replaces the credential, so
the code of an earlier copy, if that copy was delivered at all, no longer works: the voter uses
the code received last, as the e-mail says. In the same way the newest delivery of a person wins:
a letter replaces a mailed code, and an e-mail still queued when a later delivery exists is not
sent (status ``superseded``).

Only before voting opens. At opening the credential lists are frozen into ``H_E``
(:func:`election.voting_codes.open_voting`), so nothing is minted afterwards; a ``voting_code``
e-mail still queued then is given up with the status ``voting_open``. A minting transaction starts
with a no-op update of the election row that matches only while the lists are final: the step to
voting updates that row first, so on PostgreSQL the two wait for each other, and on SQLite the
write lock orders them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto.credentials import derive_credential, generate_code
from election import audit_log
from election.code_letter_files import CodeLetter
from election.mail import BodyUnavailable, InvalidRecipient, MessageBody, queue_message
from election.models import Election, ElectoralGroup, OutboxMessage, RegisterPerson
from election.models.delivery import CodeDelivery
from election.models.voting import CredentialHolder, ElectionIdentity, VotingCredential
from election.procedure import Phase
from election.procedure_store import timeline_of
from election.timeline import voting_window
from election.voting_codes import VotingSetupError, identity_of, issue_codes
from election.voting_mail_text import CODE_MARK, code_mail

MAIL_KIND = "voting_code"

# The booth's address (no code) in a language: "/stem/<uuid>" for Dutch, "/vote/<uuid>" for English.
LinkFor = Callable[[str], str]


class MintRefused(Exception):
    """No code can be minted now; ``code`` names the reason (also the status of a given-up e-mail)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def language_of(person: RegisterPerson) -> str:
    """The voter's language for letters and e-mails: English when the register says so, else Dutch."""
    return "en" if (person.language or "").lower().startswith("en") else "nl"


def _identity_for_minting(db: Session, election_id: int) -> ElectionIdentity:
    """Lock the election for minting and return its identity; refuses once the lists are frozen."""
    locked = db.execute(
        update(Election)
        .where(Election.id == election_id, Election.phase == Phase.LISTS_FINAL.value)
        .values(phase=Election.phase)
        .execution_options(synchronize_session=False)
    )
    identity = identity_of(db, election_id)
    if identity is None:
        raise MintRefused("not_issued")
    if locked.rowcount != 1 or identity.opened_at is not None:  # type: ignore[attr-defined]
        raise MintRefused("voting_open")
    if identity.credential_mode != "server":
        raise MintRefused("offline_mode")
    return identity


def _live_credential(db: Session, election_id: int, person_id: int) -> VotingCredential | None:
    query = (
        select(VotingCredential)
        .join(CredentialHolder, CredentialHolder.credential_id == VotingCredential.id)
        .where(CredentialHolder.person_id == person_id, VotingCredential.election_id == election_id)
        .where(VotingCredential.revoked.is_(False))
        .order_by(VotingCredential.id.desc())
    )
    return db.scalars(query).first()


def _mint(identity: ElectionIdentity, credential: VotingCredential, now: datetime) -> str:
    """Draw a code, put its public credential in place of the current one, and return the code."""
    code = generate_code()
    _, public = derive_credential(code, identity.uuid, bytes.fromhex(identity.manifest_hash))
    credential.credential = public.hex()
    credential.issued_at = now
    return code


# ---- issuing and e-mail --------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueOutcome:
    """What issuing did: new voters with a code, e-mails queued, voters who need a letter."""

    issued: int
    queued: int
    need_letter: int


def _window(election: Election) -> tuple[datetime, datetime]:
    return voting_window(timeline_of(election))


def queue_code_mail(
    db: Session,
    election: Election,
    person: RegisterPerson,
    actor: str,
    now: datetime,
    link_for: LinkFor,
    *,
    recipient: str | None = None,
) -> CodeDelivery:
    """Queue an e-mail that will carry a fresh code for ``person`` (minted when it is sent).

    It goes to ``recipient`` when given (an address the committee corrected), else to the
    register's address. Raises ``InvalidRecipient`` when that address cannot receive mail.
    """
    group = db.get(ElectoralGroup, person.electoral_group_id) if person.electoral_group_id else None
    language = language_of(person)
    opens, closes = _window(election)
    mail = code_mail(
        language,
        name=person.name,
        organisation=election.organisation,
        group=group.name if group is not None else "",
        booth_url=link_for(language),
        opens=opens,
        closes=closes,
    )
    earlier = len(list(db.scalars(select(CodeDelivery.id).where(CodeDelivery.person_id == person.id))))
    row = queue_message(
        db,
        dedupe_key=f"voting-code:{election.id}:{person.id}:{earlier + 1}",
        recipient=recipient or person.email,
        subject=mail.subject,
        text=mail.text,
        kind=MAIL_KIND,
        language=language,
        election_id=election.id,
        sensitive=True,
        now=now,
    )
    delivery = db.scalars(select(CodeDelivery).where(CodeDelivery.outbox_message_id == row.id)).one_or_none()
    if delivery is None:
        delivery = CodeDelivery(
            election_id=election.id,
            person_id=person.id,
            channel="mail",
            outbox_message_id=row.id,
            requested_by=actor,
            requested_at=now,
            mints=0,
        )
        db.add(delivery)
        db.flush()
    return delivery


def issue_for_delivery(db: Session, election: Election, actor: str, now: datetime, link_for: LinkFor) -> IssueOutcome:
    """Issue a code to every voter without one and queue the e-mails that will carry them.

    Refused (``VotingSetupError``) before the key ceremony bound to the frozen manifest is
    complete, once voting has opened, and in offline mode (where codes never touch this server).
    """
    identity = identity_of(db, election.id)
    if identity is not None and identity.credential_mode != "server":
        raise VotingSetupError("offline_mode", "in offline mode the codes are made and delivered off this server")
    # issue_codes draws a code per new holder; dropped here unseen, they stand for "not yet minted".
    new_people = [issued.person_id for issued in issue_codes(db, election, actor, now)]
    queued = need_letter = 0
    for person_id in new_people:
        person = db.get(RegisterPerson, person_id)
        assert person is not None
        if not person.email:
            need_letter += 1
            continue
        try:
            queue_code_mail(db, election, person, actor, now, link_for)
        except InvalidRecipient:
            need_letter += 1
        else:
            queued += 1
    audit_log.record(
        db, actor, "voting_codes_queued", election.id, issued=len(new_people), queued=queued, need_letter=need_letter
    )
    return IssueOutcome(len(new_people), queued, need_letter)


def resend_code_mail(
    db: Session,
    election: Election,
    person: RegisterPerson,
    actor: str,
    now: datetime,
    link_for: LinkFor,
    *,
    recipient: str | None = None,
) -> CodeDelivery:
    """Take the voter's code out of use at once and queue an e-mail with a new one, minted when it is sent.

    For a voter whose code e-mail bounced or failed, optionally to an address the committee
    corrected. The voter's public credential is replaced now by one whose code is drawn and
    dropped unseen, so the earlier code stops working at once and nobody holds a working code until
    the e-mail is handed over (:func:`voting_code_body` mints it then); this later delivery also
    supersedes any e-mail still queued. Refused (``MintRefused``) once voting has opened, in
    offline mode, or when the voter holds no code; ``InvalidRecipient`` when the address cannot
    receive mail. Either way nothing is changed (the caller rolls back).
    """
    identity = _identity_for_minting(db, election.id)
    credential = _live_credential(db, election.id, person.id)
    if credential is None or person.election_id != election.id:
        raise MintRefused("no_code")
    delivery = queue_code_mail(db, election, person, actor, now, link_for, recipient=recipient)
    _mint(identity, credential, now)  # the drawn code is dropped here: it can reach nobody
    audit_log.record_at(
        db,
        now,
        actor,
        "voting_code_mail_resent",
        election.id,
        person=person.id,
        delivery=delivery.id,
        corrected_address=recipient is not None,
    )
    return delivery


def _superseded(db: Session, delivery: CodeDelivery) -> bool:
    later = select(CodeDelivery.id).where(CodeDelivery.person_id == delivery.person_id, CodeDelivery.id > delivery.id)
    return db.scalars(later.limit(1)).first() is not None


def voting_code_body(db: Session, row: OutboxMessage, now: datetime) -> MessageBody:
    """The body provider of ``voting_code`` e-mails: mint the code, commit, fill it into the text.

    Called by :func:`election.mail.deliver_pending` right before the hand-over. Refuses
    (``BodyUnavailable``) when the voting has opened, a later delivery replaced this one, or the
    voter no longer holds a code; nothing is minted then.
    """
    delivery = db.scalars(select(CodeDelivery).where(CodeDelivery.outbox_message_id == row.id)).one_or_none()
    if delivery is None or CODE_MARK not in row.body_text:
        raise BodyUnavailable("no_delivery")
    try:
        identity = _identity_for_minting(db, delivery.election_id)
        if _superseded(db, delivery):
            raise MintRefused("superseded")
        credential = _live_credential(db, delivery.election_id, delivery.person_id)
        if credential is None:
            raise MintRefused("no_code")
        code = _mint(identity, credential, now)
    except MintRefused as refused:
        db.rollback()
        raise BodyUnavailable(refused.code) from None
    delivery.minted_at, delivery.mints = now, delivery.mints + 1
    db.commit()  # the credential is in place before the code leaves
    return MessageBody(text=row.body_text.replace(CODE_MARK, code))


# ---- letters -------------------------------------------------------------------------------------


def mint_letters(
    db: Session,
    election: Election,
    people: Sequence[RegisterPerson],
    actor: str,
    now: datetime,
    booth_url: str,
    language: str,
) -> list[CodeLetter]:
    """Mint a new code for each of ``people`` for a printed letter in ``language``; returns the letters.

    Each voter's earlier code stops working. The codes exist only in the returned letters; the
    audit log records who got a letter, never a code. Refused (``MintRefused``) once voting has
    opened, or when one of them holds no code (issue the codes first).
    """
    identity = _identity_for_minting(db, election.id)
    groups = {g.id: g.name for g in election.groups}
    letters: list[CodeLetter] = []
    for person in people:
        credential = _live_credential(db, election.id, person.id)
        if credential is None or person.election_id != election.id:
            raise MintRefused("no_code")
        db.add(
            CodeDelivery(
                election_id=election.id,
                person_id=person.id,
                channel="letter",
                requested_by=actor,
                requested_at=now,
                minted_at=now,
                mints=1,
            )
        )
        code = _mint(identity, credential, now)
        group = groups.get(person.electoral_group_id or 0, "")
        letters.append(
            CodeLetter(person.name, person.employee_number, person.department, group, code, language, booth_url)
        )
    db.flush()
    audit_log.record(
        db,
        actor,
        "voting_code_letters_printed",
        election.id,
        letters=len(letters),
        language=language,
        persons=[p.id for p in people],
    )
    return letters
