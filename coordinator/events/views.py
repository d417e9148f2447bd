"""The event feed for integrations: every event once, in commit order, resumable."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.events.schemas import EventPage, EventQuery
from coordinator.events.service import feed
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response

routes = ApiRoutes()


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
    return json_response(await feed(request.app[keys.DATABASE], query))
