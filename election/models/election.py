"""An election: its set-up, electoral groups, invited unions and pending two-member steps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from election.db import Base


class Election(Base):
    """One works council election of one organisation, from set-up to archive."""

    __tablename__ = "election"
    __table_args__ = (
        CheckConstraint("headcount > 0", name="headcount_positive"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("electoral_system IN ('list','person')", name="system_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200))
    term_end: Mapped[date] = mapped_column(Date)
    voting_day: Mapped[date] = mapped_column(Date)
    voting_days: Mapped[int] = mapped_column(Integer, default=1)
    headcount: Mapped[int] = mapped_column(Integer)
    seats: Mapped[int] = mapped_column(Integer)
    employer_consent_seats: Mapped[bool] = mapped_column(Boolean, default=False)
    electoral_system: Mapped[str] = mapped_column(String(10), default="list")
    votes_per_voter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phase: Mapped[str] = mapped_column(String(40), default="draft")
    regulation: Mapped[str] = mapped_column(Text)  # JSON of the regulation profile
    regulation_version: Mapped[int] = mapped_column(Integer, default=1)
    regulation_frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Elections held together (the council and its onderdeelcommissies) share a link group: a person
    # stands on one list only across them (domain 2.4, sbi.nl case; 8 item 11).
    link_group: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    # A later closing of the vote, confirmed by two committee members while voting was open.
    voting_extended_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    groups: Mapped[list[ElectoralGroup]] = relationship(
        back_populates="election", order_by="ElectoralGroup.position", cascade="all, delete-orphan"
    )
    unions: Mapped[list[TradeUnion]] = relationship(
        back_populates="election", order_by="TradeUnion.name", cascade="all, delete-orphan"
    )


class ElectoralGroup(Base):
    """A kiesgroep (WOR art. 9 lid 3): its own lists, ballot and number of seats."""

    __tablename__ = "electoral_group"
    __table_args__ = (
        UniqueConstraint("election_id", "name"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("earmarked_seats >= 0 AND earmarked_seats <= seats", name="earmarked_within_seats"),
        CheckConstraint(
            "earmark_unit_field IS NULL OR earmark_unit_field IN ('department','location')", name="earmark_unit_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    seats: Mapped[int] = mapped_column(Integer)
    earmarked_seats: Mapped[int] = mapped_column(Integer, default=0)
    # Earmarked seats (domain 4.3) are reserved for the candidates whose register entry has this
    # value in this column (``department`` or ``location`` of RegisterPerson).
    earmark_unit_field: Mapped[str | None] = mapped_column(String(20), nullable=True)
    earmark_unit_value: Mapped[str | None] = mapped_column(String(200), nullable=True)

    election: Mapped[Election] = relationship(back_populates="groups")


class TradeUnion(Base):
    """A union with members in the company: it must be invited to submit lists (WOR art. 9 lid 2 sub a)."""

    __tablename__ = "trade_union"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    postal_address: Mapped[str | None] = mapped_column(Text, nullable=True)

    election: Mapped[Election] = relationship(back_populates="unions")


class PendingAction(Base):
    """A consequential step proposed by one committee member, waiting for a second to confirm it."""

    __tablename__ = "pending_action"
    __table_args__ = (
        CheckConstraint("status IN ('pending','confirmed','withdrawn')", name="status_known"),
        CheckConstraint("confirmed_by IS NULL OR confirmed_by <> proposed_by", name="two_distinct_members"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("committee_member.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
