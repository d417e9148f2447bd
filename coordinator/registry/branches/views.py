"""HTTP for party branches (党支部)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry.branches import service
from coordinator.registry.schemas import (
    PartyBranchIn,
    PartyBranchOut,
    PartyBranchPatch,
    PartyBranchQuery,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


@routes.route(
    "GET",
    "/api/v1/party-branches",
    summary="List party branches (党支部)",
    kept=("party_branches", "party_branch_buildings", "buildings", "people"),
    tags=TAGS,
    query=PartyBranchQuery,
    response=Page[PartyBranchOut],
)
async def list_party_branches(request: web.Request, *, query: PartyBranchQuery) -> web.Response:
    """Filter by kind, parent_id and building_id (branches covering that building)."""
    database = request.app[keys.DATABASE]
    return json_response(await service.list_party_branches(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/party-branches",
    summary="Register a party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=PartyBranchIn,
    response=PartyBranchOut,
    status=201,
    errors=(409,),
)
async def create_party_branch(request: web.Request, *, body: PartyBranchIn) -> web.Response:
    """building_ids lists the buildings the branch covers."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_party_branch(
            session=session, actor=principal(request), data=body
        )
    return created(out, f"/api/v1/party-branches/{out.id}")


@routes.route(
    "GET",
    "/api/v1/party-branches/{id}",
    summary="Read a party branch",
    tags=TAGS,
    response=PartyBranchOut,
)
async def get_party_branch(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_party_branch(session=session, branch_id=path_id(request))
        return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/party-branches/{id}",
    summary="Update a party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=PartyBranchPatch,
    response=PartyBranchOut,
    errors=(409,),
)
async def update_party_branch(request: web.Request, *, body: PartyBranchPatch) -> web.Response:
    """building_ids, when given, replaces the covered buildings; a parent cannot form a loop."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_party_branch(
            session=session, actor=principal(request), branch_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/party-branches/{id}",
    summary="Delete a party branch",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_party_branch(request: web.Request) -> web.Response:
    """Refused with 409 while child branches, companies or people refer to the branch."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_party_branch(
            session=session, actor=principal(request), branch_id=path_id(request)
        )
    return web.Response(status=204)
