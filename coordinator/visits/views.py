"""HTTP for visits: proposing, reading, moving, cancelling, recording outcomes."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.visits import service
from coordinator.visits.outcomes import service as outcomes
from coordinator.visits.reports import service as reports
from coordinator.visits.schemas import (
    CancelIn,
    MoveIn,
    OutcomeIn,
    VisitIn,
    VisitOut,
    VisitQuery,
    visit_out,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("visits",)


@routes.route(
    "GET",
    "/api/v1/visits",
    summary="List visits (走访)",
    tags=TAGS,
    query=VisitQuery,
    response=Page[VisitOut],
)
async def list_visits(request: web.Request, *, query: VisitQuery) -> web.Response:
    """Filter by day (in the subdistrict's zone), team, liaison, building, company, status."""
    database, zone = request.app[keys.DATABASE], request.app[keys.SETTINGS].zone
    return json_response(await reports.list_visits(database=database, query=query, zone=zone))


@routes.route(
    "POST",
    "/api/v1/visits",
    summary="Propose a visit to a company contact",
    tags=TAGS,
    role=Role.coordinator,
    body=VisitIn,
    response=VisitOut,
    status=201,
    errors=(409,),
)
async def propose_visit(request: web.Request, *, body: VisitIn) -> web.Response:
    """The contact gets an email (and an SMS gateway an event) with a confirmation link.
    409 when the liaison already holds an overlapping proposed or confirmed visit."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        visit = await service.propose_visit(
            session=session,
            actor=principal(request),
            data=body,
            config=settings.visits,
            base_url=settings.base_url,
        )
    out = visit_out(visit)
    return created(out, f"/api/v1/visits/{out.id}")


@routes.route("GET", "/api/v1/visits/{id}", summary="Read a visit", tags=TAGS, response=VisitOut)
async def get_visit(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        visit = await service.get_visit(session=session, visit_id=path_id(request))
        return json_response(visit_out(visit))


@routes.route(
    "POST",
    "/api/v1/visits/{id}/move",
    summary="Move a visit to a new time (a new proposal)",
    tags=TAGS,
    role=Role.coordinator,
    body=MoveIn,
    response=VisitOut,
    errors=(409,),
)
async def move_visit(request: web.Request, *, body: MoveIn) -> web.Response:
    """Revokes the contact's link and sends a new one; 409 with the allowed states."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        visit = await service.move_visit(
            session=session,
            actor=principal(request),
            visit_id=path_id(request),
            data=body,
            config=settings.visits,
            base_url=settings.base_url,
        )
    return json_response(visit_out(visit))


@routes.route(
    "POST",
    "/api/v1/visits/{id}/cancel",
    summary="Cancel a proposed or confirmed visit",
    tags=TAGS,
    role=Role.coordinator,
    body=CancelIn,
    response=VisitOut,
    errors=(409,),
)
async def cancel_visit(request: web.Request, *, body: CancelIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        visit = await service.cancel_visit(
            session=session, actor=principal(request), visit_id=path_id(request), reason=body.reason
        )
    return json_response(visit_out(visit))


@routes.route(
    "POST",
    "/api/v1/visits/{id}/outcome",
    summary="Record a confirmed visit's outcome and the needs raised",
    tags=TAGS,
    role=Role.coordinator,
    body=OutcomeIn,
    response=VisitOut,
    errors=(409,),
)
async def record_outcome(request: web.Request, *, body: OutcomeIn) -> web.Response:
    """status completed (with notes and needs, each filed as a case from the visit: see
    /api/v1/needs) or no_show."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        visit, _ = await outcomes.record_outcome(
            session=session,
            actor=principal(request),
            settings=request.app[keys.SETTINGS],
            visit_id=path_id(request),
            data=body,
        )
    return json_response(visit_out(visit))
