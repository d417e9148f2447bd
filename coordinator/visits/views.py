"""HTTP for liaisons, visits, needs and the coordinator's reports: thin handlers."""

from __future__ import annotations

import functools

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.visits import needs, reports, service
from coordinator.visits.config import VisitSettings, load_visit_settings
from coordinator.visits.needs import need_out
from coordinator.visits.reports import visit_out
from coordinator.visits.schemas import (
    AssignIn,
    BulkLiaisonIn,
    BulkLiaisonOut,
    CancelIn,
    CoverageOut,
    CoverageQuery,
    ExportQuery,
    LiaisonIn,
    LiaisonOut,
    MoveIn,
    NeedIn,
    NeedOut,
    NeedQuery,
    OutcomeIn,
    ReopenIn,
    ResolveIn,
    VisitIn,
    VisitOut,
    VisitQuery,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("visits",)
NEED_TAGS = ("needs",)
REPORT_TAGS = ("reports",)


@functools.cache
def visit_settings() -> VisitSettings:
    return load_visit_settings()


@routes.route(
    "PUT",
    "/api/v1/companies/{id}/liaison",
    summary="Designate a company's liaison (一对一联络员)",
    tags=TAGS,
    role=Role.coordinator,
    body=LiaisonIn,
    response=LiaisonOut,
)
async def assign_liaison(request: web.Request, *, body: LiaisonIn) -> web.Response:
    """Assigning or reassigning raises company.liaison_assigned; both liaisons are told."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.assign_liaison(
            session=session,
            actor=principal(request),
            company_id=path_id(request),
            person_id=body.person_id,
        )
    return json_response(LiaisonOut.model_validate(out))


@routes.route(
    "POST",
    "/api/v1/liaison-assignments",
    summary="Designate one liaison for every company of a building or party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=BulkLiaisonIn,
    response=BulkLiaisonOut,
)
async def bulk_assign(request: web.Request, *, body: BulkLiaisonIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.bulk_assign(session=session, actor=principal(request), data=body)
    return json_response(BulkLiaisonOut.model_validate(out))


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
    zone = request.app[keys.SETTINGS].zone
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await reports.list_visits(session=session, query=query, zone=zone))


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
            config=visit_settings(),
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
            config=visit_settings(),
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
    """status completed (with notes and needs) or no_show."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        visit, _ = await service.record_outcome(
            session=session, actor=principal(request), visit_id=path_id(request), data=body
        )
    return json_response(visit_out(visit))


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
        visit = await service.get_visit(session=session, visit_id=path_id(request))
        if visit.status.value != "completed":
            raise service.VisitStateConflict(
                Text(
                    "只有已完成的走访才能登记诉求",
                    "Needs are recorded on completed visits only",
                ),
                current=visit.status.value,
                allowed=service.allowed(visit.status),
            )
        need = await needs.add_need(
            session=session, actor=principal(request), visit=visit, data=body
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
        return json_response(await needs.list_needs(session=session, query=query))


@routes.route("GET", "/api/v1/needs/{id}", summary="Read a need", tags=NEED_TAGS, response=NeedOut)
async def get_need(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        need = await needs.get_need(session=session, need_id=path_id(request))
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
        need = await needs.assign_need(
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
        need = await needs.resolve_need(
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
        need = await needs.close_need(
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
        need = await needs.reopen_need(
            session=session, actor=principal(request), need_id=path_id(request), reason=body.reason
        )
        out = need_out(need)
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/reports/coverage",
    summary="Companies not visited for N days, and coverage by building",
    tags=REPORT_TAGS,
    query=CoverageQuery,
    response=CoverageOut,
)
async def coverage(request: web.Request, *, query: CoverageQuery) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        report = await reports.coverage(session=session, query=query)
    return json_response(CoverageOut.model_validate(report))


def _csv(text: str, name: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@routes.route(
    "GET",
    "/api/v1/exports/visits.csv",
    summary="Visits as CSV (same filters as the list)",
    tags=REPORT_TAGS,
    query=ExportQuery,
    content_type="text/csv",
)
async def export_visits(request: web.Request, *, query: ExportQuery) -> web.Response:
    zone = request.app[keys.SETTINGS].zone
    async with request.app[keys.DATABASE].session() as session:
        return _csv(await reports.visits_csv(session=session, query=query, zone=zone), "visits.csv")


@routes.route(
    "GET",
    "/api/v1/exports/needs.csv",
    summary="Needs as CSV (status, category, overdue filters)",
    tags=REPORT_TAGS,
    query=ExportQuery,
    content_type="text/csv",
)
async def export_needs(request: web.Request, *, query: ExportQuery) -> web.Response:
    zone = request.app[keys.SETTINGS].zone
    async with request.app[keys.DATABASE].session() as session:
        return _csv(await reports.needs_csv(session=session, query=query, zone=zone), "needs.csv")


@routes.route(
    "GET",
    "/api/v1/exports/coverage.csv",
    summary="Companies not visited for N days as CSV",
    tags=REPORT_TAGS,
    query=CoverageQuery,
    content_type="text/csv",
)
async def export_coverage(request: web.Request, *, query: CoverageQuery) -> web.Response:
    zone = request.app[keys.SETTINGS].zone
    async with request.app[keys.DATABASE].session() as session:
        text = await reports.coverage_csv(session=session, query=query, zone=zone)
    return _csv(text, "coverage.csv")
