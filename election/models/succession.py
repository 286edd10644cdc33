"""Vacancies during the term and the succession decisions taken on them (WOR art. 12).

A ``Vacancy`` records that a seated member left: who (their candidate id in the stored result),
when, and why. Each ``SuccessionOffer`` is the committee's record of one candidate asked to fill it
and their answer. Candidates are named by their id in the frozen manifest (``c<candidacy id>``),
never by a register row, so the succession history outlives the deletion of the register.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from election.db import Base

LEAVE_REASONS = ("left_company", "resigned", "other")
ANSWERS = ("accepted", "declined", "not_eligible")


class Vacancy(Base):
    """A seat left open during the term, from the member's leaving until it is filled or left open."""

    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint("reason IN ('left_company','resigned','other')", name="reason_known"),
        CheckConstraint("status IN ('open','filled','unfilled')", name="status_known"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_with_time"),
        UniqueConstraint("election_id", "candidate_key", name="uq_vacancy_one_per_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    group_key: Mapped[str] = mapped_column(String(64))  # manifest group id
    candidate_key: Mapped[str] = mapped_column(String(64))  # who left: manifest candidate id
    left_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # by_election | leave_open
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    offers: Mapped[list[SuccessionOffer]] = relationship(
        back_populates="vacancy", order_by="SuccessionOffer.id", cascade="all, delete-orphan"
    )


class SuccessionOffer(Base):
    """One candidate asked to fill a vacancy, and their answer as the committee recorded it."""

    __tablename__ = "succession_offer"
    __table_args__ = (
        CheckConstraint("answer IN ('accepted','declined','not_eligible')", name="answer_known"),
        UniqueConstraint("vacancy_id", "candidate_key", name="uq_succession_offer_once_per_vacancy"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"), index=True)
    candidate_key: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(String(20))
    answered_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    vacancy: Mapped[Vacancy] = relationship(back_populates="offers")
