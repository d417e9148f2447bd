"""HTTP for blocks (块/包干区), the units they cover and their leaders and deputies."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.blocks import people, service, units
from coordinator.housing.blocks.schemas import (
    BlockIn,
    BlockOut,
    BlockPatch,
    BlockPersonOut,
    BlockPersonQuery,
    BlockQuery,
    PersonIn,
    UnitsIn,
    UnitsOut,
)
from coordinator.housing.models import BlockRole
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("housing",)


@routes.route(
    "GET",
    "/api/v1/blocks",
    summary="List blocks (块/包干区)",
    tags=TAGS,
    query=BlockQuery,
    response=Page[BlockOut],
)
async def list_blocks(request: web.Request, *, query: BlockQuery) -> web.Response:
    """Filter by area_id, or person_id (leading or deputising now); q searches the name."""
    return json_response(
        await service.list_blocks(database=request.app[keys.DATABASE], query=query)
    )


@routes.route(
    "POST",
    "/api/v1/blocks",
    summary="Cut a block in a residential area",
    tags=TAGS,
    role=Role.coordinator,
    body=BlockIn,
    response=BlockOut,
    status=201,
    errors=(409,),
)
async def create_block(request: web.Request, *, body: BlockIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_block(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/blocks/{out.id}")


@routes.route("GET", "/api/v1/blocks/{id}", summary="Read a block", tags=TAGS, response=BlockOut)
async def get_block(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_block(session=session, block_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/blocks/{id}",
    summary="Rename a block",
    tags=TAGS,
    role=Role.coordinator,
    body=BlockPatch,
    response=BlockOut,
    errors=(409,),
)
async def update_block(request: web.Request, *, body: BlockPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_block(
            session=session, actor=principal(request), block_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/blocks/{id}",
    summary="Remove a block that covers no units",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_block(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_block(
            session=session, actor=principal(request), block_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    "/api/v1/blocks/{id}/units",
    summary="The (building, unit) pairs a block covers",
    tags=TAGS,
    response=UnitsOut,
)
async def get_units(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await units.get_units(session=session, block_id=path_id(request))
    return json_response(out)


@routes.route(
    "PUT",
    "/api/v1/blocks/{id}/units",
    summary="Set the (building, unit) pairs a block covers",
    tags=TAGS,
    role=Role.coordinator,
    body=UnitsIn,
    response=UnitsOut,
    errors=(409,),
)
async def set_units(request: web.Request, *, body: UnitsIn) -> web.Response:
    """A pair in another block: 409 naming that block, unless move is true (then it moves,
    its dwellings with it). A pair with dwellings left out: 409 (give it to another block)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await units.set_units(
            session=session, actor=principal(request), block_id=path_id(request), data=body
        )
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/blocks/{id}/people",
    summary="A block's leaders and deputies, present and past",
    tags=TAGS,
    query=BlockPersonQuery,
    response=Page[BlockPersonOut],
)
async def list_block_people(request: web.Request, *, query: BlockPersonQuery) -> web.Response:
    """current=true: those in role now; role: leader or deputy; newest first."""
    page = await people.list_people(
        database=request.app[keys.DATABASE], block_id=path_id(request), query=query
    )
    return json_response(page)


@routes.route(
    "PUT",
    "/api/v1/blocks/{id}/leader",
    summary="Name a block's leader (块长); the former one's term ends",
    tags=TAGS,
    role=Role.coordinator,
    body=PersonIn,
    response=BlockPersonOut,
    errors=(409,),
)
async def set_leader(request: web.Request, *, body: PersonIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await people.set_leader(
            session=session,
            actor=principal(request),
            block_id=path_id(request),
            person_id=body.person_id,
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/blocks/{id}/leader",
    summary="End the block leader's term (the block has none until another is named)",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def end_leader(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await people.end_role(
            session=session,
            actor=principal(request),
            block_id=path_id(request),
            role=BlockRole.leader,
        )
    return web.Response(status=204)


@routes.route(
    "POST",
    "/api/v1/blocks/{id}/deputies",
    summary="Add a deputy block leader (副块长)",
    tags=TAGS,
    role=Role.coordinator,
    body=PersonIn,
    response=BlockPersonOut,
    status=201,
    errors=(409,),
)
async def add_deputy(request: web.Request, *, body: PersonIn) -> web.Response:
    block_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await people.add_deputy(
            session=session, actor=principal(request), block_id=block_id, person_id=body.person_id
        )
    return created(out, f"/api/v1/blocks/{block_id}/people?current=true")


@routes.route(
    "DELETE",
    "/api/v1/blocks/{id}/deputies/{person_id}",
    summary="End a deputy's term",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
)
async def end_deputy(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await people.end_role(
            session=session,
            actor=principal(request),
            block_id=path_id(request),
            role=BlockRole.deputy,
            person_id=path_id(request, "person_id"),
        )
    return web.Response(status=204)
