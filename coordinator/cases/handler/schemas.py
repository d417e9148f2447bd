"""Response shape of the handler link."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class HandlerLinkOut(BaseModel):
    person_id: uuid.UUID
    url: str
    expires_at: datetime


class HandlerLinkRevokedOut(BaseModel):
    person_id: uuid.UUID
    revoked: int
