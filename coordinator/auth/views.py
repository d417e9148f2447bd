"""Managing API tokens (admins only)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth import service
from coordinator.auth.models import Role
from coordinator.auth.schemas import TokenCreated, TokenIn, TokenOut, TokenQuery
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import not_found
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import forget_tokens, principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("access",)
TOKEN = Text("令牌", "token")


@routes.route(
    "GET",
    "/api/v1/tokens",
    summary="List API tokens",
    tags=TAGS,
    role=Role.admin,
    query=TokenQuery,
    response=Page[TokenOut],
)
async def list_tokens(request: web.Request, *, query: TokenQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_tokens(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/tokens",
    summary="Create an API token (shown once)",
    tags=TAGS,
    role=Role.admin,
    body=TokenIn,
    response=TokenCreated,
    status=201,
)
async def create_token(request: web.Request, *, body: TokenIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row, secret = await service.issue_token(
            session=session, actor=principal(request), name=body.name, role=body.role
        )
        out = TokenCreated(
            id=row.id,
            name=row.name,
            role=row.role,
            created_at=row.created_at,
            revoked_at=None,
            token=secret,
        )
    return created(out, f"/api/v1/tokens/{out.id}")


@routes.route(
    "POST",
    "/api/v1/tokens/{id}/revoke",
    summary="Revoke an API token",
    tags=TAGS,
    role=Role.admin,
    response=TokenOut,
)
async def revoke_token(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.revoke_token(
            session=session, actor=principal(request), token_id=path_id(request)
        )
        if row is None:
            raise not_found(TOKEN)
        out = TokenOut.model_validate(row)
    # After the commit, so no request can put the still-valid token back in the cache.
    forget_tokens(request.app)
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/tokens/{id}",
    summary="Read an API token (never its secret)",
    tags=TAGS,
    role=Role.admin,
    response=TokenOut,
)
async def read_token(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        row = await service.get_token(session=session, token_id=path_id(request))
        if row is None:
            raise not_found(TOKEN)
        return json_response(TokenOut.model_validate(row))
