"""What the count screens say, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from election.tally_store import CountError


def count_refusal(exc: CountError) -> str:
    """Why a count step was refused, naming the trustee, group and option where there is one."""
    d = exc.details
    texts: dict[str, Callable[[], str]] = {
        "not_open": lambda: _("Voting was never opened: there is no board to count."),
        "not_closed": lambda: _("The vote has not been closed yet."),
        "no_keys": lambda: _("The key ceremony has not been completed."),
        "result_final": lambda: _("The result has been published: no more decryption shares are taken."),
        "not_trustee": lambda: _("%(name)s holds no key share for this election.", name=d.get("name")),
        "not_shares": lambda: _(
            "This is not a decryption share file. Upload the file that stembus trustee decrypt wrote."
        ),
        "other_election": lambda: _("These decryption shares are for another election."),
        "other_tally": lambda: _("These decryption shares are for another tally: download the tally again."),
        "wrong_member": lambda: _(
            "These are trustee %(index)s's shares, but %(name)s is trustee %(j)s.",
            index=d.get("index"),
            name=d.get("name"),
            j=d.get("j"),
        ),
        "already_shared": lambda: _(
            "Trustee %(j)s (%(name)s) has already submitted decryption shares.", j=d.get("j"), name=d.get("name")
        ),
        "bad_share": lambda: _(
            "Refused: the decryption share of trustee %(j)s for group %(group)s, option %(option)s does not verify.",
            j=d.get("j"),
            group=d.get("group", "–"),
            option=d.get("option", "–"),
        ),
        "no_count": lambda: _("Group %(group)s: the decryption gives no count.", group=d.get("group")),
        "lot_fixed": lambda: _("The lot seed has already been fixed; it cannot be entered twice."),
        "lot_empty": lambda: _("Enter the lot seed as fixed in public (at most 500 characters)."),
        "seat_rules": lambda: _(
            "Group %(group)s: the seat rules cannot be applied: %(error)s", group=d.get("group"), error=d.get("error")
        ),
        "no_result": lambda: _("The result has not been published yet."),
    }
    make = texts.get(exc.code)
    return make() if make is not None else str(exc)
