"""The stored electoral register (kiesregister), its import batches and the objections against it.

The register holds one row per person of one election with the rights decided on the voting day.
Only a SHA-256 hash of each person's self-check token is kept, never the token. Union membership
is never stored (GDPR art. 9; domain notes 3.3).
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class RegisterPerson(Base):
    """One person in an election's register, with the voting rights on the voting day.

    ``reasons`` holds the eligibility reason codes of :mod:`election.eligibility`, space-separated.
    """

    __tablename__ = "register_person"
    __table_args__ = (
        UniqueConstraint("election_id", "employee_number"),
        CheckConstraint(
            "employment_kind IN ('employee','agency_worker','intern','freelancer','other')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    employee_number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(254), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    employment_kind: Mapped[str] = mapped_column(String(20), default="employee")
    agency_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    bestuurder: Mapped[bool] = mapped_column(Boolean, default=False)
    electoral_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("electoral_group.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean)
    passive: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(String(400), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    token_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The eligibility reason codes as a tuple."""
        return tuple(self.reasons.split())


class RegisterImport(Base):
    """One upload of an HR export, from upload through column mapping and checks to apply or cancel.

    The uploaded file is kept in ``file_data`` only while the batch is open and is erased when the
    batch is applied or cancelled.
    """

    __tablename__ = "register_import"
    __table_args__ = (
        CheckConstraint("status IN ('uploaded','mapped','checked','applied','cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_kind: Mapped[str] = mapped_column(String(10))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("committee_member.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    column_map: Mapped[str] = mapped_column(Text, default="{}")  # JSON: our field -> file column
    group_rule: Mapped[str] = mapped_column(Text, default="{}")  # JSON: how electoral groups are assigned
    skip_rows: Mapped[str] = mapped_column(Text, default="[]")  # JSON: rows with errors the committee skips
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts when applied
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    finished_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RegisterObjection(Base):
    """An employee's objection against their own register entry, and the committee's decision."""

    __tablename__ = "register_objection"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('upheld','rejected')", name="decision_known"),
        CheckConstraint(
            "(decision IS NULL AND decided_at IS NULL) OR (decision IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_with_time",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_person.id", ondelete="SET NULL"), nullable=True, index=True
    )
    employee_number: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
