"""HTTP for designated liaisons: thin handlers."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.visits.liaisons import service
from coordinator.visits.liaisons.schemas import BulkLiaisonIn, BulkLiaisonOut, LiaisonIn, LiaisonOut
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("visits",)


@routes.route(
    "PUT",
    "/api/v1/companies/{id}/liaison",
    summary="Designate a company's liaison (一对一联络员)",
    tags=TAGS,
    role=Role.coordinator,
    body=LiaisonIn,
    response=LiaisonOut,
)
async def assign_liaison(request: web.Request, *, body: LiaisonIn) -> web.Response:
    """Assigning or reassigning raises company.liaison_assigned; both liaisons are told."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.assign_liaison(
            session=session,
            actor=principal(request),
            company_id=path_id(request),
            person_id=body.person_id,
        )
    return json_response(LiaisonOut.model_validate(out))


@routes.route(
    "POST",
    "/api/v1/liaison-assignments",
    summary="Designate one liaison for every company of a building or party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=BulkLiaisonIn,
    response=BulkLiaisonOut,
)
async def bulk_assign(request: web.Request, *, body: BulkLiaisonIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.bulk_assign(session=session, actor=principal(request), data=body)
    return json_response(BulkLiaisonOut.model_validate(out))
