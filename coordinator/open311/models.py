"""Open311's own tables: the API keys of its clients, what a client sent with a request
that a case has no column for, and every case rendered as GeoReport's request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy import (
    Text as SqlText,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.cases.models import Case
from coordinator.platform.db import Base, IdMixin, TimestampMixin, utcnow
from coordinator.platform.i18n import Text

KEY = Text("Open311 密钥", "Open311 key")


class Open311Key(IdMixin, TimestampMixin, Base):
    """An `api_key` a client posts requests with: it files public requests and nothing
    else (it opens nothing under /api/v1). Stored only as its SHA-256."""

    __tablename__ = "open311_keys"

    # Who holds it (an app, a kiosk, a partner's system).
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))


class Open311Request(Base):
    """The Open311 side of a case filed through it: which key filed it, and the
    client's own fields (its account, its device, the media it pointed to, the answers to
    the service's attributes)."""

    __tablename__ = "open311_requests"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("open311_keys.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[str | None] = mapped_column(String(100))
    device_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(2000))
    # [{"code": …, "value": …}], one entry per value (a multivaluelist repeats its code).
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )


# Cases newest first (the case list's default order, GET /api/v1/cases): a backward scan of
# this index stops after one page (migration 0015; GeoReport's pages read open311_items).
CASES_BY_REQUESTED = Index("ix_cases_created", Case.created_at, Case.id)


class Open311Item(Base):
    """A case as GeoReport's request, in the JSON text clients receive (items.py renders
    it; the triggers of migration 0023 keep it to the case, its category, department,
    building and Open311 request): in Chinese and English, and the extended attributes
    apart. The columns a page of requests is chosen by are beside it."""

    __tablename__ = "open311_items"
    __table_args__ = (
        Index(
            "ix_open311_items_requested",
            text("created_at DESC"),
            text("case_id DESC"),
            postgresql_where=text("public"),
        ),
        Index(
            "ix_open311_items_open",
            text("created_at DESC"),
            text("case_id DESC"),
            postgresql_where=text("public AND open"),
        ),
        Index(
            "ix_open311_items_code",
            "code",
            text("created_at DESC"),
            text("case_id DESC"),
            postgresql_where=text("public"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    public: Mapped[bool] = mapped_column(Boolean)
    open: Mapped[bool] = mapped_column(Boolean)
    code: Mapped[str] = mapped_column(String(50))
    zh: Mapped[str] = mapped_column(SqlText)
    en: Mapped[str] = mapped_column(SqlText)
    ext_zh: Mapped[str] = mapped_column(SqlText)
    ext_en: Mapped[str] = mapped_column(SqlText)
