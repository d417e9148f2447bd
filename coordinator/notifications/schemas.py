"""Shapes for webhook subscriptions and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from coordinator.events.catalogue import EVENT_TYPES
from coordinator.notifications.models import Channel, DeliveryStatus
from coordinator.web.listing import ListQuery
from coordinator.web.validation import Body


def _event_types(values: list[str]) -> list[str]:
    unknown = [v for v in values if v != "*" and v not in EVENT_TYPES]
    if unknown:
        raise ValueError("unknown event types: " + ", ".join(unknown))
    return sorted(set(values))


def _url(value: str) -> str:
    if not value.startswith(("https://", "http://")) or len(value) < 10:
        raise ValueError("must be an http:// or https:// URL")
    return value


EventTypes = Annotated[list[str], Field(min_length=1, max_length=100), AfterValidator(_event_types)]
Url = Annotated[str, Field(max_length=500), AfterValidator(_url)]


class WebhookIn(Body):
    url: Url
    event_types: EventTypes = Field(description='event types, or ["*"] for all')
    description: Annotated[str, Field(max_length=200)] | None = None
    active: bool = True


class WebhookPatch(Body):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Annotated[str, Field(max_length=200)] | None = None
    active: bool | None = None


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="signs every delivery; shown once")


class WebhookQuery(ListQuery):
    active: bool | None = None


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: uuid.UUID
    channel: Channel
    recipient: str
    subscription_id: uuid.UUID | None
    status: DeliveryStatus
    attempts: int
    max_attempts: int
    not_before: datetime | None
    sent_at: datetime | None
    last_error: str | None
    response_status: int | None
    created_at: datetime
    updated_at: datetime


class DeliveryQuery(ListQuery):
    status: DeliveryStatus | None = None
    channel: Channel | None = None
    event_id: uuid.UUID | None = None
