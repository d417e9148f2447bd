"""What visits contribute to calendar feeds: which visits a feed holds, their fingerprint,
and each visit as a FeedItem (see coordinator.calendars.models for what a source is)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.calendars.ical import FeedItem, Status
from coordinator.calendars.models import Context, Source, Window, row_hash, set_fingerprint
from coordinator.labels import floor

# Visits: a team feed holds the visits of the team's liaisons, that is of its members now
# (a visit reassigned to someone outside the team leaves it, whatever team it was filed
# under when proposed); a personal feed, the person's own.

VISIT_JOINS = """visits v
    JOIN companies c ON c.id = v.company_id
    LEFT JOIN buildings b ON b.id = c.building_id
    JOIN people l ON l.id = v.liaison_id"""

VISIT_WHERE = """(CASE WHEN t.team_id IS NULL THEN v.liaison_id = t.person_id
          ELSE v.liaison_id IN
               (SELECT m.person_id FROM team_members m WHERE m.team_id = t.team_id) END)
      AND v.starts_at < :until AND v.ends_at > :since
      AND (v.status NOT IN ('cancelled', 'declined') OR v.updated_at >= :grace)"""

VISIT_FINGERPRINT = set_fingerprint(
    row_hash(
        "v.id:uuid", "v.updated_at:ts", "c.updated_at:ts", "b.updated_at:ts", "l.updated_at:ts"
    ),
    VISIT_JOINS,
    VISIT_WHERE,
)

VISIT_LOAD = text(f"""
    SELECT v.id, v.sequence, v.starts_at, v.ends_at, v.status::text AS status, v.place,
           v.purpose, c.name AS company, c.floor, c.unit, b.name AS building,
           l.name AS liaison,
           greatest(v.updated_at, c.updated_at, b.updated_at, l.updated_at) AS changed
    FROM feed_tokens t, {VISIT_JOINS}
    WHERE t.id = :feed_id AND {VISIT_WHERE}
""")

VISIT_STATUS: dict[str, Status] = {
    "proposed": "tentative",
    "reschedule_requested": "tentative",
    "confirmed": "confirmed",
    "completed": "confirmed",
    "no_show": "confirmed",
    "cancelled": "cancelled",
    "declined": "cancelled",
}


def visit_item(row: Any, context: Context) -> FeedItem:
    """A visit as the liaison's calendar shows it: no contact's phone or email."""
    url = f"{context.base_url}/api/v1/visits/{row.id}"
    where = row.building or ""
    if row.building and row.floor:
        where += f" {floor(row.floor, 'zh')}"
    if row.building and row.unit:
        where += f" {row.unit}"
    lines = [f"目的：{row.purpose}", f"企业：{row.company}"]
    if where:
        lines.append(f"楼宇：{where}")
    if context.team_feed:
        lines.append(f"联络员：{row.liaison}")
    lines.append(url)
    summary = f"走访 {row.company}"
    if context.team_feed:
        summary += f"（{row.liaison}）"
    return FeedItem(
        uid=f"visit-{row.id}@{context.host}",
        sequence=row.sequence,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=VISIT_STATUS.get(row.status, "confirmed"),
        summary=summary,
        location=row.place,
        description="\n".join(lines),
        url=url,
        last_modified=row.changed,
    )


async def load_visits(
    session: AsyncSession, feed_id: uuid.UUID, window: Window, context: Context
) -> list[FeedItem]:
    rows = await session.execute(VISIT_LOAD, {"feed_id": feed_id, **window.params()})
    return [visit_item(row, context) for row in rows]


VISITS = Source("visits", VISIT_FINGERPRINT, load_visits)
