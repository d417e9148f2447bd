"""Creating, checking and revoking API tokens (each write audited)."""

from __future__ import annotations

import hmac
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.models import ApiToken, Principal, Role
from coordinator.auth.schemas import TokenOut, TokenQuery
from coordinator.links.service import hash_token
from coordinator.platform.db import Database, utcnow
from coordinator.platform.listing import JsonBody, Listing

PREFIX = "fmn_"

SYSTEM = Principal(token_id=None, name="system", role=Role.admin)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


async def create_token(
    *, session: AsyncSession, name: str, role: Role, token: str | None = None
) -> tuple[ApiToken, str]:
    """Store a new token (or the given one) and return it in clear once."""
    secret = token or new_token()
    row = ApiToken(name=name, role=role, token_hash=hash_token(secret))
    session.add(row)
    await session.flush()
    return row, secret


async def issue_token(
    *, session: AsyncSession, actor: Principal, name: str, role: Role
) -> tuple[ApiToken, str]:
    """Create a token for `actor` (audited without its secret); returned in clear once."""
    row, secret = await create_token(session=session, name=name, role=role)
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="token",
        entity_id=row.id,
        after={"name": row.name, "role": row.role.value},
    )
    return row, secret


async def ensure_token(*, session: AsyncSession, name: str, role: Role, token: str) -> ApiToken:
    """Make sure this exact token exists with this role (used for FUMIN_ADMIN_TOKEN)."""
    digest = hash_token(token)
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None:
        row, _ = await create_token(session=session, name=name, role=role, token=token)
    else:
        row.role = role
        row.revoked_at = None
    return row


async def authenticate(*, session: AsyncSession, token: str) -> Principal | None:
    """The principal for a bearer token, or None if unknown or revoked."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = hash_token(token)
    row = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
    )
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Principal(token_id=row.id, name=row.name, role=row.role)


async def revoke_token(
    *, session: AsyncSession, actor: Principal, token_id: uuid.UUID
) -> ApiToken | None:
    """Revoke a token (audited; revoking it again changes nothing but is audited too)."""
    row = await session.get(ApiToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    record(
        session=session,
        actor=actor,
        action="revoke",
        entity_type="token",
        entity_id=row.id,
        after=snapshot(row),
    )
    return row


async def get_token(*, session: AsyncSession, token_id: uuid.UUID) -> ApiToken | None:
    return await session.get(ApiToken, token_id)


TOKENS = Listing(
    ApiToken,
    TokenOut,
    sorts={"name": ApiToken.name, "created_at": ApiToken.created_at},
    default_sort="created_at",
    filters={
        "role": ApiToken.role,
        "revoked": lambda revoked: ApiToken.revoked_at.is_not(None) == revoked,
    },
    search=(ApiToken.name,),
)


async def list_tokens(*, database: Database, query: TokenQuery) -> JsonBody:
    """A page of tokens, filtered by role, revocation and name."""
    return await TOKENS.page(database, query)
