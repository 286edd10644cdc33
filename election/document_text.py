"""Translated wording for the documents: timetable steps, their legal basis, eligibility reasons.

The timetable and eligibility rules speak in stable keys and codes; these functions give the
sentence a reader sees, in the language that is active while a document is rendered. A key this
module does not know is shown as the rule module gave it, so a new step never breaks a document.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from election.eligibility import describe
from election.timeline import Step, Timeline


def step_label(key: str) -> str:
    """The name of timetable step ``key`` for staff and unions."""
    labels = {
        "announce": _("Announcement of the election"),
        "union_invitation": _("Unions invited to submit lists"),
        "union_candidacy_opens": _("Unions may submit lists from"),
        "date_objection_end": _("Last day to object to the election date"),
        "register": _("Electoral register drawn up"),
        "register_objection_end": _("Last day to object to the register"),
        "free_candidacy_opens": _("Free lists may be submitted from"),
        "union_lists_deadline": _("Deadline for union lists"),
        "free_lists_deadline": _("Deadline for free lists"),
        "repair_deadline": _("Last day to repair defects in a list"),
        "lists_published": _("Candidate lists published"),
        "list_objection_end": _("Last day to object to the lists"),
        "voting_opens": _("Voting opens"),
        "voting_closes": _("Voting closes"),
        "result_objection_end": _("Last day to object to the result"),
        "retention_end": _("Ballots and records kept until"),
        "term_end": _("Term of the sitting works council ends"),
    }
    return str(labels.get(key, key))


def step_basis(step: Step, timeline: Timeline) -> str:
    """Where the date of ``step`` comes from: the regulation's term and the article of law."""
    r = timeline.regulation
    weeks_before = {
        "announce": (r.announce_weeks, _("SER model: %(n)s weeks before the voting day; WOR art. 10")),
        "register": (r.register_weeks, _("SER model: %(n)s weeks before the voting day; WOR art. 6")),
        "union_lists_deadline": (
            r.union_deadline_weeks, _("SER: %(n)s weeks before the voting day; WOR art. 9 lid 2 sub a")
        ),
        "free_lists_deadline": (
            r.free_list_deadline_weeks, _("Regulation: %(n)s weeks before the voting day; WOR art. 9 lid 2 sub b")
        ),
        "lists_published": (r.publication_weeks, _("SER: %(n)s weeks before the voting day, all lists at once")),
    }
    if step.key in weeks_before:
        n, text = weeks_before[step.key]
        return str(text) % {"n": n}
    days_after = {
        "date_objection_end": (r.date_objection_days, _("Regulation: %(n)s days after the announcement")),
        "register_objection_end": (r.register_objection_days, _("Regulation: %(n)s days after the register")),
        "repair_deadline": (r.repair_window_days, _("Regulation: %(n)s days after the free-list deadline")),
        "list_objection_end": (r.list_objection_days, _("Regulation: %(n)s days after publication")),
        "result_objection_end": (r.result_objection_days, _("Regulation: %(n)s days after voting closes")),
    }
    if step.key in days_after:
        n, text = days_after[step.key]
        return str(text) % {"n": n}
    fixed = {
        "union_invitation": _("WOR art. 9 lid 2 sub a: every union with members in the company is invited"),
        "union_candidacy_opens": _("WOR art. 9 lid 2 sub a"),
        "voting_opens": _("Election date set by the works council; WOR art. 9 lid 1"),
        "term_end": _("WOR art. 12: end of the term of office"),
        "free_candidacy_opens": (
            _("SER model: free lists after the union lists; WOR art. 9 lid 2 sub b")
            if r.candidacy_mode == "sequential"
            else _("SER: free lists at the same time as union lists; WOR art. 9 lid 2 sub b")
        ),
    }
    if step.key in fixed:
        return str(fixed[step.key])
    if step.key == "voting_closes":
        days = (timeline["voting_closes"] - timeline["voting_opens"]).days + 1
        return str(ngettext(
            "Voting period of %(num)d day; WOR art. 9 lid 1",
            "Voting period of %(num)d days; WOR art. 9 lid 1",
            days,
        ))
    if step.key == "retention_end":
        return str(_("SER model art. 14: kept %(n)s months", n=r.retention_months))
    return step.basis


def reason_text(code: str) -> str:
    """One eligibility reason code (see ``election.eligibility``) as a sentence in the reader's language."""
    reasons = {
        "bestuurder": _("The bestuurder (top executive) is not represented by the works council (WOR art. 1 lid 4)."),
        "excluded_art_6_4": _("Excluded by agreement between employer and works council (WOR art. 6 lid 4)."),
        "included_art_6_4": _("Included by agreement between employer and works council (WOR art. 6 lid 4)."),
        "not_working_in_company": _("No employment contract with the company (WOR art. 1 lid 2)."),
        "not_started": _("Starts work after the voting day."),
        "left_before_voting_day": _("Leaves the company before the voting day."),
        "agency_worker_under_term": _(
            "Agency worker who does not yet count as working in the company (WOR art. 1 lid 3 sub a)."
        ),
        "active_term_not_met": _("Not long enough in the company to vote (WOR art. 6 lid 2)."),
        "passive_term_not_met": _("Not long enough in the company to stand as a candidate (WOR art. 6 lid 3)."),
        "corrected_by_committee": _("Corrected by the election committee after an objection."),
    }
    return str(reasons.get(code) or describe([code])[0])


def defect_text(code: str) -> str:
    """What a list-check defect code (``election.list_rules``) means, in the reader's language."""
    texts = {
        "late": _("The list was received after the deadline."),
        "union_not_invited": _("The union is not among the unions invited to submit lists."),
        "union_declaration_incomplete": _("The union did not declare every condition of WOR art. 9 lid 2 sub a."),
        "submitter_not_eligible": _("The submitter has no active voting right in this electoral group."),
        "no_non_member_supporter": _(
            "Nobody who submits or supports the list has declared not to be a member of a union that submitted a list."
        ),
        "empty_list": _("The list names no candidate."),
        "no_passive_right": _("No passive voting right on the voting day."),
        "wrong_electoral_group": _("Does not belong to the electoral group of this list."),
        "on_several_lists": _("Also stands on another list."),
        "on_list_in_linked_election": _("Also stands on a list of a linked election held together with this one."),
        "no_consent": _("Has not (yet) consented to the candidacy."),
        "list_too_long": _("Stands beyond the maximum number of candidates of a list."),
        "declined": _("Declined the candidacy."),
        "withdrawn_by_submitter": _("Taken off the list by its submitter."),
        "objection_upheld": _("Struck after an objection was upheld."),
    }
    return str(texts.get(code, code))
