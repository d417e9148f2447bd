"""HTTP for needs (诉求): thin handlers."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.visits.needs import service
from coordinator.visits.needs.schemas import (
    AssignIn,
    NeedIn,
    NeedOut,
    NeedQuery,
    ReopenIn,
    ResolveIn,
)
from coordinator.visits.needs.service import need_out
from coordinator.visits.outcomes import service as outcomes
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
NEED_TAGS = ("needs",)


@routes.route(
    "POST",
    "/api/v1/visits/{id}/needs",
    summary="Add a need raised at a completed visit",
    tags=NEED_TAGS,
    role=Role.coordinator,
    body=NeedIn,
    response=NeedOut,
    status=201,
    errors=(409,),
)
async def add_need(request: web.Request, *, body: NeedIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        need = await outcomes.raise_need(
            session=session, actor=principal(request), visit_id=path_id(request), data=body
        )
        out = need_out(need)
    return created(out, f"/api/v1/needs/{out.id}")


@routes.route(
    "GET",
    "/api/v1/needs",
    summary="List needs (诉求)",
    tags=NEED_TAGS,
    query=NeedQuery,
    response=Page[NeedOut],
)
async def list_needs(request: web.Request, *, query: NeedQuery) -> web.Response:
    """Filter by status, category, urgency, assignee (team or department), company; overdue=true
    lists open or assigned needs past their due date."""
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await service.list_needs(session=session, query=query))


@routes.route("GET", "/api/v1/needs/{id}", summary="Read a need", tags=NEED_TAGS, response=NeedOut)
async def get_need(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        need = await service.get_need(session=session, need_id=path_id(request))
        return json_response(need_out(need))


@routes.route(
    "POST",
    "/api/v1/needs/{id}/assign",
    summary="Assign a need to a team or a joint-operation department",
    tags=NEED_TAGS,
    role=Role.coordinator,
    body=AssignIn,
    response=NeedOut,
    errors=(409,),
)
async def assign_need(request: web.Request, *, body: AssignIn) -> web.Response:
    """department: urban_management, city_appearance, housing_office, residential_area."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        need = await service.assign_need(
            session=session, actor=principal(request), need_id=path_id(request), data=body
        )
        out = need_out(need)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/needs/{id}/resolve",
    summary="Record what was done about a need",
    tags=NEED_TAGS,
    role=Role.coordinator,
    body=ResolveIn,
    response=NeedOut,
    errors=(409,),
)
async def resolve_need(request: web.Request, *, body: ResolveIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        need = await service.resolve_need(
            session=session,
            actor=principal(request),
            need_id=path_id(request),
            resolution=body.resolution,
        )
        out = need_out(need)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/needs/{id}/close",
    summary="Close a resolved need (闭环)",
    tags=NEED_TAGS,
    role=Role.coordinator,
    response=NeedOut,
    errors=(409,),
)
async def close_need(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        need = await service.close_need(
            session=session, actor=principal(request), need_id=path_id(request)
        )
        out = need_out(need)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/needs/{id}/reopen",
    summary="Reopen a resolved or closed need",
    tags=NEED_TAGS,
    role=Role.coordinator,
    body=ReopenIn,
    response=NeedOut,
    errors=(409,),
)
async def reopen_need(request: web.Request, *, body: ReopenIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        need = await service.reopen_need(
            session=session, actor=principal(request), need_id=path_id(request), reason=body.reason
        )
        out = need_out(need)
    return json_response(out)
