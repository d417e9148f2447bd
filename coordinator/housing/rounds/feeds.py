"""What the rounds contribute to calendar feeds: a personal feed holds the person's own
rounds (see coordinator.calendars.models for what a source is), each an event from its
start to its end (a round under way: its first half hour, marked so), titled with the
block; its description says which area, and whether the block's code was scanned.
Nothing of the residents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.calendars.ical import FeedItem
from coordinator.calendars.models import Context, Source, Window, row_hash, set_fingerprint

UNDER_WAY = timedelta(minutes=30)
SHORTEST = timedelta(minutes=1)
# SEQUENCE counts seconds of changes since this moment (it only grows, as RFC 5545 asks).
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

ROUND_JOINS = """block_rounds r
    JOIN blocks k ON k.id = r.block_id
    JOIN areas a ON a.id = k.area_id"""

ROUND_WHERE = """t.team_id IS NULL AND r.person_id = t.person_id
      AND r.started_at < :until
      AND coalesce(r.ended_at, r.started_at + interval '30 minutes') > :since"""

ROUND_FINGERPRINT = set_fingerprint(
    row_hash("r.id:uuid", "r.updated_at:ts", "k.updated_at:ts", "a.updated_at:ts"),
    ROUND_JOINS,
    ROUND_WHERE,
)

ROUND_LOAD = text(f"""
    SELECT r.id, r.started_at, r.ended_at, r.proven, k.name AS block, a.name AS area,
           greatest(r.updated_at, k.updated_at, a.updated_at) AS changed
    FROM feed_tokens t, {ROUND_JOINS}
    WHERE t.id = :feed_id AND {ROUND_WHERE}
""")


def round_item(row: Any, context: Context) -> FeedItem:
    """A round of a block: when, which block of which area, proven or not."""
    lines = [f"居民区：{row.area}", f"块：{row.block}"]
    lines.append("已扫码确认到场" if row.proven else "未扫码")
    prefix = "" if row.ended_at else "[进行中] "
    return FeedItem(
        uid=f"round-{row.id}@{context.host}",
        sequence=max(0, int((row.changed - SEQUENCE_EPOCH).total_seconds())),
        starts_at=row.started_at,
        ends_at=max(row.ended_at, row.started_at + SHORTEST)
        if row.ended_at
        else row.started_at + UNDER_WAY,
        status="confirmed",
        summary=f"{prefix}巡查 {row.block}",
        location=f"{row.area} {row.block}",
        description="\n".join(lines),
        url=None,
        last_modified=row.changed,
    )


async def load_rounds(
    session: AsyncSession, feed_id: uuid.UUID, window: Window, context: Context
) -> list[FeedItem]:
    rows = await session.execute(ROUND_LOAD, {"feed_id": feed_id, **window.params()})
    return [round_item(row, context) for row in rows]


ROUNDS = Source("rounds", ROUND_FINGERPRINT, load_rounds)
