"""What the paper-voting screens say, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from election.paper_marks import PaperError


def paper_refusal(exc: PaperError) -> str:
    """Why a paper mark or a paper count was refused, naming the voter, the group and the figures."""
    d = exc.details
    texts: dict[str, Callable[[], str]] = {
        "not_hybrid": lambda: _("The regulation does not allow paper voting beside online voting."),
        "not_voting": lambda: _("Voters are marked as having voted on paper only while voting is open."),
        "not_eligible": lambda: _("This person has no active voting right in this election."),
        "already_marked": lambda: _("%(name)s is already marked as having voted on paper.", name=d.get("name")),
        "voted_online": lambda: _(
            "Refused: %(name)s has already voted online. A voter votes once; the paper ballot must not be counted.",
            name=d.get("name"),
        ),
        "no_code": lambda: _(
            "%(name)s has no voting code that could be disabled; ask the committee to check the codes issued.",
            name=d.get("name"),
        ),
        "code_changed": lambda: _(
            "The voting code of %(name)s changed a moment ago. Search for them again.", name=d.get("name")
        ),
        "busy": lambda: _("The bulletin board is busy. Wait a moment and try again; nothing was stored."),
        "not_closed": lambda: _("Paper ballots are counted after the vote has been closed."),
        "result_final": lambda: _("The result has been published: the paper count can no longer change."),
        "role": lambda: _("Your role cannot take this step."),
        "unknown_group": lambda: _("There is no electoral group %(group)s on the ballot.", group=d.get("group")),
        "negative": lambda: _("Enter whole numbers of zero or more."),
        "options": lambda: _("Enter a number for every candidate and for the blank ballots."),
        "list_sum": lambda: _(
            "The votes, blank and invalid ballots add up to %(found)s, but %(ballots)s paper ballots were found.",
            found=d.get("found"),
            ballots=d.get("ballots"),
        ),
        "person_blank": lambda: _(
            "There are more blank and invalid ballots than the %(ballots)s paper ballots found.",
            ballots=d.get("ballots"),
        ),
        "person_marks": lambda: _(
            "%(marks)s votes cannot come from %(ballots)s ballots that are neither blank nor invalid: "
            "each carries 1 to %(k)s votes.",
            marks=d.get("marks"),
            ballots=d.get("ballots"),
            k=d.get("k"),
        ),
        "more_than_marked": lambda: _(
            "%(ballots)s paper ballots were entered, but only %(marked)s voters of this group are marked as "
            "having voted on paper.",
            ballots=d.get("ballots"),
            marked=d.get("marked"),
        ),
        "confirmed": lambda: _("The paper count of this group has already been confirmed."),
        "not_entered": lambda: _("No paper count has been entered for this group yet."),
        "second_member": lambda: _(
            "A second committee member must confirm the paper count: you entered these figures yourself."
        ),
        "changed": lambda: _("The paper count changed since you looked at it. Check the figures again."),
    }
    make = texts.get(exc.code)
    return make() if make is not None else str(exc)
