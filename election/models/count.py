"""The count: the fixed tally of a closed vote, the trustees' decryption shares and the result.

``ElectionCount`` holds what the committee needs after closing: the board head at closing, the
aggregated ciphertexts per electoral group (``tally.json``'s shape without shares and counts),
the public lot seed, and once decrypted the counts and the seat allocation. ``RunningTally`` is
the same sum per group kept up to date by every cast while voting runs. ``DecryptionShareSet``
is one trustee's verified shares for every group; a second set by the same trustee is refused by
the unique constraint as well as by the code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class ElectionCount(Base):
    """The tally of one election, from closing to the result."""

    __tablename__ = "election_count"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), unique=True)
    board_head: Mapped[str] = mapped_column(String(64))  # head after the close entry, hex
    aggregates: Mapped[str] = mapped_column(Text)  # canonical JSON: [{"id", "ballots", "aggregate"}]
    tallied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lot_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # what the committee fixed in public
    lot_seed: Mapped[str | None] = mapped_column(String(64), nullable=True)  # hex, derived from lot_text
    lot_fixed_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    lot_fixed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    counts: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON: {group id: [counts]}
    seats: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON: seats.json
    result_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DecryptionShareSet(Base):
    """One trustee's decryption shares for every group's aggregate, each proof verified on receipt."""

    __tablename__ = "decryption_share_set"
    __table_args__ = (UniqueConstraint("election_id", "member_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), index=True)
    member_index: Mapped[int] = mapped_column(Integer)  # j in the key ceremony
    committee_member_id: Mapped[int] = mapped_column(ForeignKey("committee_member.id", ondelete="RESTRICT"))
    shares: Mapped[str] = mapped_column(Text)  # canonical JSON: {group id: [share, ...]}
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunningTally(Base):
    """One electoral group's counted ballots and summed ciphertexts, kept up to date by every cast.

    Written only in the cast's transaction while the board's head is held, so it always equals the
    sum over the ballots on the board; anyone can re-derive it from the board, and ``stembus check``
    does.
    """

    __tablename__ = "running_tally"
    __table_args__ = (UniqueConstraint("election_id", "group_key", name="one_running_tally_per_group"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), index=True)
    group_key: Mapped[str] = mapped_column(String(64))  # manifest group id
    ballots: Mapped[int] = mapped_column(Integer)
    aggregate: Mapped[str] = mapped_column(Text)  # canonical JSON: [{"alpha", "beta"}, ...] per option
