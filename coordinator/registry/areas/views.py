"""HTTP for areas (居民区/片区)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry.areas import service
from coordinator.registry.schemas import AreaIn, AreaOut, AreaPatch, AreaQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


@routes.route(
    "GET",
    "/api/v1/areas",
    summary="List areas (居民区/片区)",
    kept=("areas",),
    tags=TAGS,
    query=AreaQuery,
    response=Page[AreaOut],
)
async def list_areas(request: web.Request, *, query: AreaQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_areas(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/areas",
    summary="Register an area",
    tags=TAGS,
    role=Role.coordinator,
    body=AreaIn,
    response=AreaOut,
    status=201,
    errors=(409,),
)
async def create_area(request: web.Request, *, body: AreaIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        area = await service.create_area(session=session, actor=principal(request), data=body)
        out = AreaOut.model_validate(area)
    return created(out, f"/api/v1/areas/{out.id}")


@routes.route("GET", "/api/v1/areas/{id}", summary="Read an area", tags=TAGS, response=AreaOut)
async def get_area(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        area = await service.get_area(session=session, area_id=path_id(request))
        return json_response(AreaOut.model_validate(area))


@routes.route(
    "PATCH",
    "/api/v1/areas/{id}",
    summary="Update an area",
    tags=TAGS,
    role=Role.coordinator,
    body=AreaPatch,
    response=AreaOut,
    errors=(409,),
)
async def update_area(request: web.Request, *, body: AreaPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        area = await service.update_area(
            session=session, actor=principal(request), area_id=path_id(request), patch=body
        )
        out = AreaOut.model_validate(area)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/areas/{id}",
    summary="Delete an area",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_area(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_area(
            session=session, actor=principal(request), area_id=path_id(request)
        )
    return web.Response(status=204)
