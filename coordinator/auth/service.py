"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import ApiToken, Role
from coordinator.links.service import hash_token
from coordinator.platform.db import utcnow

PREFIX = "fmn_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, name and role."""

    token_id: uuid.UUID | None
    name: str
    role: Role


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


async def revoke_token(*, session: AsyncSession, token_id: uuid.UUID) -> ApiToken | None:
    row = await session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
