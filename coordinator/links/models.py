"""Capability links: a secret token in a URL that lets its holder act on one subject."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.platform.db import Base, IdMixin, utcnow


class CapabilityLink(IdMixin, Base):
    """Only the SHA-256 of the token is stored. Everything an action needs comes from
    this row (purpose, subject, holder), never from ids beside the token in the URL."""

    __tablename__ = "capability_links"
    __table_args__ = (Index("ix_capability_links_subject", "subject_type", "subject_id"),)

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID]
    holder_type: Mapped[str | None] = mapped_column(String(40))
    holder_id: Mapped[uuid.UUID | None]
    actions: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LinkUse(Base):
    """Every answer given through a link: which link, what changed, from where."""

    __tablename__ = "link_uses"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    link_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("capability_links.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    old_state: Mapped[str | None] = mapped_column(String(40))
    new_state: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
