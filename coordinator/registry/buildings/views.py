"""HTTP for buildings (楼宇)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry.buildings import service
from coordinator.registry.schemas import BuildingIn, BuildingOut, BuildingPatch, BuildingQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


@routes.route(
    "GET",
    "/api/v1/buildings",
    summary="List buildings (楼宇)",
    kept=("buildings", "areas"),
    tags=TAGS,
    query=BuildingQuery,
    response=Page[BuildingOut],
)
async def list_buildings(request: web.Request, *, query: BuildingQuery) -> web.Response:
    """Filter by area_id and kind; q searches name and address."""
    database = request.app[keys.DATABASE]
    return json_response(await service.list_buildings(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/buildings",
    summary="Register a building",
    tags=TAGS,
    role=Role.coordinator,
    body=BuildingIn,
    response=BuildingOut,
    status=201,
    errors=(409,),
)
async def create_building(request: web.Request, *, body: BuildingIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        building = await service.create_building(
            session=session, actor=principal(request), data=body
        )
        out = BuildingOut.model_validate(building)
    return created(out, f"/api/v1/buildings/{out.id}")


@routes.route(
    "GET", "/api/v1/buildings/{id}", summary="Read a building", tags=TAGS, response=BuildingOut
)
async def get_building(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        building = await service.get_building(session=session, building_id=path_id(request))
        return json_response(BuildingOut.model_validate(building))


@routes.route(
    "PATCH",
    "/api/v1/buildings/{id}",
    summary="Update a building",
    tags=TAGS,
    role=Role.coordinator,
    body=BuildingPatch,
    response=BuildingOut,
    errors=(409,),
)
async def update_building(request: web.Request, *, body: BuildingPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        building = await service.update_building(
            session=session, actor=principal(request), building_id=path_id(request), patch=body
        )
        out = BuildingOut.model_validate(building)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/buildings/{id}",
    summary="Delete a building",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_building(request: web.Request) -> web.Response:
    """Refused with 409 while companies or party branches refer to the building."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_building(
            session=session, actor=principal(request), building_id=path_id(request)
        )
    return web.Response(status=204)
