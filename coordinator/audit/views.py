"""Reading the audit log (admins only)."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from coordinator.audit.models import AuditEntry
from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.web.api import ApiRoutes, json_response
from coordinator.web.listing import Page
from coordinator.web.validation import Query

routes = ApiRoutes()


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_token_id: uuid.UUID | None
    actor_name: str
    action: str
    entity_type: str
    entity_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditQuery(Query):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=50)
    entity_type: str | None = Field(default=None, max_length=50)
    entity_id: uuid.UUID | None = None
    action: str | None = Field(default=None, max_length=20)
    actor_token_id: uuid.UUID | None = None


@routes.route(
    "GET",
    "/api/v1/audit-log",
    summary="Who changed what, newest first",
    tags=("access",),
    role=Role.admin,
    query=AuditQuery,
    response=Page[AuditOut],
)
async def list_audit_log(request: web.Request, *, query: AuditQuery) -> web.Response:
    """Entries newest first; the cursor continues to older entries."""
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity_type, query.entity_type),
        (AuditEntry.entity_id, query.entity_id),
        (AuditEntry.action, query.action),
        (AuditEntry.actor_token_id, query.actor_token_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    async with request.app[keys.DATABASE].session() as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        if query.cursor:
            stmt = stmt.where(AuditEntry.id < _decode(query.cursor))
        rows = list(
            (
                await session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(query.limit + 1))
            ).all()
        )
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = base64.urlsafe_b64encode(str(rows[-1].id).encode()).decode()
    return json_response(
        {
            "items": [AuditOut.model_validate(r).model_dump(mode="json") for r in rows],
            "next_cursor": next_cursor,
            "total": total or 0,
        }
    )


def _decode(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        message = Text("分页游标无效", "the cursor is not valid for this list")
        raise ValidationFailed(message, errors=[FieldError("cursor", message)]) from None
