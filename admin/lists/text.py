"""Messages for refused list submissions, files and review steps, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from election.list_files import FileRefused


def _date(value: Any) -> str:
    return str(format_date(value, "long")) if value else ""


def refusal_text(code: str, params: dict[str, Any]) -> str:
    """A clear sentence for a refused submission (:class:`election.list_store.SubmissionRefused`)."""
    p = dict(params)
    texts = {
        "not_yet": lambda: _(
            "Lists cannot be submitted yet; submission opens on %(date)s.", date=_date(p.get("opens"))
        ),
        "closed": lambda: _(
            "The period for submitting these lists has ended (deadline %(date)s). A late list cannot be accepted.",
            date=_date(p.get("closes")),
        ),
        "declaration_incomplete": lambda: _("Confirm every condition of the declaration before you submit."),
        "already_submitted": lambda: _(
            "Your union already submitted a list for %(group)s. A union submits one list per electoral group.",
            group=p.get("group", ""),
        ),
        "unknown_group": lambda: _("Choose an electoral group of this election."),
        "unknown_union": lambda: _("This union is not invited to this election."),
        "duplicate_candidate": lambda: _(
            "Employee number %(number)s appears twice. A candidate appears once on a list.", number=p.get("number")
        ),
        "unknown_candidate": lambda: _(
            "Employee number %(number)s is not in the electoral register.", number=p.get("number")
        ),
        "candidate_not_eligible": lambda: _(
            "Employee number %(number)s cannot stand as a candidate in electoral group %(group)s.",
            number=p.get("number"),
            group=p.get("group", ""),
        ),
        "empty_list": lambda: _("A list needs at least one candidate."),
        "list_too_long": lambda: _(
            "The list has %(count)s candidates; at most %(limit)s are allowed.",
            count=p.get("count"),
            limit=p.get("limit"),
        ),
        "name_missing": lambda: _("Give the list a name."),
        "submitter_not_eligible": lambda: _(
            "Only employees with the right to vote in an electoral group can submit a free list."
        ),
        "wrong_group": lambda: _("You can only submit a list for your own electoral group."),
        "co_submitter_needed": lambda: _(
            "If you cannot declare that you are not a member of a union that submitted a list, name at least one "
            "co-submitter who can."
        ),
        "co_submitter_not_eligible": lambda: _(
            "Employee number %(number)s cannot co-submit: a co-submitter has the right to vote in the same "
            "electoral group.",
            number=p.get("number"),
        ),
        "consent_closed": lambda: _("This answer can no longer be given: the lists have been published."),
    }
    make = texts.get(code)
    return str(make()) if make else code


def file_text(error: FileRefused) -> str:
    """Why an uploaded file was refused."""
    if error.code == "too_large":
        return str(_("The file is too large: at most %(mb)s MB.", mb=error.limit // (1024 * 1024)))
    if error.code == "empty":
        return str(_("The file is empty."))
    if error.code == "missing":
        return str(_("Attach the scan of the list as it was received on paper."))
    return str(_("This kind of file is not accepted: use a PDF, PNG or JPEG file."))


def review_text(code: str, params: dict[str, Any]) -> str:
    """Why a review step was refused (:class:`election.list_review.ReviewRefused`)."""
    texts = {
        "not_in_review": lambda: _("Lists can only be examined during candidacy and the review of the lists."),
        "already_decided": lambda: _("This list has already been judged."),
        "no_defects": lambda: _("The list has no defects: declare it valid instead."),
        "notice_first": lambda: _(
            "The list has defects: send a defect notice first, so the submitter can repair them."
        ),
        "repair_running": lambda: _(
            "The repair window runs until %(date)s; judge the list after that day.", date=_date(params.get("deadline"))
        ),
        "not_editable": lambda: _("The list can no longer be changed."),
        "published": lambda: _("The lists have been published: a list can no longer be changed."),
        "judged": lambda: _("The committee has judged this list: it can no longer be changed."),
        "no_repair_window": lambda: _(
            "After the submission deadline a list changes only to repair the defects in a defect notice, while "
            "its repair window runs."
        ),
        "repair_closed": lambda: _(
            "The repair window ended on %(date)s: the list can no longer be changed; the committee judges it.",
            date=_date(params.get("deadline")),
        ),
        "not_a_defect": lambda: _(
            "During the repair window only a candidate named in the defect notice can be taken off the list; "
            "the others keep the order in which the list was submitted."
        ),
        "reason_missing": lambda: _("Give the reason for the change."),
        "submitter_acts": lambda: _(
            "This list was submitted through a personal link: its submitter makes the change there."
        ),
    }
    make = texts.get(code)
    return str(make()) if make else code
