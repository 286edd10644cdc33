"""Committee screens: every view here carries ``@committee_role``."""

from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/committee")

from admin.committee import (  # noqa: E402,F401  (views on bp)
    ceremony,
    code_revocation,
    count,
    dashboard,
    documents,
    elections,
    list_objections,
    lists,
    nomination,
    offline_codes,
    paper_voting,
    procedure,
    register,
    result_mailing,
    results,
    turnout,
    voting_codes,
)
