"""Managing API tokens (admins only)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from coordinator.audit.service import record, snapshot
from coordinator.auth import service
from coordinator.auth.models import ApiToken, Role
from coordinator.auth.schemas import TokenCreated, TokenIn, TokenOut, TokenQuery
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import not_found
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import forget_tokens, principal
from coordinator.web.listing import Page, paginate, search

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
    stmt = select(ApiToken)
    if query.role:
        stmt = stmt.where(ApiToken.role == query.role)
    if query.revoked is not None:
        stmt = stmt.where(
            ApiToken.revoked_at.is_not(None) if query.revoked else ApiToken.revoked_at.is_(None)
        )
    if (match := search([ApiToken.name], query.q)) is not None:
        stmt = stmt.where(match)
    async with request.app[keys.DATABASE].session() as session:
        page = await paginate(
            session,
            stmt,
            query=query,
            id_column=ApiToken.id,
            sortable={"name": ApiToken.name, "created_at": ApiToken.created_at},
            default_sort="created_at",
            serialize=TokenOut.model_validate,
        )
    return json_response(page)


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
    actor = principal(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row, secret = await service.create_token(session=session, name=body.name, role=body.role)
        record(
            session=session,
            actor=actor,
            action="create",
            entity_type="token",
            entity_id=row.id,
            after={"name": row.name, "role": row.role.value},
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
    actor = principal(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.revoke_token(session=session, token_id=path_id(request))
        if row is None:
            raise not_found(TOKEN)
        record(
            session=session,
            actor=actor,
            action="revoke",
            entity_type="token",
            entity_id=row.id,
            after=snapshot(row),
        )
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
        row = await session.get(ApiToken, path_id(request))
        if row is None:
            raise not_found(TOKEN)
        return json_response(TokenOut.model_validate(row))
