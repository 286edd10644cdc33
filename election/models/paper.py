"""Hybrid voting: voters marked as having voted on paper, and the paper ballots counted by hand.

``PaperVote`` is the committee's private "has voted on paper" mark: it names a register person and
the credential it took out of use, and is never published (the board shows only the public
credential in its ``credential_disabled`` entry). ``PaperCount`` holds one electoral group's hand
count, entered by one committee member and confirmed by a different one before it counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class PaperVote(Base):
    """A voter the committee marked as having voted on paper, and the board entry that disabled their code."""

    __tablename__ = "paper_vote"
    __table_args__ = (
        UniqueConstraint("election_id", "person_id", name="one_paper_vote_per_person"),
        UniqueConstraint("credential_id", name="one_paper_vote_per_credential"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"))
    credential_id: Mapped[int] = mapped_column(ForeignKey("voting_credential.id", ondelete="CASCADE"))
    board_seq: Mapped[int] = mapped_column(Integer)  # the credential_disabled entry
    marked_by: Mapped[str] = mapped_column(String(254))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaperCount(Base):
    """One electoral group's paper ballots as counted by hand; it counts once a second member confirmed it."""

    __tablename__ = "paper_count"
    __table_args__ = (
        UniqueConstraint("election_id", "group_key", name="one_paper_count_per_group"),
        CheckConstraint("ballots >= 0 AND invalid >= 0", name="not_negative"),
        CheckConstraint("confirmed_by IS NULL OR confirmed_by <> entered_by", name="two_distinct_members"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), index=True)
    group_key: Mapped[str] = mapped_column(String(64))  # manifest group id
    ballots: Mapped[int] = mapped_column(Integer)  # paper ballots found for the group
    counts: Mapped[str] = mapped_column(Text)  # canonical JSON: votes per option, candidates then blank
    invalid: Mapped[int] = mapped_column(Integer)
    entered_by: Mapped[int] = mapped_column(ForeignKey("committee_member.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    board_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the paper_count entry
