"""HTTP for the registry: thin handlers over the service."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry import companies, service
from coordinator.registry.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    AreaQuery,
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    BuildingQuery,
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CompanyQuery,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
    PartyBranchIn,
    PartyBranchOut,
    PartyBranchPatch,
    PartyBranchQuery,
)
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


@routes.route(
    "GET",
    "/api/v1/areas",
    summary="List areas (居民区/片区)",
    kept=("areas",),
    tags=TAGS,
    query=AreaQuery,
    response=Page[AreaOut],
)
async def list_areas(request: web.Request, *, query: AreaQuery) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await service.list_areas(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/areas",
    summary="Register an area",
    tags=TAGS,
    role=Role.coordinator,
    body=AreaIn,
    response=AreaOut,
    status=201,
    errors=(409,),
)
async def create_area(request: web.Request, *, body: AreaIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        area = await service.create_area(session=session, actor=principal(request), data=body)
        out = AreaOut.model_validate(area)
    return created(out, f"/api/v1/areas/{out.id}")


@routes.route("GET", "/api/v1/areas/{id}", summary="Read an area", tags=TAGS, response=AreaOut)
async def get_area(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        area = await service.get_area(session=session, area_id=path_id(request))
        return json_response(AreaOut.model_validate(area))


@routes.route(
    "PATCH",
    "/api/v1/areas/{id}",
    summary="Update an area",
    tags=TAGS,
    role=Role.coordinator,
    body=AreaPatch,
    response=AreaOut,
    errors=(409,),
)
async def update_area(request: web.Request, *, body: AreaPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        area = await service.update_area(
            session=session, actor=principal(request), area_id=path_id(request), patch=body
        )
        out = AreaOut.model_validate(area)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/areas/{id}",
    summary="Delete an area",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_area(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_area(
            session=session, actor=principal(request), area_id=path_id(request)
        )
    return web.Response(status=204)


# Buildings


@routes.route(
    "GET",
    "/api/v1/buildings",
    summary="List buildings (楼宇)",
    kept=("buildings", "areas"),
    tags=TAGS,
    query=BuildingQuery,
    response=Page[BuildingOut],
)
async def list_buildings(request: web.Request, *, query: BuildingQuery) -> web.Response:
    """Filter by area_id and kind; q searches name and address."""
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await service.list_buildings(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/buildings",
    summary="Register a building",
    tags=TAGS,
    role=Role.coordinator,
    body=BuildingIn,
    response=BuildingOut,
    status=201,
    errors=(409,),
)
async def create_building(request: web.Request, *, body: BuildingIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        building = await service.create_building(
            session=session, actor=principal(request), data=body
        )
        out = BuildingOut.model_validate(building)
    return created(out, f"/api/v1/buildings/{out.id}")


@routes.route(
    "GET", "/api/v1/buildings/{id}", summary="Read a building", tags=TAGS, response=BuildingOut
)
async def get_building(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        building = await service.get_building(session=session, building_id=path_id(request))
        return json_response(BuildingOut.model_validate(building))


@routes.route(
    "PATCH",
    "/api/v1/buildings/{id}",
    summary="Update a building",
    tags=TAGS,
    role=Role.coordinator,
    body=BuildingPatch,
    response=BuildingOut,
    errors=(409,),
)
async def update_building(request: web.Request, *, body: BuildingPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        building = await service.update_building(
            session=session, actor=principal(request), building_id=path_id(request), patch=body
        )
        out = BuildingOut.model_validate(building)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/buildings/{id}",
    summary="Delete a building",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_building(request: web.Request) -> web.Response:
    """Refused with 409 while companies or party branches refer to the building."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_building(
            session=session, actor=principal(request), building_id=path_id(request)
        )
    return web.Response(status=204)


# Party branches


