"""Committee accounts: the verkiezingscommissie, its secretary, auditors and the IT operator."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class Role(enum.StrEnum):
    """What an account may do. Only chair, member and secretary hold election powers."""

    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"  # ambtelijk secretaris
    AUDITOR = "auditor"  # read-only
    IT_OPERATOR = "it_operator"  # runs the instance, no election powers


ELECTION_POWERS = frozenset({Role.CHAIR, Role.MEMBER, Role.SECRETARY})
COMMITTEE_VOTERS = frozenset({Role.CHAIR, Role.MEMBER})  # may confirm a consequential step


class CommitteeMember(Base):
    """A person who signs in to the committee screens with a password and a TOTP code."""

    __tablename__ = "committee_member"
    __table_args__ = (
        CheckConstraint("role IN ('chair','member','secretary','auditor','it_operator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_sealed: Mapped[str] = mapped_column(String(300))
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(5), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def role_enum(self) -> Role:
        """The account's role as an enum member."""
        return Role(self.role)
