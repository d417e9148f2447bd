"""HTTP for the coordinator's reports and CSV exports: thin handlers."""

from __future__ import annotations

from aiohttp import web

from coordinator.platform import keys
from coordinator.visits.reports import service
from coordinator.visits.reports.schemas import CoverageOut, CoverageQuery, ExportQuery
from coordinator.web.api import ApiRoutes, csv_response, json_response

routes = ApiRoutes()
REPORT_TAGS = ("reports",)


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
        report = await service.coverage(session=session, query=query)
    return json_response(CoverageOut.model_validate(report))


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
        text = await service.visits_csv(session=session, query=query, zone=zone)
    return csv_response(text, "visits.csv")


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
        text = await service.needs_csv(session=session, query=query, zone=zone)
    return csv_response(text, "needs.csv")


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
        text = await service.coverage_csv(session=session, query=query, zone=zone)
    return csv_response(text, "coverage.csv")
