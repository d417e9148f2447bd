"""HTTP for a company's contacts (联系人)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry.contacts import service
from coordinator.registry.schemas import ContactIn, ContactOut, ContactPatch, ContactQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


def _contact_location(out: ContactOut) -> str:
    return f"/api/v1/companies/{out.company_id}/contacts/{out.id}"


@routes.route(
    "GET",
    "/api/v1/companies/{id}/contacts",
    summary="List a company's contacts (联系人)",
    kept=("contacts", "companies"),
    tags=TAGS,
    query=ContactQuery,
    response=Page[ContactOut],
)
async def list_contacts(request: web.Request, *, query: ContactQuery) -> web.Response:
    page = await service.list_contacts(
        database=request.app[keys.DATABASE], company_id=path_id(request), query=query
    )
    return json_response(page)


@routes.route(
    "POST",
    "/api/v1/companies/{id}/contacts",
    summary="Add a contact to a company",
    tags=TAGS,
    role=Role.coordinator,
    body=ContactIn,
    response=ContactOut,
    status=201,
)
async def create_contact(request: web.Request, *, body: ContactIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        contact = await service.create_contact(
            session=session, actor=principal(request), company_id=path_id(request), data=body
        )
        out = ContactOut.model_validate(contact)
    return created(out, _contact_location(out))


@routes.route(
    "GET",
    "/api/v1/companies/{id}/contacts/{contact_id}",
    summary="Read a contact",
    tags=TAGS,
    response=ContactOut,
)
async def get_contact(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        contact = await service.get_contact(
            session=session,
            company_id=path_id(request),
            contact_id=path_id(request, "contact_id"),
        )
        return json_response(ContactOut.model_validate(contact))


@routes.route(
    "PATCH",
    "/api/v1/companies/{id}/contacts/{contact_id}",
    summary="Update a contact",
    tags=TAGS,
    role=Role.coordinator,
    body=ContactPatch,
    response=ContactOut,
)
async def update_contact(request: web.Request, *, body: ContactPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        contact = await service.update_contact(
            session=session,
            actor=principal(request),
            company_id=path_id(request),
            contact_id=path_id(request, "contact_id"),
            patch=body,
        )
        out = ContactOut.model_validate(contact)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/companies/{id}/contacts/{contact_id}",
    summary="Delete a contact",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_contact(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_contact(
            session=session,
            actor=principal(request),
            company_id=path_id(request),
            contact_id=path_id(request, "contact_id"),
        )
    return web.Response(status=204)
