"""Rules of case categories (事项类型), and which routing rule applies to a case.

`resolve_route` is what filing a case routes by: the building's rule, else the building's
area's or the given area's, else the category's own rule (no place); none, no tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.cases.categories.models import CATEGORY, CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.cases.categories.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CategoryQuery,
    DepartmentBrief,
    ResolvedOut,
    ResolveQuery,
)
from coordinator.departments.models import Department
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import invalid_field
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import AREA, BUILDING, Area, Building

Place = Literal["building", "area", "category"]


def _jsonb(column: str) -> str:
    return f"COALESCE(case_categories.{column}::text, 'null')"


CATEGORIES = Listing(
    CaseCategory,
    CategoryOut,
    sorts={
        "code": CaseCategory.code,
        "name": CaseCategory.name,
        "created_at": CaseCategory.created_at,
        "updated_at": CaseCategory.updated_at,
    },
    default_sort="code",
    filters={
        "active": CaseCategory.active,
        "public": CaseCategory.public,
        "group": CaseCategory.group,
    },
    search=(CaseCategory.code, CaseCategory.name, CaseCategory.name_en, CaseCategory.keywords),
    json={name: _jsonb(name) for name in ("urgency_factors", "escalation", "attributes")},
)


def plain(value: Any) -> Any:
    """A validated body value as the JSONB column keeps it."""
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    return value


async def list_categories(*, database: Database, query: CategoryQuery) -> JsonBody:
    """Categories by code (default) or name; filters active, public, group; q searches code,
    names and keywords."""
    return await CATEGORIES.page(database, query)


async def create_category(
    *, session: AsyncSession, actor: Principal, data: CategoryIn
) -> CaseCategory:
    """A category with its clocks, escalation ladder and Open311 attributes (code unique)."""
    category = CaseCategory(**{name: plain(value) for name, value in data.model_dump().items()})
    session.add(category)
    await audit_created(session, actor, category, "case_category")
    return category


async def get_category(*, session: AsyncSession, category_id: uuid.UUID) -> CaseCategory:
    return await get_or_404(session, CaseCategory, category_id, CATEGORY)


async def update_category(
    *, session: AsyncSession, actor: Principal, category_id: uuid.UUID, patch: CategoryPatch
) -> CaseCategory:
    category = await get_or_404(session, CaseCategory, category_id, CATEGORY, lock=True)
    required = {
        "code",
        "name",
        "response_hours",
        "resolution_days",
        "escalation",
        "photo_required",
        "reply_days",
        "attributes",
        "public",
        "active",
    }
    values = patch_values(patch, required=required)
    # Validated models in, plain JSON kept (a dumped patch holds dicts already).
    values = {name: plain(getattr(patch, name)) for name in values}
    await apply_update(session, actor, category, values, "case_category")
    return category


async def delete_category(
    *, session: AsyncSession, actor: Principal, category_id: uuid.UUID
) -> None:
    """Delete a category no case is filed under; its routing rules go with it, audited."""
    category = await get_or_404(session, CaseCategory, category_id, CATEGORY, lock=True)
    await ensure_unreferenced(session, CaseCategory.__table__, category.id, CATEGORY)  # type: ignore[arg-type]
    routes = (
        await session.scalars(
            select(CaseRoute).where(CaseRoute.category_id == category.id).with_for_update()
        )
    ).all()
    for route in routes:
        state = await route_state(session, route)
        await session.delete(route)
        record(
            session=session,
            actor=actor,
            action="delete",
            entity_type="case_route",
            entity_id=route.id,
            before=state,
        )
    await delete_row(session, actor, category, "case_category", CATEGORY)


async def route_state(session: AsyncSession, route: CaseRoute) -> dict[str, Any]:
    """A routing rule as the audit log shows it: its row and its co-handlers."""
    helpers = await helper_ids(session, route.id)
    return snapshot(route) | {"helper_department_ids": [str(h) for h in helpers]}


async def helper_ids(session: AsyncSession, route_id: uuid.UUID) -> list[uuid.UUID]:
    found = await session.scalars(
        select(CaseRouteHelper.department_id)
        .where(CaseRouteHelper.route_id == route_id)
        .order_by(CaseRouteHelper.department_id)
    )
    return list(found.all())


# Which rule applies


@dataclass(frozen=True)
class ResolvedRoute:
    """The rule a case is routed by, and the departments it names (co-handlers by id)."""

    route_id: uuid.UUID
    lead_department_id: uuid.UUID
    helper_department_ids: tuple[uuid.UUID, ...]
    place: Place
    area_id: uuid.UUID | None
    building_id: uuid.UUID | None


async def resolve_route(
    session: AsyncSession,
    category_id: uuid.UUID,
    *,
    building_id: uuid.UUID | None = None,
    area_id: uuid.UUID | None = None,
) -> ResolvedRoute | None:
    """The most specific rule of a category for a place, in one statement: the building's,
    else the building's area's, else the given area's, else the category's own."""
    building_area = select(Building.area_id).where(Building.id == building_id).scalar_subquery()
    places: list[ColumnElement[bool]] = [
        CaseRoute.area_id.is_(None) & CaseRoute.building_id.is_(None)
    ]
    if building_id is not None:
        places += [CaseRoute.building_id == building_id, CaseRoute.area_id == building_area]
    if area_id is not None:
        places.append(CaseRoute.area_id == area_id)
    ranks: list[tuple[Any, int]] = [(CaseRoute.building_id.is_not(None), 0)]
    if building_id is not None:
        ranks.append((CaseRoute.area_id == building_area, 1))
    specificity = case(*ranks, (CaseRoute.area_id.is_not(None), 2), else_=3)
    helpers = (
        select(
            func.array_agg(
                aggregate_order_by(CaseRouteHelper.department_id, CaseRouteHelper.department_id)
            )
        )
        .where(CaseRouteHelper.route_id == CaseRoute.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            CaseRoute.id,
            CaseRoute.lead_department_id,
            helpers,
            CaseRoute.area_id,
            CaseRoute.building_id,
        )
        .where(CaseRoute.category_id == category_id, or_(*places))
        .order_by(specificity)
        .limit(1)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    route_id, lead_id, helper_list, route_area, route_building = row
    place: Place = "building" if route_building else "area" if route_area else "category"
    return ResolvedRoute(
        route_id, lead_id, tuple(helper_list or ()), place, route_area, route_building
    )


async def resolve(*, session: AsyncSession, query: ResolveQuery) -> ResolvedOut:
    """Which rule applies to a category (by code) at a place, and its departments."""
    category = await session.scalar(select(CaseCategory).where(CaseCategory.code == query.category))
    if category is None:
        raise invalid_field(
            "category", Text("没有这个代码的事项类型", "no case category has this code")
        )
    await ensure_exists(session, Building, query.building_id, "building_id", BUILDING)
    await ensure_exists(session, Area, query.area_id, "area_id", AREA)
    found = await resolve_route(
        session, category.id, building_id=query.building_id, area_id=query.area_id
    )
    briefs: dict[uuid.UUID, DepartmentBrief] = {}
    if found is not None:
        ids = [found.lead_department_id, *found.helper_department_ids]
        rows = await session.scalars(select(Department).where(Department.id.in_(ids)))
        briefs = {row.id: DepartmentBrief.model_validate(row) for row in rows}
    return ResolvedOut(
        category_id=category.id,
        category=category.code,
        matched=found.place if found else None,
        route_id=found.route_id if found else None,
        area_id=found.area_id if found else None,
        building_id=found.building_id if found else None,
        lead_department=briefs[found.lead_department_id] if found else None,
        helpers=[briefs[i] for i in found.helper_department_ids] if found else [],
    )
