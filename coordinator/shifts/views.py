"""HTTP for shifts: thin handlers over the service (posts, rosters, signups, hours and
the personal link: their sub-features' views)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts import service
from coordinator.shifts.schemas import CancelShiftIn, ShiftIn, ShiftOut, ShiftPatch, ShiftQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
SHIFTS = ("shifts",)


@routes.route(
    "GET",
    "/api/v1/shifts",
    summary="List shifts (班次)",
    tags=SHIFTS,
    query=ShiftQuery,
    response=Page[ShiftOut],
)
async def list_shifts(request: web.Request, *, query: ShiftQuery) -> web.Response:
    return json_response(
        await service.list_shifts(database=request.app[keys.DATABASE], query=query)
    )


@routes.route(
    "POST",
    "/api/v1/shifts",
    summary="Create a one-off shift",
    tags=SHIFTS,
    role=Role.coordinator,
    body=ShiftIn,
    response=ShiftOut,
    status=201,
)
async def create_shift(request: web.Request, *, body: ShiftIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        shift = await service.create_shift(session=session, actor=principal(request), data=body)
        out = ShiftOut.model_validate(shift)
    return created(out, f"/api/v1/shifts/{out.id}")


@routes.route("GET", "/api/v1/shifts/{id}", summary="Read a shift", tags=SHIFTS, response=ShiftOut)
async def get_shift(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        shift = await service.get_shift(session=session, shift_id=path_id(request))
        return json_response(ShiftOut.model_validate(shift))


@routes.route(
    "PATCH",
    "/api/v1/shifts/{id}",
    summary="Edit a shift, or it and all following of its series",
    tags=SHIFTS,
    role=Role.coordinator,
    body=ShiftPatch,
    response=ShiftOut,
    errors=(409,),
)
async def update_shift(request: web.Request, *, body: ShiftPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        shift = await service.update_shift(
            session=session,
            actor=principal(request),
            shift_id=path_id(request),
            patch=body,
            zone=request.app[keys.SETTINGS].zone,
        )
        out = ShiftOut.model_validate(shift)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/shifts/{id}/cancel",
    summary="Cancel a shift, or it and all following",
    tags=SHIFTS,
    role=Role.coordinator,
    body=CancelShiftIn,
    response=ShiftOut,
)
async def cancel_shift(request: web.Request, *, body: CancelShiftIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        shift = await service.cancel_shift(
            session=session,
            actor=principal(request),
            shift_id=path_id(request),
            scope=body.scope,
            reason=body.reason,
            zone=request.app[keys.SETTINGS].zone,
        )
        out = ShiftOut.model_validate(shift)
    return json_response(out)
