"""The event feed for integrations: every event once, in commit order, resumable."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, field_validator

from coordinator.auth.models import Role
from coordinator.events.catalogue import EVENT_TYPES, PRIVATE_FIELDS
from coordinator.events.service import events_after
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.web.api import ApiRoutes, json_response
from coordinator.web.validation import Query

routes = ApiRoutes()


class EventOut(BaseModel):
    id: uuid.UUID
    type: str
    occurred_at: datetime
    subject_type: str | None
    subject_id: uuid.UUID | None
    data: dict[str, Any]
    cursor: str = Field(description="pass as `after` to continue after this event")


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None = Field(description="the position to continue from (always set)")


class EventQuery(Query):
    after: str | None = Field(default=None, max_length=100)
    types: str | None = Field(default=None, max_length=2000, description="comma-separated")
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("types")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value:
            unknown = [t for t in value.split(",") if t.strip() not in EVENT_TYPES]
            if unknown:
                raise ValueError("unknown event types: " + ", ".join(unknown))
        return value


def encode_position(txid: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}:{seq}".encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        txid, seq = raw.split(":")
        return int(txid), int(seq)
    except (ValueError, UnicodeDecodeError):
        message = Text("游标无效", "the cursor is not valid")
        raise ValidationFailed(message, errors=[FieldError("after", message)]) from None


@routes.route(
    "GET",
    "/api/v1/events",
    summary="Events in commit order, resumable with `after`",
    tags=("events",),
    role=Role.coordinator,
    query=EventQuery,
    response=EventPage,
)
async def list_events(request: web.Request, *, query: EventQuery) -> web.Response:
    """A consumer keeps the last `next_cursor` it processed and asks again with it; events
    appear only once every earlier transaction has finished, so none is skipped. Capability
    links inside events (a contact's confirmation link) are left out here; only signed
    webhooks, e.g. to an SMS gateway, carry them."""
    after = decode_position(query.after) if query.after else None
    types = [t.strip() for t in query.types.split(",")] if query.types else None
    async with request.app[keys.DATABASE].session() as session:
        events = await events_after(session, after=after, types=types, limit=query.limit)
    items = [
        EventOut(
            id=e.id,
            type=e.type,
            occurred_at=e.occurred_at,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            data={k: v for k, v in e.data.items() if k not in PRIVATE_FIELDS},
            cursor=encode_position(e.txid, e.seq),
        )
        for e in events
    ]
    next_cursor = items[-1].cursor if items else query.after
    return json_response(EventPage(items=items, next_cursor=next_cursor))
