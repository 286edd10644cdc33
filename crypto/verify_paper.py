"""The verifier's checks of a hybrid election's paper totals, kept apart from the online counts.

Paper ballots are counted by hand, so no proof covers them; what a record can show is that they were
fixed in public before the result and that they are consistent:

* every ``paper_count`` entry on the board carries exactly the paper totals ``tally.json`` holds for its
  group, one entry per group that has paper totals, and its payload matches its hash (``board_payloads``);
* each group's paper totals fit the ballot (one number per option) and add up: in the list system the
  votes, blank and invalid ballots make up the ballots found; in the person system every ballot that
  is neither blank nor invalid carries 1..k votes; and there are no more paper ballots than voters of
  the group whose online code was disabled because they voted on paper (``counts``);
* the seat input is built from the online and paper votes added together (``crypto.verify_tally``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crypto import board as bd
from crypto import record as rc
from crypto.verify_report import Check

if TYPE_CHECKING:
    from crypto.verifier import BoardFindings


def paper_payload(group_id: str, paper: rc.PaperTotals) -> dict[str, Any]:
    """The payload of the ``paper_count`` entry that fixes one group's paper totals on the board."""
    return {"group": group_id, **paper.to_dict()}


def with_paper(grp: rc.Group, counts: dict[str, int], paper: rc.PaperTotals | None) -> tuple[dict[str, int], int]:
    """The votes per option of the online count plus the paper count, and the invalid (paper) ballots."""
    if paper is None:
        return counts, 0
    return {o: counts[o] + p for o, p in zip(grp.options, paper.counts, strict=True)}, paper.invalid


def _short(obj: Any) -> str:
    text = bd.canonical_json(obj).decode()
    return text if len(text) < 120 else text[:117] + "..."


def check_paper_entries(tally: rc.Tally, findings: BoardFindings, check: Check) -> int:
    """``paper_count`` entries against ``tally.json``'s paper totals; returns how many groups have them."""
    expected = {gt.group: paper_payload(gt.group, gt.paper) for gt in tally.groups if gt.paper is not None}
    seen: set[str] = set()
    for entry, line, payload in findings.posts.get(bd.PAPER_COUNT, []):
        where = f"paper_count entry seq {entry.seq} (line {line})"
        group = payload.get("group") if isinstance(payload, dict) else None
        if not isinstance(group, str) or group not in expected:
            check.fail(f"{where}: tally.json has no paper totals for group {group!r}")
        elif group in seen:
            check.fail(f"{where}: a second paper count for group {group}")
        elif payload != expected[group]:
            check.fail(f"{where}: payload {_short(payload)} should be {_short(expected[group])}")
        elif entry.payload_hash != bd.payload_hash(bd.PAPER_COUNT, payload):
            check.fail(f"{where}: payload does not match its hash")
        if isinstance(group, str):
            seen.add(group)
    for group in sorted(set(expected) - seen):
        check.fail(f"tally.json has paper totals for group {group}, but the board has no paper_count entry for it")
    return len(expected)


def check_paper_totals(manifest: rc.Manifest, tally: rc.Tally, findings: BoardFindings, check: Check) -> None:
    """Each group's paper totals fit its ballot, add up, and stay within the voters who voted on paper."""
    groups = 0
    for grp, gt in zip(manifest.groups, tally.groups, strict=True):
        paper = gt.paper
        if paper is None:
            continue
        groups += 1
        where = f"group {grp.id}, paper count"
        if len(paper.counts) != len(grp.options):
            check.fail(f"{where}: {len(paper.counts)} counts for {len(grp.options)} options")
            continue
        blank, votes = paper.counts[-1], sum(paper.counts[:-1])
        if grp.system == "list" and votes + blank + paper.invalid != paper.ballots:
            check.fail(
                f"{where}: {votes} votes, {blank} blank and {paper.invalid} invalid ballots "
                f"are not the {paper.ballots} ballots found"
            )
        marked = paper.ballots - blank - paper.invalid
        if grp.system == "person" and not (marked >= 0 and marked <= votes <= grp.max_choices * marked):
            check.fail(
                f"{where}: {votes} votes on {marked} ballots that are neither blank nor invalid "
                f"(each carries 1 to {grp.max_choices})"
            )
        disabled = findings.paper_marks.get(grp.id, 0)
        if paper.ballots > disabled:
            check.fail(
                f"{where}: {paper.ballots} paper ballots, but only {disabled} voter(s) of the group had "
                "their online code disabled because they voted on paper"
            )
    if groups and not check.failure_count:
        check.passed(f"paper totals of {groups} group(s) add up and stay within the voters who voted on paper")
