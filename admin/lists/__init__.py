"""Candidate lists for people outside the committee: unions, free-list submitters, candidates, staff.

Nobody signs in here: a personal link (token in the URL fragment, posted by a small script) says who
someone is, and opens only what is theirs. The published lists are public.
"""

from flask import Blueprint

bp = Blueprint("lists", __name__, url_prefix="/lists")

from admin.lists import personal, public, submit  # noqa: E402,F401  (views register on bp)
