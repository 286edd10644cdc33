"""High-assurance voting codes: made offline by a committee member, so the server never sees one.

In this mode (regulation profile ``code_mode = "offline"``) the committee member downloads two files
from the committee screen, the frozen manifest and the voter file, and runs ``stembus codes generate``
on a computer of their own without the server. It draws one code per voter
(``crypto.credentials.generate_code``), derives the public credential ``X`` under the manifest's hash
and writes three things: the public credential file to upload, the letters and the mails. Only the
public credential file returns to the server.

This module holds the two file formats and the generation itself; it touches no database and no
network. ``election.offline_codes_store`` serves the voter file and takes the upload.

Voter file (``stembus-offline-voters``, version 1)::

    {"format", "version", "election": uuid, "manifest_hash": hex, "organisation",
     "booth": {"nl": url, "en": url}, "mail_from": address,
     "voters": [{"ref", "name", "employee_number", "group", "group_name", "language", "email",
                 "department", "location"}]}

Public credential file (``stembus-offline-credentials``, version 1)::

    {"format", "version", "election": uuid, "manifest_hash": hex,
     "holders": [{"ref", "group", "credential": hex}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crypto import board as bd
from crypto import group as g
from crypto import record as rc
from crypto import record_hashes as rh
from crypto.credentials import derive_credential, generate_code
from crypto.record_schema import Field, RecordError

VOTERS_FORMAT = "stembus-offline-voters"
CREDENTIALS_FORMAT = "stembus-offline-credentials"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024

_REF = re.compile(r"\AP[1-9][0-9]{0,17}\Z")


class OfflineCodesError(ValueError):
    """A file that cannot be used; ``code`` names the reason, ``row`` the holder or voter at fault."""

    def __init__(
        self, code: str, message: str, row: int | None = None, ref: str | None = None, **details: object
    ) -> None:
        super().__init__(message if row is None else f"row {row} ({ref or '?'}): {message}")
        self.code = code
        self.detail = message
        self.row = row
        self.ref = ref
        self.details = details


def holder_ref(person_id: int) -> str:
    """The reference of a register person in both files: ``P`` and the person's number on the server."""
    return f"P{person_id}"


def person_of(ref: str) -> int:
    """The register person a reference names."""
    return int(ref[1:])


@dataclass(frozen=True)
class OfflineVoter:
    """One voter as the offline machine sees them: enough for a letter or a mail, nothing more."""

    ref: str
    name: str
    employee_number: str
    group: str
    group_name: str
    language: str
    email: str
    department: str
    location: str


@dataclass(frozen=True)
class VoterFile:
    """The parsed voter file."""

    election: str
    manifest_hash: str
    organisation: str
    booth: dict[str, str]
    mail_from: str
    voters: tuple[OfflineVoter, ...]

    def booth_url(self, language: str) -> str:
        """The voting page in the voter's language (Dutch unless English was chosen)."""
        return self.booth["en" if language == "en" else "nl"]


@dataclass(frozen=True)
class Holding:
    """One row of the public credential file: a voter's reference, group and public credential (hex)."""

    ref: str
    group: str
    credential: str


@dataclass(frozen=True)
class GeneratedCode:
    """A code made on the offline machine for one voter; only ever printed or mailed."""

    voter: OfflineVoter
    code: str
    credential: str


