"""HTTP for compounds, housing buildings and each area's survey settings."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.places import service, survey
from coordinator.housing.places.schemas import (
    AreaSurveyIn,
    AreaSurveyOut,
    CompoundIn,
    CompoundOut,
    CompoundPatch,
    CompoundQuery,
    HousingBuildingIn,
    HousingBuildingOut,
    HousingBuildingPatch,
    HousingBuildingQuery,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("housing",)


@routes.route(
    "GET",
    "/api/v1/compounds",
    summary="List compounds (小区) and streets of shops",
    tags=TAGS,
    query=CompoundQuery,
    response=Page[CompoundOut],
)
async def list_compounds(request: web.Request, *, query: CompoundQuery) -> web.Response:
    """Filter by area_id and kind; q searches name and address; default walking order."""
    return json_response(
        await service.list_compounds(database=request.app[keys.DATABASE], query=query)
    )


@routes.route(
    "POST",
    "/api/v1/compounds",
    summary="Add a compound to a residential area",
    tags=TAGS,
    role=Role.coordinator,
    body=CompoundIn,
    response=CompoundOut,
    status=201,
    errors=(409,),
)
async def create_compound(request: web.Request, *, body: CompoundIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_compound(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/compounds/{out.id}")


@routes.route(
    "GET", "/api/v1/compounds/{id}", summary="Read a compound", tags=TAGS, response=CompoundOut
)
async def get_compound(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_compound(session=session, compound_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/compounds/{id}",
    summary="Update a compound",
    tags=TAGS,
    role=Role.coordinator,
    body=CompoundPatch,
    response=CompoundOut,
    errors=(409,),
)
async def update_compound(request: web.Request, *, body: CompoundPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_compound(
            session=session, actor=principal(request), compound_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/compounds/{id}",
    summary="Delete a compound with no buildings",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_compound(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_compound(
            session=session, actor=principal(request), compound_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    "/api/v1/housing-buildings",
    summary="List the buildings (幢/号) of compounds",
    tags=TAGS,
    query=HousingBuildingQuery,
    response=Page[HousingBuildingOut],
)
async def list_housing_buildings(
    request: web.Request, *, query: HousingBuildingQuery
) -> web.Response:
    """Filter by compound_id or area_id; q searches the name; default walking order."""
    return json_response(
        await service.list_buildings(database=request.app[keys.DATABASE], query=query)
    )


@routes.route(
    "POST",
    "/api/v1/housing-buildings",
    summary="Add a building to a compound",
    tags=TAGS,
    role=Role.coordinator,
    body=HousingBuildingIn,
    response=HousingBuildingOut,
    status=201,
    errors=(409,),
)
async def create_housing_building(request: web.Request, *, body: HousingBuildingIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_building(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/housing-buildings/{out.id}")


@routes.route(
    "GET",
    "/api/v1/housing-buildings/{id}",
    summary="Read a housing building",
    tags=TAGS,
    response=HousingBuildingOut,
)
async def get_housing_building(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_building(session=session, building_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/housing-buildings/{id}",
    summary="Update a housing building",
    tags=TAGS,
    role=Role.coordinator,
    body=HousingBuildingPatch,
    response=HousingBuildingOut,
    errors=(409,),
)
async def update_housing_building(
    request: web.Request, *, body: HousingBuildingPatch
) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_building(
            session=session, actor=principal(request), building_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/housing-buildings/{id}",
    summary="Delete a housing building with no dwellings",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_housing_building(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_building(
            session=session, actor=principal(request), building_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    "/api/v1/areas/{id}/survey",
    summary="Read a residential area's survey settings",
    tags=TAGS,
    response=AreaSurveyOut,
)
async def get_survey(request: web.Request) -> web.Response:
    """The defaults (created_at null) while none are set."""
    async with request.app[keys.DATABASE].session() as session:
        out = await survey.get_survey(session=session, area_id=path_id(request))
    return json_response(out)


@routes.route(
    "PUT",
    "/api/v1/areas/{id}/survey",
    summary="Set a residential area's survey settings",
    tags=TAGS,
    role=Role.coordinator,
    body=AreaSurveyIn,
    response=AreaSurveyOut,
)
async def put_survey(request: web.Request, *, body: AreaSurveyIn) -> web.Response:
    """Lead, rounds a day and their window, longest gap, stale days; an admin also names
    the area's coordinators (coordinator_token_ids: 403 for anyone else)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await survey.put_survey(
            session=session, actor=principal(request), area_id=path_id(request), data=body
        )
    return json_response(out)
