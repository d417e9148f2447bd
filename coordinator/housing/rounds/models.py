"""Rounds (巡查): one walk of a block by its leader or a deputy, started and ended on the
phone, proven when the code posted at the block was scanned; and the overdue steps the
sweep has taken, each once per block, day, kind and gap."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow

# Who an overdue step tells: the block's leader, then the area's lead.
TO_LEADER = "leader"
TO_LEAD = "lead"


class Round(IdMixin, TimestampMixin, Base):
    """A round of a block by one person. Open while `ended_at` is null: at most one open
    round per block and person, by the database (a second start at the same moment is
    refused, not doubled)."""

    __tablename__ = "block_rounds"
    __table_args__ = (
        Index(
            "uq_block_rounds_open",
            "block_id",
            "person_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_block_rounds_block_started", "block_id", "started_at"),
        Index("ix_block_rounds_person_started", "person_id", "started_at"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ended_after_started"),
    )

    block_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The block's code was scanned at its start or its end.
    proven: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class RoundStep(IdMixin, Base):
    """An overdue reminder taken for a block on a day: `sequence` is the gap it is about
    (how many rounds of the block had ended that day when the gap began), so each gap
    reminds the leader once, and the area's lead once after a further gap."""

    __tablename__ = "round_steps"
    __table_args__ = (
        UniqueConstraint("block_id", "day", "kind", "sequence", name="uq_round_steps_step"),
    )

    block_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("blocks.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer)
    # When the block was last walked (or the day's window opened) and the step fell due.
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
