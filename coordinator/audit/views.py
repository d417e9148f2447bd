"""Reading the audit log (admins only)."""

from __future__ import annotations

from aiohttp import web

from coordinator.audit import service
from coordinator.audit.schemas import AuditOut, AuditQuery
from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response
from coordinator.web.listing import Page

routes = ApiRoutes()


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
    database = request.app[keys.DATABASE]
    return json_response(await service.list_entries(database=database, query=query))
