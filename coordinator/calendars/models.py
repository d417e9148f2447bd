"""Feed tokens (the secret in a calendar subscription URL, one per feed and subscriber),
and what a feed source is: the features' parts of a feed (their `feeds.py`).

Every source's SQL refers to the feed token row as `t` (team_id, person_id) and takes
:since, :until (the window) and :grace (cancelled items changed after it stay). The
fingerprint and the loading share one WHERE clause, so they always agree on the set.

A fingerprint is the count of the feed's rows and the sum of a 64-bit hash of each row's
ids and `updated_at` (and those of the rows it names): no text is formatted and nothing
sorted, so a poll that finds nothing new costs PostgreSQL little. A row changing,
leaving or entering the set changes the sum (up to a 2^-64 chance).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.calendars.ical import FeedItem
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


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    grace: datetime

    def params(self) -> dict[str, datetime]:
        return {"since": self.since, "until": self.until, "grace": self.grace}


@dataclass(frozen=True)
class Context:
    """What adapters need besides rows: where links point and the UID domain."""

    base_url: str
    host: str
    team_feed: bool
    person_id: uuid.UUID


Loader = Callable[[AsyncSession, uuid.UUID, Window, Context], Awaitable[list[FeedItem]]]


@dataclass(frozen=True)
class Source:
    name: str
    fingerprint: str  # a correlated scalar subquery: md5 text of the rows in the feed
    load: Loader


NIL = "00000000-0000-0000-0000-000000000000"
EPOCH = "epoch"


def row_hash(*parts: str) -> str:
    """SQL for one 64-bit hash of (uuid or timestamptz, SQL type) pairs, never NULL."""
    sql = "0"
    for part in reversed(parts):
        column, _, kind = part.partition(":")
        if kind == "uuid":
            sql = f"uuid_hash_extended(coalesce({column}, '{NIL}'::uuid), {sql})"
        else:
            sql = f"timestamptz_hash_extended(coalesce({column}, '{EPOCH}'), {sql})"
    return sql


def set_fingerprint(row: str, joins: str, where: str) -> str:
    """A correlated scalar subquery: the rows' count and the sum of their hashes."""
    return f"""(
    SELECT count(*)::text || '.' || coalesce(sum({row}), 0)::text
    FROM {joins}
    WHERE {where})"""


_NAMED = re.compile(r"\b(?:FROM|JOIN)\s+(?!LATERAL\b)([a-z_][a-z0-9_]*)", re.IGNORECASE)


def tables_read(sql: str) -> frozenset[str]:
    """The tables a statement of ours names after FROM or JOIN (subqueries included)."""
    return frozenset(name.lower() for name in _NAMED.findall(sql))
