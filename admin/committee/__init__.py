"""Committee screens: every view here carries ``@committee_role``."""

from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/committee")

from admin.committee import dashboard, documents, elections, procedure, register  # noqa: E402,F401  (views register on bp)
