"""Which departments a new case goes to: the most specific routing rule of its category
for its place — the building's, else the building's area's, else the case's own area's,
else the category's rule for anywhere. No rule: nobody yet (a coordinator assigns it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department


@dataclass(frozen=True)
class Routing:
    route_id: uuid.UUID
    lead: Department
    # Co-handling departments (active ones), by name.
    helpers: tuple[Department, ...]


async def route_case(
    session: AsyncSession,
    *,
    category_id: uuid.UUID,
    building_id: uuid.UUID | None,
    building_area_id: uuid.UUID | None,
    area_id: uuid.UUID | None,
) -> Routing | None:
    """The rule that routes a case of the category at that place, with its departments
    (two statements); None when no rule applies or its lead department is inactive."""
    places = [and_(CaseRoute.area_id.is_(None), CaseRoute.building_id.is_(None))]
    if building_id is not None:
        places.append(CaseRoute.building_id == building_id)
    areas = [a for a in (building_area_id, area_id) if a is not None]
    if areas:
        places.append(CaseRoute.area_id.in_(areas))
    ranks: list[tuple[ColumnElement[bool], int]] = [(CaseRoute.building_id.is_not(None), 0)]
    if building_area_id is not None:
        ranks.append((CaseRoute.area_id == building_area_id, 1))
    ranks.append((CaseRoute.area_id.is_not(None), 2))
    specificity = case(*ranks, else_=3)
    route = (
        await session.execute(
            select(CaseRoute.id, CaseRoute.lead_department_id)
            .where(CaseRoute.category_id == category_id, or_(*places))
            .order_by(specificity)
            .limit(1)
        )
    ).first()
    if route is None:
        return None
    helper_ids = select(CaseRouteHelper.department_id).where(CaseRouteHelper.route_id == route.id)
    departments = (
        await session.scalars(
            select(Department)
            .where(
                or_(Department.id == route.lead_department_id, Department.id.in_(helper_ids)),
                Department.active.is_(True),
            )
            .order_by(Department.name, Department.id)
        )
    ).all()
    lead = next((d for d in departments if d.id == route.lead_department_id), None)
    if lead is None:
        return None
    return Routing(
        route_id=route.id,
        lead=lead,
        helpers=tuple(d for d in departments if d.id != route.lead_department_id),
    )
