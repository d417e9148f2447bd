"""Issuing, checking and revoking Open311 API keys (each write audited). A key files
public requests through /open311/v2 and opens nothing else."""

from __future__ import annotations

import hmac
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.models import Principal, Role
from coordinator.links.service import hash_token
from coordinator.open311.keys.schemas import KeyOut, KeyQuery
from coordinator.open311.models import KEY, Open311Key
from coordinator.platform.db import Database, utcnow
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.resources import get_or_404

PREFIX = "o311_"
ENTITY = "open311_key"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


async def issue_key(
    *, session: AsyncSession, actor: Principal, name: str, key: str | None = None
) -> tuple[Open311Key, str]:
    """A new key (or the given one) for `name`, audited without its secret; in clear once."""
    secret = key or new_key()
    row = Open311Key(name=name, key_hash=hash_token(secret), created_by=actor.name)
    session.add(row)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type=ENTITY,
        entity_id=row.id,
        after=snapshot(row),
    )
    return row, secret


async def key_of(*, session: AsyncSession, key: str) -> Open311Key | None:
    """The live key a client sent, or None (unknown, revoked, malformed)."""
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    digest = hash_token(key)
    row = await session.scalar(
        select(Open311Key).where(Open311Key.key_hash == digest, Open311Key.revoked_at.is_(None))
    )
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return row


def filer(key: Open311Key) -> Principal:
    """Who a request filed with `key` is recorded as (audit, events): the key, by name."""
    return Principal(token_id=key.id, name=f"Open311·{key.name}"[:100], role=Role.coordinator)


async def revoke_key(*, session: AsyncSession, actor: Principal, key_id: uuid.UUID) -> Open311Key:
    """Revoke a key at once (audited; revoking it again changes nothing but is audited)."""
    row = await get_or_404(session, Open311Key, key_id, KEY, lock=True)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="revoke",
        entity_type=ENTITY,
        entity_id=row.id,
        after=snapshot(row),
    )
    return row


async def get_key(*, session: AsyncSession, key_id: uuid.UUID) -> Open311Key:
    return await get_or_404(session, Open311Key, key_id, KEY)


KEYS = Listing(
    Open311Key,
    KeyOut,
    sorts={"name": Open311Key.name, "created_at": Open311Key.created_at},
    default_sort="created_at",
    filters={"revoked": lambda revoked: Open311Key.revoked_at.is_not(None) == revoked},
    search=(Open311Key.name,),
)


async def list_keys(*, database: Database, query: KeyQuery) -> JsonBody:
    return await KEYS.page(database, query)
