"""Rules of routing rules (派单规则): category × place → a lead department and its
co-handlers. One rule per category and place (a building, an area, or none)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.cases.categories.models import (
    CATEGORY,
    ROUTE,
    CaseCategory,
    CaseRoute,
    CaseRouteHelper,
)
from coordinator.cases.categories.schemas import RouteIn, RouteOut, RoutePatch, RouteQuery
from coordinator.cases.categories.service import helper_ids, route_state
from coordinator.departments.models import DEPARTMENT, Department
from coordinator.platform.db import Database, pg_error
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import list_json, value_json
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import (
    Conflict,
    FieldError,
    ValidationFailed,
    invalid_field,
    missing_reference,
)
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import AREA, BUILDING, Area, Building

_helper = CaseRouteHelper.__table__.alias("helper")

ROUTES = Listing(
    CaseRoute,
    RouteOut,
    sorts={"created_at": CaseRoute.created_at, "updated_at": CaseRoute.updated_at},
    default_sort="created_at",
    filters={
        "category_id": CaseRoute.category_id,
        "area_id": CaseRoute.area_id,
        "building_id": CaseRoute.building_id,
        "department_id": lambda department_id: or_(
            CaseRoute.lead_department_id == department_id,
            CaseRoute.id.in_(
                select(CaseRouteHelper.route_id).where(
                    CaseRouteHelper.department_id == department_id
                )
            ),
        ),
    },
    json={
        "helper_department_ids": list_json(
            value_json(_helper.c.department_id),
            rows="case_route_helpers AS helper WHERE helper.route_id = case_routes.id",
            order_by=[_helper.c.department_id],
        )
    },
)


async def list_routes(*, database: Database, query: RouteQuery) -> JsonBody:
    """Routing rules, oldest first; filters category, area, building, a department."""
    return await ROUTES.page(database, query)


async def route_out(session: AsyncSession, route: CaseRoute) -> RouteOut:
    return RouteOut(
        id=route.id,
        category_id=route.category_id,
        area_id=route.area_id,
        building_id=route.building_id,
        lead_department_id=route.lead_department_id,
        helper_department_ids=await helper_ids(session, route.id),
        created_at=route.created_at,
        updated_at=route.updated_at,
    )


async def get_route(*, session: AsyncSession, route_id: uuid.UUID) -> RouteOut:
    return await route_out(session, await get_or_404(session, CaseRoute, route_id, ROUTE))


async def create_route(*, session: AsyncSession, actor: Principal, data: RouteIn) -> RouteOut:
    """A rule for a category at a building, an area or anywhere (one per place)."""
    await ensure_exists(session, CaseCategory, data.category_id, "category_id", CATEGORY)
    helpers = list(dict.fromkeys(data.helper_department_ids))
    values = data.model_dump(exclude={"helper_department_ids"})
    await _check(session, values, helpers)
    route = CaseRoute(**values)
    session.add(route)
    await _flush_place(session, route)
    await _set_helpers(session, route.id, helpers)
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="case_route",
        entity_id=route.id,
        after=await route_state(session, route),
    )
    return await route_out(session, route)


async def update_route(
    *, session: AsyncSession, actor: Principal, route_id: uuid.UUID, patch: RoutePatch
) -> RouteOut:
    """Move a rule to another place, change its lead or replace its co-handlers."""
    route = await get_or_404(session, CaseRoute, route_id, ROUTE, lock=True)
    before = await route_state(session, route)
    values = patch_values(patch, required={"lead_department_id", "helper_department_ids"})
    given = values.pop("helper_department_ids", None)
    helpers = (
        list(dict.fromkeys(given)) if given is not None else await helper_ids(session, route.id)
    )
    merged = {
        name: values.get(name, getattr(route, name))
        for name in ("category_id", "area_id", "building_id", "lead_department_id")
    }
    await _check(session, merged, helpers)
    for name, value in values.items():
        setattr(route, name, value)
    await _flush_place(session, route)
    if given is not None:
        await session.execute(delete(CaseRouteHelper).where(CaseRouteHelper.route_id == route.id))
        await _set_helpers(session, route.id, helpers)
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="case_route",
        entity_id=route.id,
        before=before,
        after=await route_state(session, route),
    )
    return await route_out(session, route)


async def delete_route(*, session: AsyncSession, actor: Principal, route_id: uuid.UUID) -> None:
    route = await get_or_404(session, CaseRoute, route_id, ROUTE, lock=True)
    before = await route_state(session, route)
    await session.delete(route)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="case_route",
        entity_id=route.id,
        before=before,
    )


async def _check(session: AsyncSession, values: dict[str, Any], helpers: list[uuid.UUID]) -> None:
    """One place at most, every row named exists, the lead is not also a co-handler, and
    no other rule of the category holds the place."""
    if values.get("area_id") is not None and values.get("building_id") is not None:
        message = Text(
            "派单规则只对应一个地点：楼宇或片区，不能同时填写",
            "a rule is for one place: give building_id or area_id, not both",
        )
        raise ValidationFailed(
            message, errors=[FieldError("area_id", message), FieldError("building_id", message)]
        )
    await ensure_exists(session, Area, values.get("area_id"), "area_id", AREA)
    await ensure_exists(session, Building, values.get("building_id"), "building_id", BUILDING)
    await ensure_exists(
        session, Department, values["lead_department_id"], "lead_department_id", DEPARTMENT
    )
    if values["lead_department_id"] in helpers:
        raise invalid_field(
            "helper_department_ids",
            Text("牵头部门不能同时是协办部门", "the lead department cannot also co-handle"),
        )
    known = set(
        (await session.scalars(select(Department.id).where(Department.id.in_(helpers)))).all()
    )
    if missing := [h for h in helpers if h not in known]:
        error = missing_reference("helper_department_ids", DEPARTMENT)
        raise ValidationFailed(
            error.detail, errors=error.errors, extra={"missing": [str(m) for m in missing]}
        )


async def _flush_place(session: AsyncSession, route: CaseRoute) -> None:
    """Flush, a second rule for the same category and place answered 409 naming the place."""
    building_id, area_id = route.building_id, route.area_id  # unreadable once rolled back
    try:
        await session.flush()
    except IntegrityError as exc:
        if getattr(pg_error(exc), "constraint_name", None) != "uq_case_routes_place":
            raise
        if building_id is not None:
            field = "building_id"
            message = Text(
                "该事项类型在此楼宇已有派单规则",
                "the category already has a routing rule for this building",
            )
        elif area_id is not None:
            field = "area_id"
            message = Text(
                "该事项类型在此片区已有派单规则",
                "the category already has a routing rule for this area",
            )
        else:
            field = "category_id"
            message = Text(
                "该事项类型已有不分地点的派单规则",
                "the category already has a routing rule for every place",
            )
        raise Conflict(message, errors=[FieldError(field, message)]) from None


async def _set_helpers(
    session: AsyncSession, route_id: uuid.UUID, helpers: list[uuid.UUID]
) -> None:
    if helpers:
        await session.execute(
            insert(CaseRouteHelper),
            [{"id": uuid.uuid4(), "route_id": route_id, "department_id": h} for h in helpers],
        )
