"""Request and response shapes of feed subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from coordinator.people.schemas import OneLine
from coordinator.web.validation import Body

Label = Annotated[str, Field(min_length=1, max_length=100), OneLine]


class TeamFeedIn(Body):
    """A team feed for one member (their membership is re-checked on every fetch)."""

    person_id: uuid.UUID
    label: Label = "日历订阅"


class PersonFeedIn(Body):
    label: Label = "日历订阅"


class FeedUrls(BaseModel):
    """Where a calendar app subscribes: shown once, when the token is issued or rotated."""

    https: str
    webcal: str
    google: str


class FeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    team_id: uuid.UUID | None
    person_id: uuid.UUID
    label: str
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


class FeedIssued(FeedOut):
    urls: FeedUrls


class FeedList(BaseModel):
    items: list[FeedOut]
    next_cursor: str | None
    total: int
