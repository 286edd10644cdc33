"""What the committee reads when an offline code file or a code replacement is refused, in its own language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from election.code_revocation import CodeRevocationError
from election.offline_codes import OfflineCodesError
from election.voting_codes import VotingSetupError

# Messages about a whole file; nothing was stored.
_FILE = {
    "too_large": _l("The file is too large."),
    "not_json": _l("The file is not readable JSON."),
    "wrong_file": _l("This is not a public credential file written by stembus codes generate."),
    "wrong_manifest": _l(
        "The codes in this file were made for another election manifest (the manifest hash differs). "
        "Download the manifest and voter file again and make the codes anew."
    ),
    "missing_holder": _l("%(count)s voter(s) have no credential in the file, for example %(refs)s."),
}

# Messages about one row of the file: %(row)s and %(ref)s name it.
_ROW = {
    "bad_row": _l("Row %(row)s (%(ref)s): the row is not a holder reference, group and credential."),
    "duplicate_holder": _l("Row %(row)s (%(ref)s): this voter is listed twice."),
    "bad_point": _l("Row %(row)s (%(ref)s): the credential is not a valid public key (ristretto255 point)."),
    "duplicate_credential": _l("Row %(row)s (%(ref)s): this credential occurs twice or is already in use."),
    "unexpected_holder": _l("Row %(row)s (%(ref)s): this person is not a voter waiting for a code here."),
    "not_this_voter": _l("Row %(row)s (%(ref)s): the file must hold the new credential of this one voter only."),
    "wrong_group": _l("Row %(row)s (%(ref)s): the credential is listed for another electoral group."),
}

_SETUP = {
    "no_manifest": _l("The election manifest is frozen when the key ceremony is set up: hold the key ceremony first."),
    "not_offline": _l("This election's voting codes are made by the server, not offline."),
    "opened": _l("Voting has opened: the credential lists are final."),
    "all_issued": _l("Every voter already has a voting code."),
    "no_keys": _l("The key ceremony has not been completed."),
    "keys_unbound": _l("The key ceremony is not bound to the frozen election manifest."),
}

_REPLACEMENT = {
    "not_issued": _l("No voting codes have been issued yet."),
    "reason": _l("Choose why the code is replaced."),
    "not_eligible": _l("This person has no active voting right in this election."),
    "no_code": _l("This voter has no voting code to replace."),
    "not_voting": _l("Voting has closed: codes can no longer be replaced."),
    "already_voted": _l("This voter has already voted with their code; their ballot stays and no new code is issued."),
    "retired": _l("This voter's code was already taken out of use (for example after a paper vote)."),
    "upload_needed": _l("Upload the public credential file made offline for this voter."),
    "busy": _l("The ballot box is busy. Try again in a moment."),
}


def problem_text(exc: Exception) -> str:
    """The translated sentence for a refusal; nothing was stored."""
    if isinstance(exc, OfflineCodesError):
        if exc.code in _ROW and exc.row is not None:
            text = str(_ROW[exc.code] % {"row": exc.row, "ref": exc.ref or "?"})
        elif exc.code == "missing_holder":
            text = str(_FILE["missing_holder"] % {"count": exc.details.get("count"), "refs": exc.details.get("refs")})
        else:
            text = str(_FILE.get(exc.code, _FILE["wrong_file"]))
    elif isinstance(exc, VotingSetupError):
        text = str(_SETUP.get(exc.code, exc.message))
    elif isinstance(exc, CodeRevocationError):
        text = str(_REPLACEMENT.get(exc.code, exc.message))
    else:
        text = str(exc)
    return _("%(problem)s Nothing was stored.", problem=text)
