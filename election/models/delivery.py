"""How voting codes travel to voters: one row per e-mail or printed letter that carries a code.

No row here, nor anywhere else in the database, holds a code. A delivery records that a code is
to be, or was, minted for one register person and by which channel; the e-mail's outbox row
holds the message with a marker where the code goes, and the code itself exists only in the
e-mail handed to the mail system or the letter streamed to the committee.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from election.db import Base

CHANNELS = ("mail", "letter")


class CodeDelivery(Base):
    """One code on its way to one voter, by e-mail (through an outbox row) or on a printed letter.

    The newest delivery of a person wins: minting one replaces the person's public credential, so
    the code of every earlier delivery stops working, and a mail that is still queued when a
    later delivery exists is never sent.
    """

    __tablename__ = "code_delivery"
    __table_args__ = (
        CheckConstraint("channel IN ('mail','letter')", name="channel_known"),
        CheckConstraint("(channel = 'mail') = (outbox_message_id IS NOT NULL)", name="mail_has_message"),
        CheckConstraint("mints >= 0", name="mints_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("register_person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    requested_by: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the last code was minted for this delivery, and how often (a retried e-mail mints again).
    minted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    mints: Mapped[int] = mapped_column(Integer, default=0)
