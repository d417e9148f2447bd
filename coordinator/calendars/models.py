"""Feed tokens: the secret in a calendar subscription URL, one per feed and subscriber."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, utcnow


class FeedToken(IdMixin, Base):
    """A team feed (team_id set; person_id is the subscribing member, re-checked on every
    fetch) or a personal feed (team_id null; person_id is whose feed it is). Only the
    SHA-256 of the token is stored; rotating replaces it, so the old URL stops at once."""

    __tablename__ = "feed_tokens"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
