"""The signed link to the page of charts (/case-reports/{token}): a signed page link
(`links.signed`) naming the API token it was asked with; it opens only the reports
(read only)."""

from __future__ import annotations

import uuid
from datetime import datetime

from coordinator.links.signed import holder_live, sign, verify

PURPOSE = "case-reports"
__all__ = ["holder_live", "issue", "signed_token_id"]


def issue(
    secret_key: str, token_id: uuid.UUID, now: datetime | None = None
) -> tuple[str, datetime]:
    """A link token for the holder of this API token, and when it expires."""
    return sign(secret_key, PURPOSE, [token_id], now)


def signed_token_id(secret_key: str, token: str, now: datetime | None = None) -> uuid.UUID | None:
    """The API token a link token was issued to, if it holds and is unexpired."""
    ids = verify(secret_key, PURPOSE, token, 1, now)
    return ids[0] if ids else None
