"""Extending the voting period while voting is open (for example after an outage).

The committee sets the voting period (WOR art. 9 lid 1 leaves the election's arrangement to the
committee's regulation). Voters were told when voting closes, so a later closing is allowed only
while voting is still open, is never earlier than the current closing, and is bounded; a second
committee member must confirm it before it takes effect (see ``procedure_store``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from election.procedure import Phase, StepRefused

# Our bound, not the law's: a week beyond the announced closing keeps the extension a repair of
# the announced period rather than a new one.
MAX_EXTENSION = timedelta(days=7)
BASIS = "WOR art. 9 lid 1; the committee's regulation sets the voting period"


def check_extension(
    phase: Phase, now: datetime, current_close: datetime, announced_close: datetime, new_close: datetime
) -> None:
    """Refuse (``StepRefused``) a new closing time that this election cannot take now."""
    if phase is not Phase.VOTING:
        raise StepRefused("voting is not open", basis=BASIS, code="extension_not_voting")
    if now >= current_close:
        raise StepRefused("voting has already closed", basis=BASIS, code="extension_closed")
    if new_close <= current_close:
        raise StepRefused(
            "the new closing time must be later than the current one", basis=BASIS, code="extension_not_later"
        )
    if new_close - announced_close > MAX_EXTENSION:
        raise StepRefused(
            "voting may be extended by at most seven days beyond the announced closing",
            basis=BASIS,
            code="extension_too_long",
        )


def closing_time(announced_close: datetime, extended_until: datetime | None) -> datetime:
    """When voting closes: the announced closing, or the confirmed later one."""
    if extended_until is None:
        return announced_close
    return max(announced_close, extended_until)
