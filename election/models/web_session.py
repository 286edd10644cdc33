"""Server-side sessions: the cookie holds only a random id; the server can revoke any session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class WebSession(Base):
    """A browser session. Only a hash of the cookie value is stored, so a database leak is no login."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("committee_member.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
