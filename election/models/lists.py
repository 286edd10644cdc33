"""Candidate lists (kandidatenlijsten): union and free lists, their candidates, supporters and decisions.

Union membership is never stored (GDPR art. 9; domain 3.3). A free list records only the positive
declaration that a supporter is *not* a member of a union that submitted a list, because that is
what WOR art. 9 lid 2 sub b asks of whoever submits or supports it.
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from election.db import Base


class CandidateList(Base):
    """One list for one electoral group, from submission through checks and repair to publication."""

    __tablename__ = "candidate_list"
    __table_args__ = (
        CheckConstraint("kind IN ('union','free')", name="kind_known"),
        CheckConstraint("status IN ('submitted','defective','valid','invalid')", name="status_known"),
        CheckConstraint("via IN ('link','paper')", name="via_known"),
        CheckConstraint("(kind = 'union') = (union_id IS NOT NULL)", name="union_lists_name_their_union"),
        # Bad input: a second submission by the same union for the same group is refused.
        UniqueConstraint("electoral_group_id", "union_id", name="uq_candidate_list_one_per_union_and_group"),
        UniqueConstraint("election_id", "number", name="uq_candidate_list_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    electoral_group_id: Mapped[int] = mapped_column(ForeignKey("electoral_group.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    union_id: Mapped[int | None] = mapped_column(ForeignKey("trade_union.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    via: Mapped[str] = mapped_column(String(10), default="link")
    received_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    declaration: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the union's art. 9 lid 2 sub a answers
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    candidates: Mapped[list[Candidacy]] = relationship(
        back_populates="list", order_by="Candidacy.position", cascade="all, delete-orphan"
    )
    supporters: Mapped[list[ListSupporter]] = relationship(
        back_populates="list", order_by="ListSupporter.id", cascade="all, delete-orphan"
    )


class Candidacy(Base):
    """One person on one list at one position; struck candidates keep their row and reason."""

    __tablename__ = "candidacy"
    __table_args__ = (
        CheckConstraint("status IN ('active','struck')", name="status_known"),
        CheckConstraint("consent_via IS NULL OR consent_via IN ('link','form')", name="consent_via_known"),
        CheckConstraint("position > 0", name="position_positive"),
        UniqueConstraint("list_id", "person_id", name="uq_candidacy_once_per_list"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="active")
    struck_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    consent_via: Mapped[str | None] = mapped_column(String(10), nullable=True)
    consent_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    profile_nl: Mapped[str] = mapped_column(Text, default="")
    profile_en: Mapped[str] = mapped_column(Text, default="")

    list: Mapped[CandidateList] = relationship(back_populates="candidates")


class ListSupporter(Base):
    """Who submitted a free list, and co-submitters who confirm through their own link."""

    __tablename__ = "list_supporter"
    __table_args__ = (
        CheckConstraint("role IN ('submitter','co_submitter')", name="role_known"),
        UniqueConstraint("list_id", "person_id", name="uq_list_supporter_once_per_list"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(15))
    # WOR art. 9 lid 2 sub b: the declaration of NOT being a member of a list-submitting union.
    declares_non_member: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    list: Mapped[CandidateList] = relationship(back_populates="supporters")


class ListToken(Base):
    """A personal link for a union, a candidate's consent or a co-submitter; only the hash is kept."""

    __tablename__ = "list_token"
    __table_args__ = (CheckConstraint("purpose IN ('union','consent','support')", name="purpose_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    union_id: Mapped[int | None] = mapped_column(ForeignKey("trade_union.id", ondelete="CASCADE"), nullable=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacy.id", ondelete="CASCADE"), nullable=True)
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("list_supporter.id", ondelete="CASCADE"), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListFile(Base):
    """A stored file: the scan of a paper list, a signed consent form, or a candidate's photo."""

    __tablename__ = "list_file"
    __table_args__ = (CheckConstraint("kind IN ('paper_list','consent_form','photo')", name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id", ondelete="CASCADE"), index=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacy.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(15))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListDecision(Base):
    """A decision on a list or candidate, with its rule code and reasons. Insert-only (triggers)."""

    __tablename__ = "list_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("candidate_list.id", ondelete="CASCADE"), nullable=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacy.id", ondelete="CASCADE"), nullable=True)
    electoral_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("electoral_group.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reasons: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(254))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListObjection(Base):
    """An objection against a published list or candidate, and the committee's decision with reasons."""

    __tablename__ = "list_objection"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('upheld','rejected')", name="decision_known"),
        CheckConstraint(
            "(decision IS NULL AND decided_at IS NULL) OR (decision IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_with_time",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("candidate_list.id", ondelete="CASCADE"))
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacy.id", ondelete="CASCADE"), nullable=True)
    objector_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_person.id", ondelete="SET NULL"), nullable=True
    )
    objector_name: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    paper: Mapped[ListObjectionPaper | None] = relationship(
        back_populates="objection", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )


class ListObjectionPaper(Base):
    """How an objection received on paper reached the committee: the day it arrived, who entered it, its scan."""

    __tablename__ = "list_objection_paper"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("list_objection.id", ondelete="CASCADE"), unique=True)
    received_on: Mapped[date] = mapped_column(Date)
    entered_by: Mapped[int] = mapped_column(ForeignKey("committee_member.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scan_content_type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    scan_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scan_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scan: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)

    objection: Mapped[ListObjection] = relationship(back_populates="paper")
