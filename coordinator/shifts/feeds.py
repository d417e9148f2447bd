"""What shifts contribute to calendar feeds: which shifts a feed holds, their fingerprint,
and each shift as a FeedItem (see coordinator.calendars.models for what a source is)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.calendars.ical import FeedItem, Status
from coordinator.calendars.models import Context, Source, Window, row_hash, set_fingerprint

# Shifts: a team feed holds the shifts of the team's posts, with who is signed up; a
# personal feed, the shifts the person signed up for (a cancelled place stays a while).

SHIFT_JOINS = """shifts s
    JOIN posts p ON p.id = s.post_id
    LEFT JOIN buildings b ON b.id = p.building_id"""

SHIFT_WHERE = """(CASE WHEN t.team_id IS NULL THEN EXISTS (
               SELECT 1 FROM signups g WHERE g.shift_id = s.id AND g.person_id = t.person_id
               AND (g.status <> 'cancelled' OR g.updated_at >= :grace))
          ELSE p.team_id = t.team_id END)
      AND s.starts_at < :until AND s.ends_at > :since
      AND (s.status <> 'cancelled' OR s.updated_at >= :grace)"""

# The fingerprint hashes each shift with each signup its event reflects (joined, not one
# subquery per shift): all of them in a team feed (names and counts), the person's own in
# a personal one; a shift without any counts once.
SHIFT_FINGERPRINT = set_fingerprint(
    row_hash(
        "s.id:uuid",
        "s.updated_at:ts",
        "p.updated_at:ts",
        "b.updated_at:ts",
        "g.id:uuid",
        "g.updated_at:ts",
    ),
    f"""{SHIFT_JOINS}
    LEFT JOIN signups g ON g.shift_id = s.id
         AND (t.team_id IS NOT NULL OR g.person_id = t.person_id)""",
    SHIFT_WHERE,
)

SHIFT_LOAD = text(f"""
    SELECT s.id, s.sequence, s.starts_at, s.ends_at, s.status::text AS status, s.filled,
           s.min_people, s.max_people, p.name AS post, p.address, b.name AS building,
           s.updated_at AS changed,
           (SELECT string_agg(pp.name, '、' ORDER BY g.arrival) FROM signups g
            JOIN people pp ON pp.id = g.person_id
            WHERE g.shift_id = s.id AND g.status IN ('signed_up', 'checked_in', 'completed'))
            AS names,
           mine.statuses, mine.sequences, mine.changed AS mine_changed
    FROM feed_tokens t, {SHIFT_JOINS}
    LEFT JOIN LATERAL (
        SELECT array_agg(g.status::text ORDER BY g.arrival) AS statuses,
               sum(g.sequence + 1) AS sequences, max(g.updated_at) AS changed
        FROM signups g WHERE g.shift_id = s.id AND g.person_id = :person_id) mine ON true
    WHERE t.id = :feed_id AND {SHIFT_WHERE}
""")

HOLDING = ("signed_up", "checked_in", "completed")


def _person_status(row: Any) -> Status:
    statuses = row.statuses or []
    if row.status == "cancelled":
        return "cancelled"
    if any(s in HOLDING for s in statuses):
        return "confirmed"
    if "waitlisted" in statuses:
        return "tentative"
    return "cancelled"


def shift_item(row: Any, context: Context) -> FeedItem:
    """A shift: the post, where it is, how many are signed up (names in a team feed)."""
    url = f"{context.base_url}/api/v1/shifts/{row.id}"
    place = " ".join(part for part in (row.building, row.address) if part) or row.post
    lines = [f"岗位：{row.post}", f"地点：{place}"]
    lines.append(f"报名：{row.filled}/{row.max_people}（至少 {row.min_people} 人）")
    if context.team_feed and row.names:
        lines.append(f"值班：{row.names}")
    lines.append(url)
    if context.team_feed:
        status: Status = "cancelled" if row.status == "cancelled" else "confirmed"
        sequence = row.sequence
        changed = row.changed
    else:
        status = _person_status(row)
        # The shift's own changes, plus every change of the person's places on it.
        sequence = row.sequence + int(row.sequences or 1) - 1
        changed = max(row.changed, row.mine_changed or row.changed)
    return FeedItem(
        uid=f"shift-{row.id}@{context.host}",
        sequence=sequence,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=status,
        summary=f"值班 {row.post}",
        location=place,
        description="\n".join(lines),
        url=url,
        last_modified=changed,
    )


async def load_shifts(
    session: AsyncSession, feed_id: uuid.UUID, window: Window, context: Context
) -> list[FeedItem]:
    rows = await session.execute(
        SHIFT_LOAD,
        {"feed_id": feed_id, "person_id": context.person_id, **window.params()},
    )
    return [shift_item(row, context) for row in rows]


SHIFTS = Source("shifts", SHIFT_FINGERPRINT, load_shifts)
