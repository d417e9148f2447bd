"""HTTP for the case reports: figures per department and month, open cases per place,
their CSV, and the signed link to the page of charts."""

from __future__ import annotations

from aiohttp import web

from coordinator.cases.reports import exports, links, places, service
from coordinator.cases.reports.schemas import (
    DepartmentReport,
    MonthQuery,
    PlacesReport,
    ReportLinkOut,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response, lang
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("case reports",)


def csv_response(text: str, name: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _departments(request: web.Request, query: MonthQuery) -> dict[str, object]:
    zone = request.app[keys.SETTINGS].zone
    async with request.app[keys.DATABASE].session() as session:
        return await service.department_report(session=session, month=query.month, zone=zone)


@routes.route(
    "GET",
    "/api/v1/case-reports/departments",
    summary="Each department's month: tasks received, done on time or late, overdue, "
    "median hours to accept and to close, cases reopened; and the subdistrict's total",
    tags=TAGS,
    query=MonthQuery,
    response=DepartmentReport,
)
async def department_report(request: web.Request, *, query: MonthQuery) -> web.Response:
    report = await _departments(request, query)
    return json_response(DepartmentReport.model_validate(report))


@routes.route(
    "GET",
    "/api/v1/case-reports/departments.csv",
    summary="Each department's month as CSV (the subdistrict's total last)",
    tags=TAGS,
    query=MonthQuery,
    content_type="text/csv",
)
async def department_report_csv(request: web.Request, *, query: MonthQuery) -> web.Response:
    report = await _departments(request, query)
    text = exports.departments_csv(report, lang(request))
    return csv_response(text, f"case-departments-{report['month']}.csv")


async def _places(request: web.Request) -> dict[str, object]:
    async with request.app[keys.DATABASE].session() as session:
        return await places.places_report(session=session)


@routes.route(
    "GET",
    "/api/v1/case-reports/places",
    summary="Open cases per building and per area, by state and category, and how many are overdue",
    tags=TAGS,
    response=PlacesReport,
)
async def places_report(request: web.Request) -> web.Response:
    return json_response(PlacesReport.model_validate(await _places(request)))


@routes.route(
    "GET",
    "/api/v1/case-reports/places.csv",
    summary="Open cases per building and per area as CSV",
    tags=TAGS,
    content_type="text/csv",
)
async def places_report_csv(request: web.Request) -> web.Response:
    return csv_response(
        exports.places_csv(await _places(request), lang(request)), "case-places.csv"
    )


@routes.route(
    "GET",
    "/api/v1/case-reports/link",
    summary="A link to the page of charts /case-reports/{token}, for a browser (shown once)",
    tags=TAGS,
    response=ReportLinkOut,
)
async def report_link(request: web.Request) -> web.Response:
    """The link reads the reports only, for 30 days or until the token that asked for it
    is revoked. Nothing is stored: the link is signed with the secret key."""
    settings = request.app[keys.SETTINGS]
    token_id = principal(request).token_id
    assert token_id is not None  # every bearer token has its row
    token, expires_at = links.issue(settings.secret_key, token_id)
    out = ReportLinkOut(url=f"{settings.base_url}/case-reports/{token}", expires_at=expires_at)
    return json_response(out, headers={"Cache-Control": "no-store"})
