"""The open cases of every building and area, by state and by category, and how many of
them are past their resolution due time: one statement with GROUPING SETS.

A case's building is its own, else its company's; its area is its own, else its
building's."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import OPEN_STATES, Case
from coordinator.platform.db import utcnow
from coordinator.registry.models import Area, Building, Company

# Written out, as the partial index ix_cases_open_due has it.
CASE_OPEN = text("cases.status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")")

# grouping(building, area, status, category): a bit set for each column left out.
BUILDING_STATUS, BUILDING_CATEGORY = 0b0101, 0b0110
AREA_STATUS, AREA_CATEGORY = 0b1001, 0b1010
STATUS, CATEGORY = 0b1101, 0b1110


def open_cases(now: datetime) -> Any:
    building_id = func.coalesce(Case.building_id, Company.building_id)
    cases = (
        select(
            building_id.label("building_id"),
            func.coalesce(Case.area_id, Building.area_id).label("area_id"),
            Case.status,
            Case.category_id,
            (Case.resolution_due_at < now).label("overdue"),
        )
        .select_from(Case)
        .outerjoin(Company, Company.id == Case.company_id)
        .outerjoin(Building, Building.id == building_id)
        .where(CASE_OPEN)
        .subquery()
    )
    c = cases.c
    return select(
        c.building_id,
        c.area_id,
        c.status,
        c.category_id,
        func.grouping(c.building_id, c.area_id, c.status, c.category_id).label("set"),
        func.count().label("open"),
        func.count().filter(c.overdue).label("overdue"),
    ).group_by(
        func.grouping_sets(
            tuple_(c.building_id, c.status),
            tuple_(c.building_id, c.category_id),
            tuple_(c.area_id, c.status),
            tuple_(c.area_id, c.category_id),
            tuple_(c.status),
            tuple_(c.category_id),
        )
    )


def _figures() -> dict[str, Any]:
    return {"open": 0, "overdue": 0, "by_status": {}, "by_category": []}


async def places_report(*, session: AsyncSession, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    buildings: dict[uuid.UUID | None, dict[str, Any]] = defaultdict(_figures)
    areas: dict[uuid.UUID | None, dict[str, Any]] = defaultdict(_figures)
    total = _figures()
    rows = (await session.execute(open_cases(now))).all()
    categories = await _categories(session, {r.category_id for r in rows if r.set == CATEGORY})
    for row in rows:
        if row.set in (BUILDING_STATUS, BUILDING_CATEGORY):
            place = buildings[row.building_id]
        elif row.set in (AREA_STATUS, AREA_CATEGORY):
            place = areas[row.area_id]
        else:
            place = total
        if row.set in (BUILDING_STATUS, AREA_STATUS, STATUS):
            place["open"] += row.open
            place["overdue"] += row.overdue
            place["by_status"][str(row.status)] = row.open
        else:
            category = categories[row.category_id]
            place["by_category"].append(category | {"open": row.open, "overdue": row.overdue})
    named_buildings = await _buildings(session, [b for b in buildings if b is not None])
    area_ids = {a for a in areas if a is not None} | {
        b["area_id"] for b in named_buildings.values() if b["area_id"] is not None
    }
    area_names = await _area_names(session, area_ids)
    building_rows = []
    for building_id, figures in buildings.items():
        building = named_buildings.get(building_id) if building_id else None
        area_id = building["area_id"] if building else None
        building_rows.append(
            _sorted(figures)
            | {
                "building_id": building_id,
                "name": building["name"] if building else None,
                "area_id": area_id,
                "area_name": area_names.get(area_id) if area_id else None,
            }
        )
    area_rows = [
        _sorted(figures)
        | {"area_id": area_id, "name": area_names.get(area_id) if area_id else None}
        for area_id, figures in areas.items()
    ]
    return {
        "as_of": now,
        "total": _sorted(total),
        "buildings": sorted(building_rows, key=_busiest),
        "areas": sorted(area_rows, key=_busiest),
    }


def _sorted(figures: dict[str, Any]) -> dict[str, Any]:
    by_category = sorted(figures["by_category"], key=lambda c: (-c["open"], c["code"]))
    return figures | {"by_category": by_category}


def _busiest(row: dict[str, Any]) -> tuple[bool, int, int, str]:
    """Most open cases first, then most overdue; the row of no place last."""
    return (row["name"] is None, -row["open"], -row["overdue"], row["name"] or "")


async def _categories(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    stmt = select(CaseCategory.id, CaseCategory.code, CaseCategory.name, CaseCategory.name_en)
    rows = (await session.execute(stmt.where(CaseCategory.id.in_(list(ids))))).all()
    return {
        r.id: {"category_id": r.id, "code": r.code, "name": r.name, "name_en": r.name_en}
        for r in rows
    }


async def _buildings(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    stmt = select(Building.id, Building.name, Building.area_id).where(Building.id.in_(ids))
    return {
        r.id: {"name": r.name, "area_id": r.area_id} for r in (await session.execute(stmt)).all()
    }


async def _area_names(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    stmt = select(Area.id, Area.name).where(Area.id.in_(list(ids)))
    return {r.id: r.name for r in (await session.execute(stmt)).all()}
