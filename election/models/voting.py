"""Voting: the frozen election identity, the public voting credentials and the bulletin board.

Domain 8 item 16 (ballot secrecy): no table that holds a ballot holds anything that names a voter.
The board and the credential list know only public credentials ``X``. The committee's link from a
register person to the credential issued to them lives in :class:`CredentialHolder` alone; it
serves "has voted" and reminders and is never published.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base

BOARD_TYPES = (
    "setup",
    "ballot",
    "challenged",
    "close",
    "tally",
    "share",
    "result",
    "credential_disabled",
    "credential_revoked",
    "credential_added",
    "paper_count",
)
# Entries that use a credential up (``crypto.board.RETIRING_TYPES``, and ballots) carry it in
# ``counted_credential``, so one unique constraint lets each credential be used only once.
RETIRING_BOARD_TYPES = ("credential_disabled", "credential_revoked")
_TYPE_LIST = ",".join(f"'{t}'" for t in BOARD_TYPES)
_RETIRING_LIST = ",".join(f"'{t}'" for t in RETIRING_BOARD_TYPES)


class ElectionIdentity(Base):
    """What the election *is*, frozen: the manifest and its hash ``H_P``, later ``H_E`` and the keys.

    The manifest (organisation, groups, lists, candidates, seats, rules) is frozen when the first
    voting codes are issued, because every credential is derived from ``H_P``. The keys and the
    credential lists are frozen into ``H_E`` when voting opens; from then on nothing here changes.
    """

    __tablename__ = "election_identity"
    __table_args__ = (
        CheckConstraint("(opened_at IS NULL) = (election_hash IS NULL)", name="opened_with_hash"),
        CheckConstraint("credential_mode IN ('server','offline')", name="credential_mode_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), unique=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    manifest: Mapped[str] = mapped_column(Text)  # canonical JSON of manifest.json
    manifest_hash: Mapped[str] = mapped_column(String(64))  # H_P, hex
    credential_mode: Mapped[str] = mapped_column(String(10), default="server")
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    keys: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON of keys.json
    joint_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    election_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)  # H_E, hex
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class VotingCredential(Base):
    """One public voting credential ``X`` of an electoral group (the code itself is never stored)."""

    __tablename__ = "voting_credential"
    __table_args__ = (UniqueConstraint("election_id", "credential", name="one_row_per_credential"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    electoral_group_id: Mapped[int] = mapped_column(ForeignKey("electoral_group.id", ondelete="CASCADE"))
    credential: Mapped[str] = mapped_column(String(64))  # X, lower-case hex
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CredentialHolder(Base):
    """The committee's private link: which register person received which credential.

    Used for turnout per person ("has voted"), reminders and replacing a lost code; never joined
    to a ballot's content and never published.
    """

    __tablename__ = "credential_holder"
    __table_args__ = (UniqueConstraint("credential_id", name="one_holder_per_credential"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("voting_credential.id", ondelete="CASCADE"))


class BoardEntry(Base):
    """One entry of the public, hash-chained bulletin board, with its payload (insert-only).

    ``counted_credential`` is set on every ``ballot`` entry and on the entries that retire a credential
    (its holder voted on paper, its code was revoked); its unique constraint is what makes a second
    ballot, or a ballot after the retirement, under one credential impossible, whatever two workers
    do at the same moment.
    """

    __tablename__ = "board_entry"
    __table_args__ = (
        UniqueConstraint("election_id", "seq", name="one_entry_per_seq"),
        UniqueConstraint("election_id", "counted_credential", name="one_ballot_per_credential"),
        CheckConstraint(f"type IN ({_TYPE_LIST})", name="type_known"),
        CheckConstraint(
            f"(type = 'ballot' AND counted_credential IS NOT NULL) OR (type <> 'ballot' AND "
            f"(counted_credential IS NULL OR type IN ({_RETIRING_LIST})))",
            name="ballot_has_credential",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="RESTRICT"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(24))
    payload_hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    group_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # manifest group id
    tracking_code: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)
    counted_credential: Mapped[str | None] = mapped_column(String(64), nullable=True)
