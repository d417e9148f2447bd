"""HTTP for recurring rosters: thin handlers over the service."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts.series import service
from coordinator.shifts.series.schemas import ExdatesIn, SeriesIn, SeriesOut
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
SHIFTS = ("shifts",)


@routes.route(
    "POST",
    "/api/v1/shift-series",
    summary="Create a recurring roster (RRULE), materialized ahead",
    tags=SHIFTS,
    role=Role.coordinator,
    body=SeriesIn,
    response=SeriesOut,
    status=201,
)
async def create_series(request: web.Request, *, body: SeriesIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        series = await service.create_series(
            session=session,
            actor=principal(request),
            data=body,
            zone=request.app[keys.SETTINGS].zone,
        )
        out = SeriesOut.model_validate(series)
    return created(out, f"/api/v1/shift-series/{out.id}")


@routes.route(
    "GET",
    "/api/v1/shift-series/{id}",
    summary="Read a recurring roster",
    tags=SHIFTS,
    response=SeriesOut,
)
async def get_series(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        series = await service.get_series(session=session, series_id=path_id(request))
        return json_response(SeriesOut.model_validate(series))


@routes.route(
    "POST",
    "/api/v1/shift-series/{id}/exdates",
    summary="Skip dates of a roster (cancels shifts already made on them)",
    tags=SHIFTS,
    role=Role.coordinator,
    body=ExdatesIn,
    response=SeriesOut,
)
async def add_exdates(request: web.Request, *, body: ExdatesIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        series = await service.add_exdates(
            session=session,
            actor=principal(request),
            series_id=path_id(request),
            exdates=body.exdates,
            zone=request.app[keys.SETTINGS].zone,
        )
        out = SeriesOut.model_validate(series)
    return json_response(out)
