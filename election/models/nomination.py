"""The nomination pre-round (nominatieactie): its settings, personal links, nominations and summary.

A nomination has no legal effect: it is never a candidacy and never a condition for one (domain 7;
rendement 2015: no requirements on candidacy). The tables are shaped so that no committee screen,
export or log can tell who nominated whom:

* ``nomination_participant`` knows the person (personal link, opaque handle, opt-out), but not
  what they nominated;
* ``nomination_set`` holds one person's nominations under ``nominator_key``, a keyed hash (HMAC)
  of the participant with the round's random secret. It has no column that points to a person,
  and no timestamps that could be matched against anything else;
* ``nomination`` rows point from a set to a nominee, with the optional motivation;
* ``nomination_interest`` records "I have the OR factor myself", separate from the sets.

When candidacy closes every one of these rows is deleted and the round's secret erased; only
``nomination_summary`` (counts, no names) stays with the election.
"""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class NominationRound(Base):
    """The committee's settings of one election's nomination round (at most one per election)."""

    __tablename__ = "nomination_round"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint("max_per_person BETWEEN 1 AND 10", name="max_per_person_range"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("scope IN ('organisation','group')", name="scope_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), unique=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    max_per_person: Mapped[int] = mapped_column(Integer, default=3)
    self_nomination: Mapped[bool] = mapped_column(Boolean, default=True)
    scope: Mapped[str] = mapped_column(String(20), default="organisation")
    threshold: Mapped[int] = mapped_column(Integer, default=3)
    invitation_nl: Mapped[str] = mapped_column(Text, default="")
    invitation_en: Mapped[str] = mapped_column(Text, default="")
    secret: Mapped[str | None] = mapped_column(String(64), nullable=True)  # erased by the purge
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NominationParticipant(Base):
    """One person of the register in the round: their personal link, handle and messages received.

    ``handle`` is the opaque id that the colleague search returns instead of any register id.
    """

    __tablename__ = "nomination_participant"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nomination_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"))
    handle: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    optout_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class NominationSet(Base):
    """One person's nominations, known only by a keyed hash: one set per person (unique key)."""

    __tablename__ = "nomination_set"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nomination_round.id", ondelete="CASCADE"), index=True)
    nominator_key: Mapped[str] = mapped_column(String(64), unique=True)


class Nomination(Base):
    """One colleague nominated in one set, with an optional sentence of motivation."""

    __tablename__ = "nomination"
    __table_args__ = (UniqueConstraint("set_id", "nominee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("nomination_set.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nomination_participant.id", ondelete="CASCADE"), index=True)
    motivation: Mapped[str] = mapped_column(String(300), default="")


class NominationInterest(Base):
    """A person's own statement "I have the OR factor myself", kept apart from any nominations."""

    __tablename__ = "nomination_interest"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("nomination_participant.id", ondelete="CASCADE"), primary_key=True
    )


class NominationSummary(Base):
    """The frozen numbers of a purged round: what stays in the record of the election, no names."""

    __tablename__ = "nomination_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nomination_round.id", ondelete="CASCADE"), unique=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    participants: Mapped[int] = mapped_column(Integer)
    nominators: Mapped[int] = mapped_column(Integer)
    nominations: Mapped[int] = mapped_column(Integer)
    nominees: Mapped[int] = mapped_column(Integer)
    nominees_at_threshold: Mapped[int] = mapped_column(Integer)
    self_nominations: Mapped[int] = mapped_column(Integer)
    invitations_sent: Mapped[int] = mapped_column(Integer)
    declined: Mapped[int] = mapped_column(Integer)
    per_group: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"group": name, "nominations": n}]
