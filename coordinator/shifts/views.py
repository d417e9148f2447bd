"""HTTP for posts, shifts and series: thin handlers over the services (signups, hours
and the personal link: signup_views.py)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.resources import get_or_404
from coordinator.shifts import posts, service
from coordinator.shifts.schemas import (
    CancelShiftIn,
    ExdatesIn,
    PostIn,
    PostOut,
    PostPatch,
    PostQuery,
    SeriesIn,
    SeriesOut,
    ShiftIn,
    ShiftOut,
    ShiftPatch,
    ShiftQuery,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
POSTS = ("posts",)
SHIFTS = ("shifts",)


def _db(request: web.Request):
    return request.app[keys.DATABASE]


def _zone(request: web.Request):
    return request.app[keys.SETTINGS].zone


# Posts


@routes.route(
    "GET",
    "/api/v1/posts",
    summary="List posts (岗位)",
    tags=POSTS,
    query=PostQuery,
    response=Page[PostOut],
)
async def list_posts(request: web.Request, *, query: PostQuery) -> web.Response:
    async with _db(request).session() as session:
        return json_response(await posts.list_posts(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/posts",
    summary="Create a post with its checklist",
    tags=POSTS,
    role=Role.coordinator,
    body=PostIn,
    response=PostOut,
    status=201,
)
async def create_post(request: web.Request, *, body: PostIn) -> web.Response:
    async with _db(request).sessionmaker.begin() as session:
        post = await posts.create_post(session=session, actor=principal(request), data=body)
        out = PostOut.model_validate(post)
    return created(out, f"/api/v1/posts/{out.id}")


@routes.route("GET", "/api/v1/posts/{id}", summary="Read a post", tags=POSTS, response=PostOut)
async def get_post(request: web.Request) -> web.Response:
    async with _db(request).session() as session:
        post = await posts.get_post(session=session, post_id=path_id(request))
        return json_response(PostOut.model_validate(post))


@routes.route(
    "PATCH",
    "/api/v1/posts/{id}",
    summary="Update a post",
    tags=POSTS,
    role=Role.coordinator,
    body=PostPatch,
    response=PostOut,
)
async def update_post(request: web.Request, *, body: PostPatch) -> web.Response:
    async with _db(request).sessionmaker.begin() as session:
        post = await posts.update_post(
            session=session, actor=principal(request), post_id=path_id(request), patch=body
        )
        out = PostOut.model_validate(post)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/posts/{id}",
    summary="Delete a post no shift names",
    tags=POSTS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_post(request: web.Request) -> web.Response:
    async with _db(request).sessionmaker.begin() as session:
        await posts.delete_post(session=session, actor=principal(request), post_id=path_id(request))
    return web.Response(status=204)


# Shifts and series


@routes.route(
    "GET",
    "/api/v1/shifts",
    summary="List shifts (班次)",
    tags=SHIFTS,
    query=ShiftQuery,
    response=Page[ShiftOut],
)
async def list_shifts(request: web.Request, *, query: ShiftQuery) -> web.Response:
    async with _db(request).session() as session:
        return json_response(await service.list_shifts(session=session, query=query))


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
    async with _db(request).sessionmaker.begin() as session:
        shift = await service.create_shift(session=session, actor=principal(request), data=body)
        out = ShiftOut.model_validate(shift)
    return created(out, f"/api/v1/shifts/{out.id}")


@routes.route("GET", "/api/v1/shifts/{id}", summary="Read a shift", tags=SHIFTS, response=ShiftOut)
async def get_shift(request: web.Request) -> web.Response:
    async with _db(request).session() as session:
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
    async with _db(request).sessionmaker.begin() as session:
        shift = await service.update_shift(
            session=session,
            actor=principal(request),
            shift_id=path_id(request),
            patch=body,
            zone=_zone(request),
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
    async with _db(request).sessionmaker.begin() as session:
        shift = await service.cancel_shift(
            session=session,
            actor=principal(request),
            shift_id=path_id(request),
            scope=body.scope,
            reason=body.reason,
            zone=_zone(request),
        )
        out = ShiftOut.model_validate(shift)
    return json_response(out)


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
    async with _db(request).sessionmaker.begin() as session:
        series = await service.create_series(
            session=session, actor=principal(request), data=body, zone=_zone(request)
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
    from coordinator.shifts.models import ShiftSeries
    from coordinator.shifts.rules import SERIES

    async with _db(request).session() as session:
        series = await get_or_404(session, ShiftSeries, path_id(request), SERIES)
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
    async with _db(request).sessionmaker.begin() as session:
        series = await service.add_exdates(
            session=session,
            actor=principal(request),
            series_id=path_id(request),
            exdates=body.exdates,
            zone=_zone(request),
        )
        out = SeriesOut.model_validate(series)
    return json_response(out)
