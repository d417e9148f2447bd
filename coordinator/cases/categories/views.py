"""HTTP for case categories (事项类型) and routing rules (派单规则)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.categories import routing, service
from coordinator.cases.categories.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CategoryQuery,
    ResolvedOut,
    ResolveQuery,
    RouteIn,
    RouteOut,
    RoutePatch,
    RouteQuery,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("case categories",)


@routes.route(
    "GET",
    "/api/v1/case-categories",
    summary="List case categories (事项类型)",
    kept=("case_categories",),
    tags=TAGS,
    query=CategoryQuery,
    response=Page[CategoryOut],
)
async def list_categories(request: web.Request, *, query: CategoryQuery) -> web.Response:
    """Sorted by code (default) or name; filter by active, public, group; q searches code,
    names and keywords."""
    database = request.app[keys.DATABASE]
    return json_response(await service.list_categories(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/case-categories",
    summary="Create a case category",
    tags=TAGS,
    role=Role.coordinator,
    body=CategoryIn,
    response=CategoryOut,
    status=201,
    errors=(409,),
)
async def create_category(request: web.Request, *, body: CategoryIn) -> web.Response:
    """code unique (the Open311 service_code); escalation steps in ascending after_hours;
    attributes are Open311 attribute definitions."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        category = await service.create_category(
            session=session, actor=principal(request), data=body
        )
        out = CategoryOut.model_validate(category)
    return created(out, f"/api/v1/case-categories/{out.id}")


@routes.route(
    "GET",
    "/api/v1/case-categories/{id}",
    summary="Read a case category",
    tags=TAGS,
    response=CategoryOut,
)
async def get_category(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        category = await service.get_category(session=session, category_id=path_id(request))
        return json_response(CategoryOut.model_validate(category))


@routes.route(
    "PATCH",
    "/api/v1/case-categories/{id}",
    summary="Update a case category",
    tags=TAGS,
    role=Role.coordinator,
    body=CategoryPatch,
    response=CategoryOut,
    errors=(409,),
)
async def update_category(request: web.Request, *, body: CategoryPatch) -> web.Response:
    """New clocks apply to cases filed from now on."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        category = await service.update_category(
            session=session, actor=principal(request), category_id=path_id(request), patch=body
        )
        out = CategoryOut.model_validate(category)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/case-categories/{id}",
    summary="Delete a case category no case is filed under",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_category(request: web.Request) -> web.Response:
    """Its routing rules are deleted with it; 409 while cases name it (deactivate it)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_category(
            session=session, actor=principal(request), category_id=path_id(request)
        )
    return web.Response(status=204)


# Routing rules


@routes.route(
    "GET",
    "/api/v1/case-routes",
    summary="List routing rules (派单规则)",
    kept=("case_routes", "case_route_helpers"),
    tags=TAGS,
    query=RouteQuery,
    response=Page[RouteOut],
)
async def list_routes(request: web.Request, *, query: RouteQuery) -> web.Response:
    """Filter by category_id, area_id, building_id, department_id (leading or co-handling)."""
    database = request.app[keys.DATABASE]
    return json_response(await routing.list_routes(database=database, query=query))


@routes.route(
    "GET",
    "/api/v1/case-routes/resolve",
    summary="Which routing rule applies to a category at a place",
    tags=TAGS,
    query=ResolveQuery,
    response=ResolvedOut,
)
async def resolve_route(request: web.Request, *, query: ResolveQuery) -> web.Response:
    """The building's rule, else the building's area's or the given area's, else the
    category's own (no place); matched null: no rule, a case would wait for a coordinator."""
    async with request.app[keys.DATABASE].session() as session:
        out = await service.resolve(session=session, query=query)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/case-routes",
    summary="Create a routing rule",
    tags=TAGS,
    role=Role.coordinator,
    body=RouteIn,
    response=RouteOut,
    status=201,
    errors=(409,),
)
async def create_route(request: web.Request, *, body: RouteIn) -> web.Response:
    """For a building (building_id), an area (area_id) or anywhere (neither); one rule per
    category and place (409 naming the place); the lead is not among the co-handlers."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await routing.create_route(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/case-routes/{out.id}")


@routes.route(
    "GET",
    "/api/v1/case-routes/{id}",
    summary="Read a routing rule",
    tags=TAGS,
    response=RouteOut,
)
async def get_route(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await routing.get_route(session=session, route_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/case-routes/{id}",
    summary="Update a routing rule",
    tags=TAGS,
    role=Role.coordinator,
    body=RoutePatch,
    response=RouteOut,
    errors=(409,),
)
async def update_route(request: web.Request, *, body: RoutePatch) -> web.Response:
    """helper_department_ids replaces the co-handlers; cases already filed keep their tasks."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await routing.update_route(
            session=session, actor=principal(request), route_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/case-routes/{id}",
    summary="Delete a routing rule",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
)
async def delete_route(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await routing.delete_route(
            session=session, actor=principal(request), route_id=path_id(request)
        )
    return web.Response(status=204)
