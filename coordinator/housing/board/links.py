"""The signed link to an area's board page (/dwelling-board/{token}), to open on a phone
or print: a signed page link (`links.signed`) naming the area and the API token it was
asked with; it reads only that area's board (no personal data is on it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from coordinator.links.signed import holder_live, sign, verify

PURPOSE = "dwelling-board"
__all__ = ["holder_live", "issue", "signed"]


def issue(
    secret_key: str, area_id: uuid.UUID, token_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, datetime]:
    """A link token to the area's board for the holder of this API token, and its expiry."""
    return sign(secret_key, PURPOSE, [area_id, token_id], now)


def signed(
    secret_key: str, token: str, now: datetime | None = None
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(area, API token) a link token was issued for, if it holds and is unexpired."""
    ids = verify(secret_key, PURPOSE, token, 2, now)
    return (ids[0], ids[1]) if ids else None
