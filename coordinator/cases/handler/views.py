"""HTTP for issuing and revoking a field handler's link: thin handlers over links.py."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.handler import links
from coordinator.cases.handler.schemas import HandlerLinkOut, HandlerLinkRevokedOut
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("cases",)
PATH = "/api/v1/people/{id}/handler-link"


@routes.route(
    "POST",
    PATH,
    summary="Issue a field handler's link /h/{token} (shown once; the old one stops working)",
    tags=TAGS,
    role=Role.coordinator,
    response=HandlerLinkOut,
    status=201,
)
async def issue_handler_link(request: web.Request) -> web.Response:
    """The person's page of their departments' open tasks: accept, note, done, hand back.
    Mailed to the person when they have an email address."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        person, url, expires_at = await links.issue_handler_link(
            session=session,
            actor=principal(request),
            person_id=path_id(request),
            base_url=settings.base_url,
        )
    out = HandlerLinkOut(person_id=person.id, url=url, expires_at=expires_at)
    return json_response(out, status=201, headers={"Cache-Control": "no-store"})


@routes.route(
    "DELETE",
    PATH,
    summary="Revoke a field handler's link",
    tags=TAGS,
    role=Role.coordinator,
    response=HandlerLinkRevokedOut,
)
async def revoke_handler_link(request: web.Request) -> web.Response:
    """The link stops working at once; answers how many links were live (0 or 1)."""
    person_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        count = await links.revoke_handler_link(
            session=session, actor=principal(request), person_id=person_id
        )
    return json_response(HandlerLinkRevokedOut(person_id=person_id, revoked=count))
