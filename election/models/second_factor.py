"""The one-time codes of the voters' optional second factor (domain 2.6: a stolen letter alone cannot vote)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class VoterSecondFactor(Base):
    """The current one-time code sent to the e-mail address of a credential's holder, as a keyed hash."""

    __tablename__ = "voter_second_factor"
    __table_args__ = (UniqueConstraint("election_id", "credential", name="one_code_per_credential"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str] = mapped_column(String(64))  # the public credential, lower-case hex
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 under the instance key, hex
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