def _decode(raw: bytes | str, what: str) -> Any:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > MAX_FILE_BYTES:
        raise OfflineCodesError("too_large", f"the {what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return rc.decode_json(data, what)
    except RecordError as exc:
        raise OfflineCodesError("not_json", str(exc)) from None


def read_manifest(raw: bytes | str) -> tuple[rc.Manifest, bytes]:
    """The frozen manifest and its hash ``H_P``; refused unless it is a valid manifest for offline codes."""
    doc = _decode(raw, rc.MANIFEST)
    try:
        manifest = rc.parse_manifest(Field(rc.MANIFEST, "", doc))
    except RecordError as exc:
        raise OfflineCodesError("bad_manifest", str(exc)) from None
    if manifest.credential_mode != "offline":
        raise OfflineCodesError(
            "not_offline", "this election's voting codes are made by the server, not offline (credential_mode)"
        )
    return manifest, rh.manifest_hash(manifest.raw)


def _text(row: Mapping[str, Any], key: str, where: int, ref: str | None, *, required: bool = True) -> str:
    value = row.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > 400:
        raise OfflineCodesError("bad_voter", f"{key} must be text of at most 400 characters", where, ref)
    return value


def read_voter_file(raw: bytes | str, manifest: rc.Manifest, manifest_hash: bytes) -> VoterFile:
    """Parse the voter file and check it belongs to this manifest: election, hash, groups, distinct refs."""
    doc = _decode(raw, "voter file")
    if not isinstance(doc, dict) or doc.get("format") != VOTERS_FORMAT or doc.get("version") != VERSION:
        raise OfflineCodesError("wrong_file", f"this is not a version {VERSION} {VOTERS_FORMAT} file")
    if doc.get("election") != manifest.election_id or doc.get("manifest_hash") != manifest_hash.hex():
        raise OfflineCodesError("wrong_manifest", "the voter file belongs to another election manifest")
    booth = doc.get("booth")
    if not isinstance(booth, dict) or not all(isinstance(booth.get(k), str) and booth[k] for k in ("nl", "en")):
        raise OfflineCodesError("wrong_file", "the voter file has no voting page addresses (booth)")
    groups = {grp.id for grp in manifest.groups}
    rows = doc.get("voters")
    if not isinstance(rows, list) or not rows:
        raise OfflineCodesError("wrong_file", "the voter file lists no voters")
    voters: list[OfflineVoter] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise OfflineCodesError("bad_voter", "expected an object", i)
        ref = row.get("ref")
        if not isinstance(ref, str) or not _REF.match(ref):
            raise OfflineCodesError("bad_voter", "ref must look like P123", i, str(ref))
        if ref in seen:
            raise OfflineCodesError("duplicate", "this voter is listed twice", i, ref)
        seen.add(ref)
        if row.get("group") not in groups:
            raise OfflineCodesError("bad_voter", f"group {row.get('group')!r} is not in the manifest", i, ref)
        voters.append(
            OfflineVoter(
                ref=ref,
                name=_text(row, "name", i, ref),
                employee_number=_text(row, "employee_number", i, ref, required=False),
                group=row["group"],
                group_name=_text(row, "group_name", i, ref),
                language="en" if row.get("language") == "en" else "nl",
                email=_text(row, "email", i, ref, required=False),
                department=_text(row, "department", i, ref, required=False),
                location=_text(row, "location", i, ref, required=False),
            )
        )
    return VoterFile(
        election=manifest.election_id,
        manifest_hash=manifest_hash.hex(),
        organisation=str(doc.get("organisation") or ""),
        booth={"nl": booth["nl"], "en": booth["en"]},
        mail_from=str(doc.get("mail_from") or ""),
        voters=tuple(voters),
    )


def generate(
    voters: VoterFile, manifest_hash: bytes, choice: Callable[[str], str] | None = None
) -> tuple[dict[str, Any], list[GeneratedCode]]:
    """One fresh code per voter and the public credential file that goes back to the server.

    The codes come from the operating system's CSPRNG (``choice`` only for tests) and leave this
    function only in the returned list, for the letters and mails.
    """
    made: list[GeneratedCode] = []
    for voter in voters.voters:
        code = generate_code() if choice is None else generate_code(choice)
        _, public = derive_credential(code, voters.election, manifest_hash)
        made.append(GeneratedCode(voter, code, public.hex()))
    doc = {
        "format": CREDENTIALS_FORMAT,
        "version": VERSION,
        "election": voters.election,
        "manifest_hash": manifest_hash.hex(),
        "holders": [{"ref": m.voter.ref, "group": m.voter.group, "credential": m.credential} for m in made],
    }
    return doc, made


def dump(doc: Any) -> bytes:
    """How both files are written: sorted keys, indented, UTF-8, a final newline."""
    bd.canonical_json(doc)  # refuses floats
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def read_credential_file(raw: bytes | str, election_uuid: str, manifest_hash: str) -> list[Holding]:
    """Parse an uploaded public credential file, row by row; every error names the row.

    Checks the format, that it was made under this election's manifest hash, that every credential
    is a canonical ristretto255 encoding of a non-identity point, and that no reference or
    credential appears twice. Whether the holders are exactly the expected voters is the store's check.
    """
    doc = _decode(raw, "public credential file")
    if not isinstance(doc, dict) or doc.get("format") != CREDENTIALS_FORMAT or doc.get("version") != VERSION:
        raise OfflineCodesError("wrong_file", f"this is not a version {VERSION} {CREDENTIALS_FORMAT} file")
    if set(doc) != {"format", "version", "election", "manifest_hash", "holders"}:
        raise OfflineCodesError("wrong_file", "the file must hold format, version, election, manifest_hash, holders")
    if doc["manifest_hash"] != manifest_hash or doc["election"] != election_uuid:
        raise OfflineCodesError(
            "wrong_manifest",
            "the codes were made for another election manifest (manifest hash "
            f"{str(doc['manifest_hash'])[:16]}…, this election's is {manifest_hash[:16]}…)",
        )
    rows = doc["holders"]
    if not isinstance(rows, list) or not rows:
        raise OfflineCodesError("wrong_file", "the file lists no holders")
    out: list[Holding] = []
    refs: dict[str, int] = {}
    creds: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        ref = row.get("ref") if isinstance(row, dict) else None
        if not isinstance(row, dict) or set(row) != {"ref", "group", "credential"}:
            raise OfflineCodesError("bad_row", "a holder has exactly ref, group and credential", i, _name(ref))
        if not isinstance(ref, str) or not _REF.match(ref):
            raise OfflineCodesError("bad_row", "ref must look like P123", i, _name(ref))
        if ref in refs:
            raise OfflineCodesError("duplicate_holder", f"this holder is also listed in row {refs[ref]}", i, ref)
        refs[ref] = i
        cred = row["credential"]
        if not isinstance(cred, str) or not re.fullmatch(r"[0-9a-f]{64}", cred):
            raise OfflineCodesError("bad_point", "the credential must be 64 lower-case hex digits", i, ref)
        try:
            g.point_from_bytes(bytes.fromhex(cred))
        except g.GroupError as exc:
            raise OfflineCodesError(
                "bad_point", f"the credential is not a valid ristretto255 point: {exc}", i, ref
            ) from None
        if cred in creds:
            raise OfflineCodesError("duplicate_credential", f"the same credential is in row {creds[cred]}", i, ref)
        creds[cred] = i
        if not isinstance(row["group"], str):
            raise OfflineCodesError("bad_row", "group must be an electoral group id", i, ref)
        out.append(Holding(ref, row["group"], cred))
    return out


def _name(ref: Any) -> str | None:
    return ref if isinstance(ref, str) and len(ref) < 40 else None
