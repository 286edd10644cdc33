"""Who is signed in, and the role checks every committee view declares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for

from admin.database import db
from election.models.committee import CommitteeMember, Role

F = TypeVar("F", bound=Callable[..., Any])
ROLES_ATTRIBUTE = "stembus_required_roles"
ALL_ROLES = frozenset(Role)


def load_member() -> CommitteeMember | None:
    """The fully signed-in member of this request (password and TOTP both passed), or None."""
    if "member" not in g:
        member_id = session.get("member_id")
        member = db().get(CommitteeMember, member_id) if member_id and session.get("totp_ok") else None
        g.member = member
    member_or_none: CommitteeMember | None = g.member
    return member_or_none


def committee_role(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to signed-in members holding one of ``roles``.

    Anonymous users are sent to the login page; a member with another role gets 403. The roles
    are recorded on the view so a test can check that no committee route lacks this decorator.
    """
    allowed = frozenset(roles) or ALL_ROLES

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            member = load_member()
            if member is None:
                return redirect(url_for("auth.login", next=request.path))
            if member.role_enum not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, ROLES_ATTRIBUTE, allowed)
        return guarded  # type: ignore[return-value]

    return decorate
