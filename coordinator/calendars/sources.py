"""What goes into a feed: visits (and shifts), as SQL that says which rows a feed holds
and a fingerprint of them, and adapters from those rows to FeedItems.

Every source's SQL refers to the feed token row as `t` (team_id, person_id) and takes
:since, :until (the window) and :grace (cancelled items changed after it stay). The
fingerprint and the loading share one WHERE clause, so they always agree on the set.

A fingerprint is the count of the feed's rows and the sum of a 64-bit hash of each row's
ids and `updated_at` (and those of the rows it names): no text is formatted and nothing
sorted, so a poll that finds nothing new costs PostgreSQL little. A row changing,
leaving or entering the set changes the sum (up to a 2^-64 chance).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.calendars.ical import FeedItem, Status
from coordinator.labels import floor


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


NIL = "00000000-0000-0000-0000-000000000000"
EPOCH = "epoch"


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

SOURCES: Sequence[Source] = (VISITS, SHIFTS)
