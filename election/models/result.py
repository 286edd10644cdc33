"""The announced result: when it was made known, the objection window it opened, and the objections.

``ResultAnnouncement`` is written once, by the step to RESULT_ANNOUNCED; it fixes the last day of the
objection window and, later, when the result became final. ``ResultObjection`` is one objection
against the result with the committee's decision and reasons.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class ResultAnnouncement(Base):
    """The moment the result was announced and the objection window it opened."""

    __tablename__ = "result_announcement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), unique=True)
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    announced_by: Mapped[str] = mapped_column(String(254))
    objection_days: Mapped[int] = mapped_column(Integer)
    objection_deadline: Mapped[date] = mapped_column(Date)  # last day on which an objection is taken
    final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    final_by: Mapped[str | None] = mapped_column(String(254), nullable=True)


class ResultObjection(Base):
    """An objection against the result, and the committee's decision with reasons."""

    __tablename__ = "result_objection"
    __table_args__ = (
        CheckConstraint("via IN ('link','committee')", name="via_known"),
        CheckConstraint("decision IS NULL OR decision IN ('upheld','rejected')", name="decision_known"),
        CheckConstraint(
            "(decision IS NULL AND decided_at IS NULL) OR (decision IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_with_time",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    objector_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_person.id", ondelete="SET NULL"), nullable=True
    )
    objector_name: Mapped[str] = mapped_column(String(300))
    via: Mapped[str] = mapped_column(String(10))  # the public page with a personal code, or entered by the committee
    received_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ResultMailing(Base):
    """One run that queues the result e-mails (letters, the announcement to staff and unions) in the background.

    A job row (:mod:`election.background_jobs`): ``done`` of ``total`` staff members handled so far,
    ``after_person_id`` the last one, so a run taken over after its process died resumes there.
    ``outcome`` is the JSON of what was queued and what must go by post.
    """

    __tablename__ = "result_mailing"
    __table_args__ = (CheckConstraint("status IN ('queued','running','done','failed')", name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    page_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact: Mapped[str | None] = mapped_column(String(254), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(20), default="queued")  # queued, letters, staff, done
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    after_person_id: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
