"""Keyset cursors of lists: the sort, and the sort value and id of the last row shown."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, datetime
from json.encoder import encode_basestring
from typing import Any

from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed

_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(ensure_ascii=False), made once


def encode(sort: str, value: Any, row_id: uuid.UUID) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    elif isinstance(value, date):
        value = {"d": value.isoformat()}
    # As json.dumps([sort, value, id], ensure_ascii=False) writes it; a text value (the
    # usual sort) without building an encoder.
    shown = encode_basestring(value) if isinstance(value, str) else _JSON.encode(value)
    raw = f'[{encode_basestring(sort)}, {shown}, "{row_id}"]'.encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bad_cursor() -> ValidationFailed:
    message = Text("分页游标无效", "the cursor is not valid for this list")
    return ValidationFailed(message, errors=[FieldError("cursor", message)])


def decode(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    """The sort value and id a cursor continues after (422 if it is not one of this sort)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if isinstance(value, dict):
            value = (
                date.fromisoformat(value["d"])
                if "d" in value
                else datetime.fromisoformat(value["t"])
            )
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError):
        raise bad_cursor() from None
    if cursor_sort != sort:
        raise bad_cursor()
    return value, parsed_id
