"""Translated names for the procedure's phases, timetable steps and checklist statuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from election.document_text import defect_text

PHASES = {
    "draft": _l("Preparation"),
    "announced": _l("Announced"),
    "register_open_for_objection": _l("Register open for objections"),
    "register_final": _l("Register final"),
    "union_candidacy": _l("Union lists period"),
    "free_candidacy": _l("Free lists period"),
    "candidacy": _l("Candidacy period"),
    "list_review": _l("Checking the lists"),
    "lists_published": _l("Lists published"),
    "lists_final": _l("Lists final"),
    "no_vote_needed": _l("No vote needed"),
    "voting": _l("Voting open"),
    "counted": _l("Counted"),
    "result_announced": _l("Result announced"),
    "result_final": _l("Result final"),
    "installed": _l("New council installed"),
    "archived": _l("Archived"),
}

ACTIONS = {
    "announced": _l("Announce the election"),
    "register_open_for_objection": _l("Open the register for objections"),
    "register_final": _l("Make the register final"),
    "union_candidacy": _l("Open the union lists period"),
    "free_candidacy": _l("Open the free lists period"),
    "candidacy": _l("Open the candidacy period"),
    "list_review": _l("Close candidacy and check the lists"),
    "lists_published": _l("Publish the candidate lists"),
    "lists_final": _l("Make the lists final"),
    "no_vote_needed": _l("Declare that no vote is needed"),
    "voting": _l("Open voting"),
    "counted": _l("Close voting and count"),
    "result_announced": _l("Announce the result"),
    "result_final": _l("Make the result final"),
    "installed": _l("Record that the new council took office"),
    "archived": _l("Archive the election"),
    "extend_voting": _l("Extend the voting period"),
    "issue_voting_codes": _l("Issue the voting codes"),
}

STEPS = {
    "announce": _l("Announce the election to staff and employer"),
    "union_invitation": _l("Invite the unions to submit lists"),
    "union_candidacy_opens": _l("Union lists may be submitted"),
    "date_objection_end": _l("End of objections against the date"),
    "register": _l("Draw up the electoral register"),
    "register_objection_end": _l("End of objections against the register"),
    "free_candidacy_opens": _l("Free lists may be submitted"),
    "union_lists_deadline": _l("Deadline for union lists"),
    "free_lists_deadline": _l("Deadline for free lists"),
    "repair_deadline": _l("End of the repair period for lists"),
    "lists_published": _l("Publish all candidate lists"),
    "list_objection_end": _l("End of objections against the lists"),
    "voting_opens": _l("Voting opens"),
    "voting_closes": _l("Voting closes"),
    "result_objection_end": _l("End of objections against the result"),
    "retention_end": _l("End of the retention period for ballots"),
    "term_end": _l("End of the sitting council's term"),
}

STATUSES = {
    "done": _l("done"),
    "not_needed": _l("not needed"),
    "late": _l("late"),
    "due": _l("due this week"),
    "upcoming": _l("upcoming"),
}

NOTICES = {
    "union_period_longer": _l(
        "Unions have %(union_days)s days to file lists, free-list submitters %(free_days)s; the Hague Court of "
        "Appeal (2018) held such a difference unjustified."
    ),
    "voting_day_in_past": _l("The voting day %(day)s lies in the past."),
    "announcement_overdue": _l("The announcement was due on %(day)s; the timetable can no longer be kept."),
    "voting_day_weekend": _l("The voting day %(day)s falls on a weekend."),
    "voting_after_term_end": _l("Voting closes on %(closes)s, not before the term ends on %(term_end)s."),
    "voting_too_close_to_term_end": _l(
        "Voting closes %(days)s days before the term ends on %(term_end)s; the regulation asks for %(weeks)s weeks."
    ),
}


def notice_text(notice) -> str:  # type: ignore[no-untyped-def]
    """A timetable warning or error in the reader's language (the domain's English if unknown)."""
    template = NOTICES.get(notice.code)
    return str(template) % dict(notice.params) if template is not None else str(notice.message)


REFUSALS = {
    "out_of_order": _l("This step cannot follow the current phase; the steps of the procedure go in order."),
    "announcement_overdue": _l("The announcement date has passed: postpone the voting day first."),
    "too_early": _l("This step is possible from %(day)s."),
    "second_member": _l("A second committee member must confirm this step."),
    "postponement_not_allowed": _l("The regulation does not allow postponement."),
    "reason_required": _l("A postponement needs a reason that is made known to all staff."),
    "too_late_to_move": _l("The voting day can no longer move in this phase."),
    "not_later": _l("A postponement moves the voting day to a later date."),
    "role": _l("Your role cannot take this step."),
    "not_pending": _l("This step was already confirmed or withdrawn."),
    "moved_on": _l("The election moved on since this step was proposed."),
    "preconditions": _l("Not yet possible: %(details)s."),
    "voting_open": _l("Voting is still open: the vote can be closed only after the voting window."),
    "extension_not_voting": _l("Voting is not open: only an open vote can be extended."),
    "extension_closed": _l("Voting has already closed: a closed vote cannot be reopened."),
    "extension_not_later": _l("The new closing time must be later than the current closing time."),
    "extension_too_long": _l("Voting can be extended by at most seven days beyond the announced closing."),
}


def refusal_text(error) -> str:  # type: ignore[no-untyped-def]
    """Why a procedure step was refused, in the reader's language, with its legal basis."""
    template = REFUSALS.get(error.code)
    earliest = error.earliest.isoformat() if error.earliest else ""
    why = str(template) % {"day": earliest, "details": error.message} if template is not None else error.message
    return str(_l("Step refused: %(why)s Basis: %(basis)s.", why=why, basis=error.basis))


LIST_STATUSES = {
    "submitted": _l("received, not yet examined"),
    "defective": _l("defects to repair"),
    "valid": _l("valid"),
    "invalid": _l("invalid"),
}

DECISIONS = {
    "defect_notice": _l("Defect notice sent"),
    "candidate_struck": _l("Candidate struck"),
    "list_valid": _l("List valid"),
    "list_invalid": _l("List invalid"),
    "lists_published": _l("Lists published"),
    "objection_decided": _l("Objection decided"),
    "elected_without_vote": _l("Elected without a vote"),
}

ROLES = {
    "chair": _l("chair"),
    "member": _l("member"),
    "secretary": _l("secretary"),
    "auditor": _l("auditor"),
    "it_operator": _l("IT operator"),
}


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    """Make the label tables available in every template."""
    app.jinja_env.globals.update(
        PHASE_LABELS=PHASES,
        ACTION_LABELS=ACTIONS,
        STEP_LABELS=STEPS,
        STATUS_LABELS=STATUSES,
        ROLE_LABELS=ROLES,
        LIST_STATUS_LABELS=LIST_STATUSES,
        DECISION_LABELS=DECISIONS,
        defect_text=defect_text,
        notice_text=notice_text,
    )
