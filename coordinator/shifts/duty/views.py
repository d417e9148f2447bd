"""HTTP for the hours ledger: thin handlers over the service."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts.duty import hours
from coordinator.shifts.duty.schemas import (
    ApproveIn,
    HoursList,
    HoursOut,
    HoursQuery,
    StatementQuery,
)
from coordinator.web.api import ApiRoutes, csv_response, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
HOURS = ("hours",)


@routes.route(
    "GET",
    "/api/v1/hours",
    summary="The hours ledger, by the day served",
    tags=HOURS,
    query=HoursQuery,
    response=HoursList,
)
async def list_hours(request: web.Request, *, query: HoursQuery) -> web.Response:
    return json_response(await hours.list_hours(database=request.app[keys.DATABASE], query=query))


@routes.route(
    "POST",
    "/api/v1/hours/{id}/approve",
    summary="Approve (or reject) hours served",
    tags=HOURS,
    role=Role.coordinator,
    body=ApproveIn,
    response=HoursOut,
)
async def approve_hours(request: web.Request, *, body: ApproveIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        entry = await hours.approve_hours(
            session=session,
            actor=principal(request),
            entry_id=path_id(request),
            approve=body.approve,
            approved_by_id=body.approved_by_id,
        )
        out = HoursOut.model_validate(entry)
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/hours/statement",
    summary="Monthly hours per person, team, party branch or company (CSV)",
    tags=HOURS,
    query=StatementQuery,
    content_type="text/csv",
)
async def statement(request: web.Request, *, query: StatementQuery) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        body = await hours.statement_csv(
            session=session,
            month=query.month,
            by=query.by,
            status=query.status,
            company_id=query.company_id,
        )
    return csv_response(body, f"hours-{query.by}-{query.month}.csv")
