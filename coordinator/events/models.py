"""The outbox: domain events written in the transaction that made them true."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base


class OutboxEvent(Base):
    """One domain event. `seq` orders inserts; `txid` lets readers follow commit order."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unrelayed", "seq", postgresql_where=text("relayed_at IS NULL")),
        Index("ix_outbox_unhandled", "relayed_at", postgresql_where=text("handled_at IS NULL")),
        Index("ix_outbox_feed", "txid", "seq"),
        Index("ix_outbox_type", "type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    # pg_current_xact_id() of the writing transaction, as bigint.
    txid: Mapped[int] = mapped_column(
        BigInteger, server_default=text("(pg_current_xact_id()::text)::bigint")
    )
    type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None]
    actor: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
