"""The verifier's report: a fixed list of named checks, each passed or failed with the culprits named.

The JSON form is the one fixed in ``interfaces.md``::

    {"valid": bool, "checks": [{"name", "ok", "detail"}], "counts": {...}, "seats": {...}}

with two optional additions per check: ``failures`` (every culprit, up to ``MAX_FAILURES``) and
``skipped`` (true when an earlier failure made the check impossible; such a check is not ok).
``valid`` is true only when every check ran and passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_FAILURES = 1000

CHECKS: tuple[tuple[str, str], ...] = (
    ("version", "record format and version are known"),
    ("manifest", "manifest is well formed; manifest and election hashes recompute"),
    ("keys", "key generation transcript verifies; joint and verification keys recompute"),
    ("credentials", "credential lists sorted, distinct, valid, within the register count"),
    ("board_chain", "bulletin board chain intact from genesis"),
    ("ballots", "every ballot well formed: encodings, proofs, signature, option count"),
    ("eligibility", "every ballot's credential is listed for its electoral group"),
    ("one_ballot_per_credential", "no credential cast more than one ballot"),
    ("challenged", "challenged ballots open to their revealed choices and are not counted"),
    ("board_payloads", "setup, close, tally, share and result entries match the record"),
    ("aggregates", "aggregate ciphertexts recompute from the counted ballots"),
    ("decryption_shares", "every decryption share carries a valid proof"),
    ("threshold", "at least the threshold of distinct committee members decrypted"),
    ("counts", "combined shares and discrete logs reproduce the published counts"),
    ("seats", "seat allocation recomputes from the counts"),
)
CHECK_NAMES = tuple(name for name, _ in CHECKS)


@dataclass
class Check:
    """One named check; it fails as soon as one failure is recorded."""

    name: str
    title: str
    ran: bool = False
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0
    notes: list[str] = field(default_factory=list)
    skip_reason: str | None = None

    @property
    def ok(self) -> bool:
        """Passed: it ran and nothing failed."""
        return self.ran and self.failure_count == 0 and self.skip_reason is None

    def fail(self, message: str) -> None:
        """Record one culprit (the message names it: ballot seq, credential, member, group, option)."""
        self.ran = True
        self.failure_count += 1
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(message)

    def passed(self, note: str | None = None) -> None:
        """Mark the check as run; ``note`` adds a line to its detail (what was checked, how many)."""
        self.ran = True
        if note:
            self.notes.append(note)

    def skip(self, reason: str) -> None:
        """The check could not run because something it depends on failed."""
        if not self.ran:
            self.skip_reason = reason

    def detail(self) -> str:
        """One human line: what failed (first culprits) or what was checked."""
        if self.skip_reason is not None:
            return f"not checked: {self.skip_reason}"
        if not self.ran:
            return "not checked"
        if self.failure_count:
            head = "; ".join(self.failures[:5])
            more = self.failure_count - min(5, len(self.failures))
            return head + (f"; and {more} more" if more > 0 else "")
        return "; ".join(self.notes) if self.notes else "ok"

    def to_dict(self) -> dict[str, Any]:
        """The check in the report's JSON form."""
        out: dict[str, Any] = {"name": self.name, "ok": self.ok, "detail": self.detail()}
        if self.failures:
            out["failures"] = list(self.failures)
            if self.failure_count > len(self.failures):
                out["failures_not_listed"] = self.failure_count - len(self.failures)
        if self.skip_reason is not None:
            out["skipped"] = True
        return out


@dataclass
class Report:
    """The verifier's findings, with ``counts`` and ``seats`` as recomputed from the record."""

    checks: dict[str, Check] = field(default_factory=lambda: {n: Check(n, t) for n, t in CHECKS})
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seats: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Check:
        return self.checks[name]

    @property
    def valid(self) -> bool:
        """True only when every check ran and passed."""
        return all(c.ok for c in self.checks.values())

    def skip_rest(self, reason: str) -> None:
        """Mark every check that has not run as not checked, for ``reason``."""
        for check in self.checks.values():
            if not check.ran:
                check.skip(reason)

    def failed(self) -> list[str]:
        """Names of the checks that ran and failed (skipped ones excluded)."""
        return [c.name for c in self.checks.values() if c.failure_count]

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of ``stembus verify --json``."""
        return {
            "valid": self.valid,
            "checks": [c.to_dict() for c in self.checks.values()],
            "counts": self.counts,
            "seats": self.seats,
            "summary": self.summary,
        }

    def render(self) -> str:
        """A readable report for a person at a terminal."""
        lines = []
        for c in self.checks.values():
            mark = "ok  " if c.ok else ("SKIP" if c.skip_reason else "FAIL")
            lines.append(f"[{mark}] {c.title}")
            if c.failure_count:
                for msg in c.failures[:20]:
                    lines.append(f"         - {msg}")
                if c.failure_count > 20:
                    lines.append(f"         ... and {c.failure_count - 20} more")
            else:
                lines.append(f"         {c.detail()}")
        if self.counts:
            lines.append("")
            lines.append("Counts (recomputed):")
            for group, counts in self.counts.items():
                lines.append(f"  {group}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.seats:
            lines.append("Elected (recomputed):")
            for group, out in self.seats.items():
                elected = out.get("elected", []) if isinstance(out, dict) else []
                lines.append(f"  {group}: " + (", ".join(map(str, elected)) or "-"))
        lines.append("")
        lines.append("RESULT: the record is VALID" if self.valid else "RESULT: the record is NOT valid")
        return "\n".join(lines)
