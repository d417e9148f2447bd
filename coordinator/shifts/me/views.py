"""HTTP for issuing the personal link: a thin handler over the service."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.shifts.me import links
from coordinator.shifts.me.schemas import PersonLinkOut
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
SIGNUPS = ("signups",)


@routes.route(
    "POST",
    "/api/v1/people/{id}/link",
    summary="Issue a person's personal link /me/{token} (shown once; the old one stops working)",
    tags=SIGNUPS,
    role=Role.coordinator,
    response=PersonLinkOut,
    status=201,
)
async def issue_person_link(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    person_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        token, expires_at = await links.issue_person_link(
            session=session, actor=principal(request), person_id=person_id
        )
    out = PersonLinkOut(
        person_id=person_id, url=f"{settings.base_url}/me/{token}", expires_at=expires_at
    )
    return json_response(out, status=201, headers={"Cache-Control": "no-store"})
