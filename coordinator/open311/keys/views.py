"""Managing Open311 API keys (admins only)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.open311.keys import service
from coordinator.open311.keys.schemas import KeyCreated, KeyIn, KeyOut, KeyQuery
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("open311",)
BASE = "/api/v1/open311-keys"


@routes.route(
    "GET",
    BASE,
    summary="List Open311 API keys",
    tags=TAGS,
    role=Role.admin,
    query=KeyQuery,
    response=Page[KeyOut],
)
async def list_open311_keys(request: web.Request, *, query: KeyQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_keys(database=database, query=query))


@routes.route(
    "POST",
    BASE,
    summary="Issue an Open311 API key (shown once)",
    tags=TAGS,
    role=Role.admin,
    body=KeyIn,
    response=KeyCreated,
    status=201,
)
async def create_open311_key(request: web.Request, *, body: KeyIn) -> web.Response:
    """The key is the `api_key` an Open311 client posts requests with; it opens nothing
    under /api/v1. Only its SHA-256 is stored: this answer is the one time it is shown."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row, secret = await service.issue_key(
            session=session, actor=principal(request), name=body.name
        )
        out = KeyCreated.model_validate({**KeyOut.model_validate(row).model_dump(), "key": secret})
    return created(out, f"{BASE}/{out.id}")


@routes.route(
    "GET",
    f"{BASE}/{{id}}",
    summary="Read an Open311 API key",
    tags=TAGS,
    role=Role.admin,
    response=KeyOut,
)
async def read_open311_key(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        row = await service.get_key(session=session, key_id=path_id(request))
        return json_response(KeyOut.model_validate(row))


@routes.route(
    "POST",
    f"{BASE}/{{id}}/revoke",
    summary="Revoke an Open311 API key",
    tags=TAGS,
    role=Role.admin,
    response=KeyOut,
)
async def revoke_open311_key(request: web.Request) -> web.Response:
    """From the next request on, a POST with this key is refused (403)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.revoke_key(
            session=session, actor=principal(request), key_id=path_id(request)
        )
        out = KeyOut.model_validate(row)
    return json_response(out)
