"""What the result screens say when an objection against the result is refused, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import format_date
from flask_babel import gettext as _

from election.result_objections import ObjectionRefused


def objection_refusal(refused: ObjectionRefused) -> str:
    """Why an objection against the result could not be filed or decided."""
    deadline = format_date(refused.deadline, "long") if refused.deadline else "–"
    texts: dict[str, Callable[[], str]] = {
        "empty": lambda: _("Describe the objection."),
        "name_missing": lambda: _("Give the name of the objector."),
        "not_announced": lambda: _(
            "The result has not been announced yet; objections are taken after the announcement."
        ),
        "final": lambda: _("The result is final: objections can no longer be filed."),
        "late": lambda: _("The period for objections against the result ended on %(date)s.", date=deadline),
        "future": lambda: _("The day of receipt cannot lie in the future."),
        "reasons_missing": lambda: _("Give the reasons for the decision."),
        "decided": lambda: _("This objection has already been decided."),
    }
    make = texts.get(refused.code)
    return make() if make is not None else refused.code
