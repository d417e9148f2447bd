"""Which departments a new case goes to: the most specific routing rule of its category
for its place — the building's, else the building's area's, else the case's own area's,
else the category's rule for anywhere. No rule: nobody yet (a coordinator assigns it).

One statement, built once: the best rule and its active departments together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Uuid, and_, bindparam, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department


@dataclass(frozen=True)
class Routed:
    """A department a case is routed to, as much as filing needs of it."""

    id: uuid.UUID
    name: str
    work_hours: str | None


@dataclass(frozen=True)
class Routing:
    route_id: uuid.UUID
    lead: Routed
    # Co-handling departments (active ones), by name.
    helpers: tuple[Routed, ...]


_building = bindparam("building_id", type_=Uuid())
_building_area = bindparam("building_area_id", type_=Uuid())
_area = bindparam("area_id", type_=Uuid())
# A NULL place matches no rule of that kind (x = NULL is never true).
_best = (
    select(CaseRoute.id, CaseRoute.lead_department_id)
    .where(
        CaseRoute.category_id == bindparam("category_id", type_=Uuid()),
        or_(
            and_(CaseRoute.area_id.is_(None), CaseRoute.building_id.is_(None)),
            CaseRoute.building_id == _building,
            CaseRoute.area_id == _building_area,
            CaseRoute.area_id == _area,
        ),
    )
    .order_by(
        case(
            (CaseRoute.building_id.is_not(None), 0),
            (CaseRoute.area_id == _building_area, 1),
            (CaseRoute.area_id.is_not(None), 2),
            else_=3,
        )
    )
    .limit(1)
    .subquery("best")
)
ROUTE = (
    select(
        _best.c.id.label("route_id"),
        (Department.id == _best.c.lead_department_id).label("leads"),
        Department.id,
        Department.name,
        Department.work_hours,
    )
    .select_from(_best)
    .join(
        Department,
        or_(
            Department.id == _best.c.lead_department_id,
            Department.id.in_(
                select(CaseRouteHelper.department_id).where(CaseRouteHelper.route_id == _best.c.id)
            ),
        ),
    )
    .where(Department.active.is_(True))
    .order_by(Department.name, Department.id)
)


async def route_case(
    session: AsyncSession,
    *,
    category_id: uuid.UUID,
    building_id: uuid.UUID | None,
    building_area_id: uuid.UUID | None,
    area_id: uuid.UUID | None,
) -> Routing | None:
    """The rule that routes a case of the category at that place, with its departments;
    None when no rule applies or its lead department is inactive."""
    rows = (
        await session.execute(
            ROUTE,
            {
                "category_id": category_id,
                "building_id": building_id,
                "building_area_id": building_area_id,
                "area_id": area_id,
            },
        )
    ).all()
    lead = next((row for row in rows if row.leads), None)
    if lead is None:
        return None
    return Routing(
        route_id=lead.route_id,
        lead=Routed(lead.id, lead.name, lead.work_hours),
        helpers=tuple(Routed(r.id, r.name, r.work_hours) for r in rows if not r.leads),
    )
