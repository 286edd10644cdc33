"""A voter whose code e-mail bounced gets a new code by e-mail, optionally at a corrected address."""

from __future__ import annotations

import smtplib
from typing import Any

from sqlalchemy import select

from election.mail import MemoryMailSender
from election.models import AuditEntry, OutboxMessage, RegisterPerson, Role
from election.models.voting import CredentialHolder, VotingCredential
from tests.web.delivery_factory import make_keyed_election, places_holding
from tests.web.test_voting_codes_delivery import _cast, _code_of, _deliver, _issue, _issued, _post, _signed_in
from tests.web.voting_factory import open_voting_now

BOUNCING = "m1004@haven.example"


class Bouncing(MemoryMailSender):
    """A mail system whose receiving server refuses one address for good (a 550 answer)."""

    def send(self, message: Any) -> None:
        if message["To"] == BOUNCING:
            raise smtplib.SMTPRecipientsRefused({BOUNCING: (550, b"no such user")})
        super().send(message)


def _credential_of(app: Any, number: str) -> str:
    with app.extensions["stembus_sessions"]() as db:
        query = (
            select(VotingCredential.credential)
            .join(CredentialHolder, CredentialHolder.credential_id == VotingCredential.id)
            .join(RegisterPerson, RegisterPerson.id == CredentialHolder.person_id)
            .where(RegisterPerson.employee_number == number, VotingCredential.revoked.is_(False))
        )
        return db.scalars(query).one()


def _bounced(app: Any) -> tuple[int, str]:
    """Codes issued and mailed; the mail to voter 1004 bounced, yet minted a code: return that code."""
    election_id = make_keyed_election(app, people=12)
    _issue(app, election_id)
    bouncing = Bouncing("commissie@example.org")
    _deliver(app, bouncing)
    assert len(bouncing.sent) == 11
    # The code of the refused e-mail was minted before the hand-over; it must stop working too.
    return election_id, _credential_of(app, "1004")


def test_a_new_code_goes_by_e_mail_to_a_corrected_address_and_the_old_code_is_refused(app):
    election_id, old_credential = _bounced(app)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    page = chair.get(f"/committee/elections/{election_id}/voting-codes").get_data(as_text=True)
    assert "Send a new code by e-mail" in page

    answer = _post(chair, election_id, "/mail", {"mail-employee_number": "1004", "mail-email": "anna.m@haven.example"})
    assert answer.status_code == 302
    assert _credential_of(app, "1004") != old_credential  # the old code stops working at once
    sender = _deliver(app)
    assert [m["To"] for m in sender.sent] == ["anna.m@haven.example"]
    new_code = _code_of(sender.sent[0])
    assert _deliver(app).sent == []  # exactly one new mail
    assert places_holding(app, new_code) == []
    with app.extensions["stembus_sessions"]() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "voting_code_mail_resent")).one()
        assert "anna.m@haven.example" not in entry.details and new_code not in entry.details

    open_voting_now(app, election_id)
    with app.extensions["stembus_sessions"]() as db:
        listed = set(db.scalars(select(VotingCredential.credential)))
    assert old_credential not in listed
    assert _cast(app, election_id, _issued(app, election_id, "1004", new_code)).status_code == 201


def test_without_a_corrected_address_the_register_address_is_used(app):
    election_id, _old = _bounced(app)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    assert _post(chair, election_id, "/mail", {"mail-employee_number": "1004"}).status_code == 302
    assert [m["To"] for m in _deliver(app).sent] == [BOUNCING]


def test_a_bad_address_gets_a_clear_message_and_changes_nothing(app):
    election_id, old_credential = _bounced(app)
    with app.extensions["stembus_sessions"]() as db:
        before = db.scalars(select(OutboxMessage.id)).all()
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    for bad in ("anna.m@", "not an address", "anna@haven..example"):
        answer = _post(chair, election_id, "/mail", {"mail-employee_number": "1004", "mail-email": bad})
        assert answer.status_code == 400, bad
        assert "Enter a valid e-mail address" in answer.get_data(as_text=True)
    unknown = _post(chair, election_id, "/mail", {"mail-employee_number": "9999"})
    assert unknown.status_code == 400 and "No voter with this employee number" in unknown.get_data(as_text=True)
    assert _credential_of(app, "1004") == old_credential
    with app.extensions["stembus_sessions"]() as db:
        assert db.scalars(select(OutboxMessage.id)).all() == before
        assert db.scalars(select(AuditEntry).where(AuditEntry.action == "voting_code_mail_resent")).all() == []


def test_once_voting_has_opened_no_code_is_mailed_and_the_auditor_may_not_ask(app):
    election_id, old_credential = _bounced(app)
    auditor = _signed_in(app, Role.AUDITOR, "auditor@example.org")
    assert _post(auditor, election_id, "/mail", {"mail-employee_number": "1004"}).status_code == 403
    open_voting_now(app, election_id)
    chair = _signed_in(app, Role.CHAIR, "chair@example.org")
    answer = _post(chair, election_id, "/mail", {"mail-employee_number": "1004"})
    assert answer.status_code == 409 and "Voting has opened" in answer.get_data(as_text=True)
    assert _credential_of(app, "1004") == old_credential
