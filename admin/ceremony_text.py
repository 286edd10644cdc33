"""What the committee screens say about the key ceremony, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from election.ceremony_messages import MessageError
from election.key_ceremony import CeremonyError


def stage_text(stage: str) -> str:
    """The name of a ceremony stage."""
    names = {
        "commit": _("1. Commitment hashes"),
        "reveal": _("2. Commitments with proofs"),
        "deal": _("3. Encrypted shares"),
        "complaints": _("4. Complaints"),
        "answer": _("5. Answers to complaints"),
        "complete": _("Complete"),
    }
    return names.get(stage, stage)


def refusal(exc: CeremonyError | MessageError) -> str:
    """Why a ceremony step was refused."""
    if isinstance(exc, MessageError):
        if exc.code == "other_ceremony":
            return _("This message was made for another key ceremony.")
        if exc.code in ("wrong_file", "not_json"):
            return _("This file is not a key ceremony message. Upload the file that stembus trustee wrote.")
        return _("The message is malformed: %(detail)s", detail=exc.message)
    d = exc.details
    texts = {
        "phase": lambda: _("The key ceremony is held once the candidate lists are final and before voting opens."),
        "exists": lambda: _("This election already has a key ceremony."),
        "threshold": lambda: _(
            "The regulation's decryption threshold %(t)s does not lie between 1 and the number of trustees %(n)s.",
            t=d.get("t"),
            n=d.get("n"),
        ),
        "count": lambda: _(
            "The regulation asks for %(n)s trustees; you chose %(given)s.", n=d.get("n"), given=d.get("given")
        ),
        "role": lambda: _("Only the chair and members of the committee can be trustees."),
        "not_running": lambda: _("There is no running key ceremony for this election."),
        "not_trustee": lambda: _("You are not a trustee of this key ceremony."),
        "other_sender": lambda: _(
            "This message is from trustee %(sender)s; you are trustee %(index)s.",
            sender=d.get("sender"),
            index=d.get("index"),
        ),
        "too_early": lambda: _(
            "This step opens when every trustee has completed the step before; still waiting for trustee(s) "
            "%(missing)s.",
            missing=d.get("missing"),
        ),
        "duplicate": lambda: _("You have already uploaded this step; a message cannot be replaced."),
        "not_expected": lambda: _("No one has complained about your shares: there is nothing to answer."),
        "bad_dealing": lambda: _(
            "Your commitments do not match your commitment hash or their proofs fail: %(problems)s",
            problems=d.get("problems"),
        ),
        "bad_answer": lambda: _(
            "An answer must reveal exactly the shares complained about (for trustee(s) %(asked)s).",
            asked=d.get("asked"),
        ),
    }
    text = texts.get(exc.code)
    return text() if text else _("The step was refused: %(reason)s", reason=exc.message)
