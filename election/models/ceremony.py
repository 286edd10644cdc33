"""The committee's key ceremony: its trustees, the public messages they exchange, and the result.

The server only relays and checks. Every row here is public material of the distributed key
generation (``docs/protocol.md`` section 13); no secret share is ever stored, not even encrypted
for the server: encrypted shares are sealed to the receiving trustee's transport key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from election.db import Base

MESSAGE_KINDS = ("commit", "reveal", "deal", "complaints", "answer")


class KeyCeremony(Base):
    """One election's key ceremony: ``threshold`` of ``trustee_count`` trustees can decrypt."""

    __tablename__ = "key_ceremony"
    __table_args__ = (
        CheckConstraint("threshold >= 1 AND threshold <= trustee_count", name="threshold_within_trustees"),
        CheckConstraint("trustee_count >= 1 AND trustee_count <= 255", name="trustee_count_range"),
        CheckConstraint("status IN ('running','completed')", name="status_known"),
        CheckConstraint("(status = 'completed') = (transcript IS NOT NULL)", name="completed_has_transcript"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), unique=True)
    trustee_count: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    params_hash: Mapped[str] = mapped_column(String(128))  # H_P, lower-case hex
    status: Mapped[str] = mapped_column(String(12), default="running")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    joint_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transcript: Mapped[str | None] = mapped_column(Text, nullable=True)  # DkgTranscript.to_dict() as JSON

    trustees: Mapped[list[CeremonyTrustee]] = relationship(
        back_populates="ceremony", order_by="CeremonyTrustee.member_index", cascade="all, delete-orphan"
    )


class CeremonyTrustee(Base):
    """A committee member holding key share number ``member_index`` (1 .. n)."""

    __tablename__ = "ceremony_trustee"
    __table_args__ = (
        UniqueConstraint("ceremony_id", "member_index", name="one_trustee_per_index"),
        UniqueConstraint("ceremony_id", "committee_member_id", name="one_index_per_member"),
        CheckConstraint("member_index >= 1", name="member_index_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ceremony_id: Mapped[int] = mapped_column(ForeignKey("key_ceremony.id", ondelete="CASCADE"), index=True)
    member_index: Mapped[int] = mapped_column(Integer)
    committee_member_id: Mapped[int] = mapped_column(ForeignKey("committee_member.id"))

    ceremony: Mapped[KeyCeremony] = relationship(back_populates="trustees")


class CeremonyMessage(Base):
    """One public message a trustee uploaded; one per trustee and kind, never changed afterwards."""

    __tablename__ = "ceremony_message"
    __table_args__ = (
        UniqueConstraint("ceremony_id", "sender", "kind", name="one_message_per_kind"),
        CheckConstraint(
            "kind IN ('commit','reveal','deal','complaints','answer')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ceremony_id: Mapped[int] = mapped_column(ForeignKey("key_ceremony.id", ondelete="CASCADE"), index=True)
    sender: Mapped[int] = mapped_column(Integer)  # the trustee's member index
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the message
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
