"""Counters for rate limits that must hold across every worker and host (kept in the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base


class ThrottleCounter(Base):
    """Failures counted for one key (for example a hashed IP address) in the current window."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer, default=0)
