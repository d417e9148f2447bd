"""HTTP for cases (案件): file, list, read, a place's open cases, accept and reject."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases import service
from coordinator.cases.filing.service import file_case
from coordinator.cases.models import CaseSource
from coordinator.cases.schemas import CaseIn, CaseOut, CaseQuery, NearbyQuery, RejectIn
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page
from coordinator.worktime.service import load_calendar

routes = ApiRoutes()
TAGS = ("cases",)


@routes.route(
    "POST",
    "/api/v1/cases",
    summary="File a case (案件)",
    tags=TAGS,
    role=Role.coordinator,
    body=CaseIn,
    response=CaseOut,
    status=201,
    errors=(409,),
)
async def create_case(request: web.Request, *, body: CaseIn) -> web.Response:
    """Routed by its category and place to a lead department and its co-handlers (one task
    each; no routing rule: no task yet), its clocks set in working time. Its source: the
    hotline with a hotline_number (a repeated one is 409), a visit with a visit_id, else
    the coordinator."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        calendar = await load_calendar(session, settings, watch=request.app[CHANGES])
        source = (
            CaseSource.hotline
            if body.hotline_number
            else CaseSource.visit
            if body.visit_id
            else CaseSource.coordinator
        )
        case = await file_case(
            session=session,
            actor=principal(request),
            settings=settings,
            data=body,
            source=source,
            calendar=calendar,
        )
        out = await service.case_json(session, case.id)
    return json_response(out, status=201, headers={"Location": f"/api/v1/cases/{case.id}"})


@routes.route(
    "GET",
    "/api/v1/cases",
    summary="List cases",
    tags=TAGS,
    query=CaseQuery,
    response=Page[CaseOut],
)
async def list_cases(request: web.Request, *, query: CaseQuery) -> web.Response:
    """Filter by status, category (code), urgency, department_id (a live task of it),
    building_id, area_id, company_id, source, open, overdue; q searches title,
    description, address and hotline number. Newest first by default."""
    database = request.app[keys.DATABASE]
    return json_response(await service.list_cases(database=database, query=query))


@routes.route(
    "GET",
    "/api/v1/cases/open-nearby",
    summary="The open cases of a place",
    tags=TAGS,
    query=NearbyQuery,
    response=Page[CaseOut],
)
async def open_nearby(request: web.Request, *, query: NearbyQuery) -> web.Response:
    """Open cases at a building, in an area or of a company (none given: every open
    case), optionally of one category: shown while a new case is filed there, to spot the
    same problem reported twice (then merge)."""
    database = request.app[keys.DATABASE]
    return json_response(await service.open_nearby(database=database, query=query))


@routes.route("GET", "/api/v1/cases/{id}", summary="Read a case", tags=TAGS, response=CaseOut)
async def get_case(request: web.Request) -> web.Response:
    """With its tasks, the lead's first."""
    database = request.app[keys.DATABASE]
    return json_response(await service.case_json(database, path_id(request)))


@routes.route(
    "POST",
    "/api/v1/cases/{id}/accept",
    summary="Accept a new case (受理)",
    tags=TAGS,
    role=Role.coordinator,
    response=CaseOut,
    errors=(409,),
)
async def accept_case(request: web.Request) -> web.Response:
    """new → accepted: its departments may start on their tasks."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.accept_case(
            session=session, actor=principal(request), case_id=path_id(request)
        )
        out = await service.case_json(session, case.id)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/reject",
    summary="Reject a new case (不予受理)",
    tags=TAGS,
    role=Role.coordinator,
    body=RejectIn,
    response=CaseOut,
    errors=(409,),
)
async def reject_case(request: web.Request, *, body: RejectIn) -> web.Response:
    """new → rejected, with the reason the reporter is told; its tasks are dropped."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.reject_case(
            session=session, actor=principal(request), case_id=path_id(request), reason=body.reason
        )
        out = await service.case_json(session, case.id)
    return json_response(out)
