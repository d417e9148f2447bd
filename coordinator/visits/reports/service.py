"""What coordinators look at: visits by day, team, liaison, building and status;
companies not visited lately; needs by status; and CSV of each."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, and_, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.platform.csv_text import csv_text
from coordinator.platform.db import Database, utcnow
from coordinator.platform.json_sql import list_json, value_json
from coordinator.platform.listing import JsonBody, Listing
from coordinator.registry.models import Building, Company
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.needs.reading import needs_to_export
from coordinator.visits.reports.schemas import CoverageQuery
from coordinator.visits.schemas import VisitOut, VisitQuery


def day_range(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def filtered_visits(query: Any, zone: ZoneInfo) -> Select[Visit]:
    stmt = select(Visit)
    if getattr(query, "day", None):
        start, end = day_range(query.day, zone)
        stmt = stmt.where(Visit.starts_at >= start, Visit.starts_at < end)
    if getattr(query, "team_id", None):
        stmt = stmt.where(Visit.team_id == query.team_id)
    if getattr(query, "liaison_id", None):
        stmt = stmt.where(Visit.liaison_id == query.liaison_id)
    if getattr(query, "company_id", None):
        stmt = stmt.where(Visit.company_id == query.company_id)
    if getattr(query, "status", None):
        stmt = stmt.where(Visit.status == query.status)
    if getattr(query, "building_id", None):
        stmt = stmt.where(
            Visit.company_id.in_(select(Company.id).where(Company.building_id == query.building_id))
        )
    return stmt


# A window's times in UTC, as visit_out shows them; its other fields as they are.
_WINDOW_FIELD = (
    "to_json(f.key)::text || ': ' || CASE WHEN f.key IN ('starts_at', 'ends_at') THEN "
    + value_json(cast(literal_column("f.value"), DateTime(timezone=True)))
    + " ELSE to_json(f.value)::text END"
)
_WINDOW = (
    f"'{{' || COALESCE((SELECT string_agg({_WINDOW_FIELD}, ', ' ORDER BY f.o)"
    " FROM jsonb_each_text(w.value) WITH ORDINALITY AS f(key, value, o)), '') || '}'"
)
_WINDOWS = (
    "CASE WHEN jsonb_typeof(visits.reschedule_windows) IS DISTINCT FROM 'array' THEN 'null' ELSE "
    + list_json(
        _WINDOW,
        rows="jsonb_array_elements(visits.reschedule_windows) WITH ORDINALITY AS w(value, o)",
        order_by=[literal_column("w.o")],
    )
    + " END"
)

VISITS = Listing(
    Visit,
    VisitOut,
    sorts={
        "starts_at": Visit.starts_at,
        "created_at": Visit.created_at,
        "updated_at": Visit.updated_at,
    },
    default_sort="starts_at",
    filters={
        # The day's bounds in the zone, from the query's day (see list_visits).
        "starts_from": lambda start: Visit.starts_at >= start,
        "starts_before": lambda end: Visit.starts_at < end,
        "team_id": Visit.team_id,
        "liaison_id": Visit.liaison_id,
        "company_id": Visit.company_id,
        "status": Visit.status,
        "building_id": lambda building_id: Visit.company_id.in_(
            select(Company.id).where(Company.building_id == building_id)
        ),
    },
    search=(Visit.purpose, Visit.place),
    json={"reschedule_windows": _WINDOWS},
)


async def list_visits(*, database: Database, query: VisitQuery, zone: ZoneInfo) -> JsonBody:
    """Visits filtered by day (in the zone), team, liaison, building, company and status;
    q searches purpose and place."""
    start, end = day_range(query.day, zone) if query.day else (None, None)
    return await VISITS.page(database, query, starts_from=start, starts_before=end)


async def coverage(
    *, session: AsyncSession, query: CoverageQuery, now: datetime | None = None
) -> dict[str, Any]:
    """Companies without a completed visit in the last `days` days, and coverage by building."""
    since = (now or utcnow()) - timedelta(days=query.days)
    last = (
        select(Visit.company_id, func.max(Visit.starts_at).label("last_visit_at"))
        .where(Visit.status == VisitStatus.completed)
        .group_by(Visit.company_id)
        .subquery()
    )
    base = select(
        Company.id,
        Company.name,
        Company.building_id,
        Company.floor,
        Company.liaison_id,
        last.c.last_visit_at,
    ).outerjoin(last, last.c.company_id == Company.id)
    if query.building_id:
        base = base.where(Company.building_id == query.building_id)
    visited_flag = and_(last.c.last_visit_at.is_not(None), last.c.last_visit_at >= since)

    per_building = (
        select(
            Company.building_id,
            Building.name,
            func.count(),
            func.count().filter(visited_flag),
        )
        .select_from(Company)
        .outerjoin(last, last.c.company_id == Company.id)
        .outerjoin(Building, Building.id == Company.building_id)
        .group_by(Company.building_id, Building.name)
        .order_by(Building.name.nulls_last())
    )
    if query.building_id:
        per_building = per_building.where(Company.building_id == query.building_id)
    buildings = [
        {
            "building_id": building_id,
            "building_name": name,
            "companies": total,
            "visited": visited,
            "coverage": round(visited / total, 4) if total else 0.0,
        }
        for building_id, name, total, visited in (await session.execute(per_building)).all()
    ]
    rows = (
        await session.execute(
            base.where(~visited_flag)
            .order_by(last.c.last_visit_at.asc().nulls_first(), Company.name, Company.id)
            .limit(query.limit)
        )
    ).all()
    not_visited = [
        {
            "company_id": r[0],
            "name": r[1],
            "building_id": r[2],
            "floor": r[3],
            "liaison_id": r[4],
            "last_visit_at": r[5],
        }
        for r in rows
    ]
    return {
        "days": query.days,
        "companies": sum(b["companies"] for b in buildings),
        "visited": sum(b["visited"] for b in buildings),
        "buildings": buildings,
        "not_visited": not_visited,
    }


# Each column of the visits CSV, and what it holds.
VISIT_COLUMNS = {
    "id": Visit.id,
    "starts_at": Visit.starts_at,
    "ends_at": Visit.ends_at,
    "status": Visit.status,
    "company_id": Visit.company_id,
    "company_name": Company.name,
    "building_id": Company.building_id,
    "liaison_id": Visit.liaison_id,
    "team_id": Visit.team_id,
    "place": Visit.place,
    "purpose": Visit.purpose,
    "sequence": Visit.sequence,
}
NEED_COLUMNS = (
    "id",
    "company_id",
    "visit_id",
    "category",
    "urgency",
    "status",
    "assignee_team_id",
    "assignee_department",
    "due_at",
    "overdue",
    "description",
    "resolution",
)
COVERAGE_COLUMNS = ("company_id", "name", "building_id", "floor", "liaison_id", "last_visit_at")


async def visits_csv(*, session: AsyncSession, query: Any, zone: ZoneInfo) -> str:
    stmt = (
        filtered_visits(query, zone)
        .with_only_columns(*VISIT_COLUMNS.values())
        .join_from(Visit, Company, Company.id == Visit.company_id)
        .order_by(Visit.starts_at, Visit.id)
        .limit(100_000)
    )
    return csv_text(list(VISIT_COLUMNS), (await session.execute(stmt)).all(), zone)


async def needs_csv(*, session: AsyncSession, query: Any, zone: ZoneInfo) -> str:
    """The needs (cases filed from visits) the filters select, by due time."""
    needs = await needs_to_export(session, query)
    return csv_text(NEED_COLUMNS, ([getattr(n, c) for c in NEED_COLUMNS] for n in needs), zone)


async def coverage_csv(*, session: AsyncSession, query: CoverageQuery, zone: ZoneInfo) -> str:
    report = await coverage(session=session, query=query)
    rows = ([c[name] for name in COVERAGE_COLUMNS] for c in report["not_visited"])
    return csv_text(COVERAGE_COLUMNS, rows, zone)
