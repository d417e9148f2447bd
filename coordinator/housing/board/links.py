"""The signed link to an area's board page: a browser carries no bearer token, so a
reader asks the API for a link (/dwelling-board/{token}) and opens it, on a phone or to
print. Like the case reports' link (cases/reports/links.py): the token names the area,
the API token it was asked with and when it expires, signed with the secret key; nothing
is stored. It works until it expires or that API token is revoked, and reads only that
area's board (no personal data is on it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import ApiToken
from coordinator.platform.db import utcnow

LINK_DAYS = 30
_TOKEN = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


def _mac(secret_key: str, payload: str) -> str:
    digest = hmac.new(
        secret_key.encode(), b"dwelling-board:" + payload.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(
    secret_key: str, area_id: uuid.UUID, token_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, datetime]:
    """A link token to the area's board for the holder of this API token, and its expiry."""
    expires_at = (now or utcnow()).replace(microsecond=0) + timedelta(days=LINK_DAYS)
    payload = f"{area_id.hex}.{token_id.hex}.{int(expires_at.timestamp())}"
    return f"{payload}.{_mac(secret_key, payload)}", expires_at


def signed(
    secret_key: str, token: str, now: datetime | None = None
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(area, API token) a link token was issued for, if its signature holds and it is
    unexpired; None for anything else, alike."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    area_hex, token_hex, expires, mac = match.groups()
    if not hmac.compare_digest(_mac(secret_key, f"{area_hex}.{token_hex}.{expires}"), mac):
        return None
    if int(expires) <= (now or utcnow()).timestamp():
        return None
    return uuid.UUID(area_hex), uuid.UUID(token_hex)


async def holder_live(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Whether the API token a link was issued to is still in force."""
    stmt = select(ApiToken.id).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    return await session.scalar(stmt) is not None