@routes.route(
    "GET",
    "/api/v1/party-branches",
    summary="List party branches (党支部)",
    kept=("party_branches", "party_branch_buildings", "buildings", "people"),
    tags=TAGS,
    query=PartyBranchQuery,
    response=Page[PartyBranchOut],
)
async def list_party_branches(request: web.Request, *, query: PartyBranchQuery) -> web.Response:
    """Filter by kind, parent_id and building_id (branches covering that building)."""
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await service.list_party_branches(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/party-branches",
    summary="Register a party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=PartyBranchIn,
    response=PartyBranchOut,
    status=201,
    errors=(409,),
)
async def create_party_branch(request: web.Request, *, body: PartyBranchIn) -> web.Response:
    """building_ids lists the buildings the branch covers."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_party_branch(
            session=session, actor=principal(request), data=body
        )
    return created(out, f"/api/v1/party-branches/{out.id}")


@routes.route(
    "GET",
    "/api/v1/party-branches/{id}",
    summary="Read a party branch",
    tags=TAGS,
    response=PartyBranchOut,
)
async def get_party_branch(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_party_branch(session=session, branch_id=path_id(request))
        return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/party-branches/{id}",
    summary="Update a party branch",
    tags=TAGS,
    role=Role.coordinator,
    body=PartyBranchPatch,
    response=PartyBranchOut,
    errors=(409,),
)
async def update_party_branch(request: web.Request, *, body: PartyBranchPatch) -> web.Response:
    """building_ids, when given, replaces the covered buildings; a parent cannot form a loop."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_party_branch(
            session=session, actor=principal(request), branch_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/party-branches/{id}",
    summary="Delete a party branch",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_party_branch(request: web.Request) -> web.Response:
    """Refused with 409 while child branches, companies or people refer to the branch."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_party_branch(
            session=session, actor=principal(request), branch_id=path_id(request)
        )
    return web.Response(status=204)


# Companies


@routes.route(
    "GET",
    "/api/v1/companies",
    summary="List companies (企业)",
    kept=("companies", "buildings"),
    tags=TAGS,
    query=CompanyQuery,
    response=Page[CompanyOut],
)
async def list_companies(request: web.Request, *, query: CompanyQuery) -> web.Response:
    """Filter by building_id, area_id, status, party_branch_id, industry; q searches name
    and credit_code."""
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await companies.list_companies(session=session, query=query))


@routes.route(
    "POST",
    "/api/v1/companies",
    summary="Register a company",
    tags=TAGS,
    role=Role.coordinator,
    body=CompanyIn,
    response=CompanyOut,
    status=201,
    errors=(409,),
)
async def create_company(request: web.Request, *, body: CompanyIn) -> web.Response:
    """A company is in a building (floor, unit) or has a street_address; credit_code unique."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        company = await companies.create_company(
            session=session, actor=principal(request), data=body
        )
        out = CompanyOut.model_validate(company)
    return created(out, f"/api/v1/companies/{out.id}")


@routes.route(
    "GET", "/api/v1/companies/{id}", summary="Read a company", tags=TAGS, response=CompanyOut
)
async def get_company(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        company = await companies.get_company(session=session, company_id=path_id(request))
        return json_response(CompanyOut.model_validate(company))


@routes.route(
    "PATCH",
    "/api/v1/companies/{id}",
    summary="Update a company",
    tags=TAGS,
    role=Role.coordinator,
    body=CompanyPatch,
    response=CompanyOut,
    errors=(409,),
)
async def update_company(request: web.Request, *, body: CompanyPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        company = await companies.update_company(
            session=session, actor=principal(request), company_id=path_id(request), patch=body
        )
        out = CompanyOut.model_validate(company)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/companies/{id}",
    summary="Delete a company",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_company(request: web.Request) -> web.Response:
    """The company's contacts are deleted with it."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await companies.delete_company(
            session=session, actor=principal(request), company_id=path_id(request)
        )
    return web.Response(status=204)


# Contacts


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
    async with request.app[keys.DATABASE].session() as session:
        page = await companies.list_contacts(
            session=session, company_id=path_id(request), query=query
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
        contact = await companies.create_contact(
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
        contact = await companies.get_contact(
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
        contact = await companies.update_contact(
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
        await companies.delete_contact(
            session=session,
            actor=principal(request),
            company_id=path_id(request),
            contact_id=path_id(request, "contact_id"),
        )
    return web.Response(status=204)
