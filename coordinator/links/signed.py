"""Signed page links: a browser carries no bearer token, so a reader asks the API for a
link and opens it. The token names what it opens (ids: the API token it was asked with,
and, say, an area) and when it expires, signed with the secret key for one purpose;
nothing is stored. It works until it expires or that API token is revoked (`holder_live`).
The case reports' page and an area's colour board use it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import ApiToken
from coordinator.platform.db import utcnow

LINK_DAYS = 30
_PART = re.compile(r"^[0-9a-f]{32}$")
_EXPIRES = re.compile(r"^[0-9]{1,12}$")
_MAC = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _mac(secret_key: str, purpose: str, payload: str) -> str:
    message = f"{purpose}:{payload}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(
    secret_key: str, purpose: str, ids: Sequence[uuid.UUID], now: datetime | None = None
) -> tuple[str, datetime]:
    """A link token for `purpose` naming `ids`, and when it expires."""
    expires_at = (now or utcnow()).replace(microsecond=0) + timedelta(days=LINK_DAYS)
    payload = ".".join([*(i.hex for i in ids), str(int(expires_at.timestamp()))])
    return f"{payload}.{_mac(secret_key, purpose, payload)}", expires_at


def verify(
    secret_key: str, purpose: str, token: str, count: int, now: datetime | None = None
) -> tuple[uuid.UUID, ...] | None:
    """The `count` ids a link token for `purpose` names, if its signature holds and it is
    unexpired; None for anything else, alike."""
    parts = token.split(".")
    if len(parts) != count + 2 or len(token) > 200:
        return None
    *ids, expires, mac = parts
    if not (all(_PART.match(i) for i in ids) and _EXPIRES.match(expires) and _MAC.match(mac)):
        return None
    if not hmac.compare_digest(_mac(secret_key, purpose, ".".join([*ids, expires])), mac):
        return None
    if int(expires) <= (now or utcnow()).timestamp():
        return None
    return tuple(uuid.UUID(i) for i in ids)


async def holder_live(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Whether the API token a link was issued to is still in force."""
    stmt = select(ApiToken.id).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    return await session.scalar(stmt) is not None
