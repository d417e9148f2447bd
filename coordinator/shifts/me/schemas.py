"""Response shapes of the personal link."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class PersonLinkOut(BaseModel):
    person_id: uuid.UUID
    url: str
    expires_at: datetime
