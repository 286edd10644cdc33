"""The published election record, the auditor's server-side checks of it, and the retention events.

``PublishedRecord`` freezes the record .zip of a counted election: its bytes are stored once (in
``PublishedRecordChunk`` pieces, so no single database value grows with the board) and its SHA-256
never changes afterwards. ``published_at`` says when the committee made it public.

``RecordCheck`` is one run of the verifier's checks on the server, a job row that whichever web
process is alive claims and runs (see :mod:`election.record_checks`).

``RetentionEvent`` is insert-only: one row per election and kind (``personal_data``, ``record``)
when the retention run deleted that data. The bulletin board refuses DELETE unless its election
has a ``record`` event, so ballots can only go as a recorded destruction after the retention period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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

CHECK_STATUSES = ("queued", "running", "done", "failed")
RETENTION_KINDS = ("personal_data", "record")


class PublishedRecord(Base):
    """The frozen record of one election: hash, size, a readable overview, publication and destruction."""

    __tablename__ = "published_record"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    board_entries: Mapped[int] = mapped_column(Integer)
    overview: Mapped[str] = mapped_column(Text)  # JSON, see election.record_publication.RecordOverview
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PublishedRecordChunk(Base):
    """One consecutive piece of a frozen record's bytes."""

    __tablename__ = "published_record_chunk"
    __table_args__ = (UniqueConstraint("record_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("published_record.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RecordCheck(Base):
    """One server-side run of the verifier's checks on a frozen record, with its progress and report."""

    __tablename__ = "record_check"
    __table_args__ = (CheckConstraint("status IN ('queued','running','done','failed')", name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    record_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    report: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of ``stembus verify --json``
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RetentionEvent(Base):
    """Personal data or the record of one election was deleted by the retention run (insert-only)."""

    __tablename__ = "retention_event"
    __table_args__ = (
        CheckConstraint("kind IN ('personal_data','record')", name="kind_known"),
        UniqueConstraint("election_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(254))
    summary: Mapped[str] = mapped_column(Text)  # JSON: what was deleted, counts only
