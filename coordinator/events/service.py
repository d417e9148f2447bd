"""Raising events (inside the caller's transaction) and reading them in commit order
(the feed, resumable from a cursor)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sqlalchemy import BigInteger, String, any_, cast, func
from sqlalchemy import type_coerce as coerce
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.catalogue import EVENT_TYPES, PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.events.schemas import EventOut, EventQuery
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import jsonb_json
from coordinator.platform.keyed import Key, KeyedListing
from coordinator.platform.listing import JsonBody
from coordinator.platform.problems import FieldError, ValidationFailed


def record_event(
    session: AsyncSession,
    type: str,
    *,
    data: dict[str, Any],
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    actor: str | None = None,
) -> OutboxEvent:
    """Add an event to the outbox; it commits or rolls back with the caller's change."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = OutboxEvent(
        id=uuid.uuid4(),
        type=type,
        data=data,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
    )
    session.add(event)
    return event


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


_PRIVATE = ", ".join(f"'{name}'" for name in sorted(PRIVATE_FIELDS))
# encode_position in SQL: each event carries its own cursor.
_POSITION = (
    "'\"' || rtrim(translate(encode(convert_to(outbox.txid::text || ':' || outbox.seq::text,"
    " 'UTF8'), 'base64'), '+/' || chr(10), '-_'), '=') || '\"'"
)
# Only events of transactions older than every transaction still running: those can no
# longer be joined by an earlier-ordered event, so a reader that resumes from the last
# position it saw misses nothing.
_SETTLED = OutboxEvent.txid < cast(
    cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), sqltypes.Text()), BigInteger
)

FEED = KeyedListing(
    OutboxEvent,
    EventOut,
    key=Key(
        (OutboxEvent.txid, OutboxEvent.seq), lambda key: encode_position(*key), decode_position
    ),
    where=_SETTLED,
    filters={"type_in": lambda types: OutboxEvent.type == any_(coerce(types, ARRAY(String)))},
    json={
        "data": jsonb_json(f"outbox.data - ARRAY[{_PRIVATE}]::text[]", compact=True),
        "cursor": _POSITION,
    },
    cursor_field="after",
    feed=True,
    compact=True,
)


async def feed(database: Database, query: EventQuery) -> JsonBody:
    """A page of the feed after the query's cursor, in commit order, capability links
    left out."""
    types = [t.strip() for t in query.types.split(",")] if query.types else None
    return await FEED.page(database, query, type_in=types)
