"""HTTP for needs (诉求): thin handlers. A need is a case filed from a visit, with the
same id (/api/v1/cases/{id}); these operations answer in the needs' own shapes."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.visits.needs import reading, service
from coordinator.visits.needs.schemas import (
    AssignIn,
    NeedIn,
    NeedOut,
    NeedQuery,
    ReopenIn,
    ResolveIn,
)
from coordinator.visits.outcomes import service as outcomes
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page
from coordinator.worktime.service import load_calendar

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
    """Files the need as a case of the visit (source visit, the company's building as its
    place, the visit's contact as its reporter), routed by its category's rules if it has
    any, due in working time by urgency. A need is a case filed from a visit, with the
    same id: GET /api/v1/cases/{id} shows it with its departments' tasks."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        calendar = await load_calendar(session, settings, watch=request.app[CHANGES])
        out = await outcomes.raise_need(
            session=session,
            actor=principal(request),
            settings=settings,
            visit_id=path_id(request),
            data=body,
            calendar=calendar,
        )
    return created(out, f"/api/v1/needs/{out.id}")


@routes.route(
    "GET",
    "/api/v1/needs",
    summary="List needs (诉求): the cases filed from visits",
    tags=NEED_TAGS,
    query=NeedQuery,
    response=Page[NeedOut],
)
async def list_needs(request: web.Request, *, query: NeedQuery) -> web.Response:
    """Filter by status, category, urgency, assignee (team or department), company; overdue=true
    lists open or assigned needs past their due time. A need is a case filed from a visit,
    with the same id: GET /api/v1/cases?source=visit lists them as cases."""
    database = request.app[keys.DATABASE]
    return json_response(await reading.list_needs(database=database, query=query))


@routes.route("GET", "/api/v1/needs/{id}", summary="Read a need", tags=NEED_TAGS, response=NeedOut)
async def get_need(request: web.Request) -> web.Response:
    """A need is a case filed from a visit, with the same id: GET /api/v1/cases/{id} shows
    it with its departments' tasks."""
    database = request.app[keys.DATABASE]
    return json_response(await reading.need_json(database, path_id(request)))


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
    """department: urban_management, city_appearance, housing_office, residential_area.
    The need's case gets the department as its lead: a team's department (made the first
    time), or the department of that kind; a new case is accepted by it, a reopened one
    taken on again."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        calendar = await load_calendar(session, settings, watch=request.app[CHANGES])
        out = await service.assign_need(
            session=session,
            actor=principal(request),
            settings=settings,
            need_id=path_id(request),
            data=body,
            calendar=calendar,
        )
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
    """The lead department's task is done with the resolution and the case resolved
    (办结) with it, in one step; a co-handling department that has not finished its task
    makes it a 409 naming the unfinished tasks. The company's contact, the case's reporter,
    is sent the follow-up link (回访) as for any case."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.resolve_need(
            session=session,
            actor=principal(request),
            need_id=path_id(request),
            resolution=body.resolution,
            settings=request.app[keys.SETTINGS],
        )
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
    """Its case is closed by a coordinator."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.close_need(
            session=session, actor=principal(request), need_id=path_id(request)
        )
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
    """Back to open with a fresh due time; its case is reopened, the lead department's
    task pending again."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        calendar = await load_calendar(session, settings, watch=request.app[CHANGES])
        out = await service.reopen_need(
            session=session,
            actor=principal(request),
            settings=settings,
            need_id=path_id(request),
            reason=body.reason,
            calendar=calendar,
        )
    return json_response(out)
