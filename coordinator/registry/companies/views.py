"""HTTP for companies (企业)."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.platform import keys
from coordinator.registry.companies import service
from coordinator.registry.schemas import CompanyIn, CompanyOut, CompanyPatch, CompanyQuery
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("registry",)


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
    database = request.app[keys.DATABASE]
    return json_response(await service.list_companies(database=database, query=query))


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
        company = await service.create_company(session=session, actor=principal(request), data=body)
        out = CompanyOut.model_validate(company)
    return created(out, f"/api/v1/companies/{out.id}")


@routes.route(
    "GET", "/api/v1/companies/{id}", summary="Read a company", tags=TAGS, response=CompanyOut
)
async def get_company(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        company = await service.get_company(session=session, company_id=path_id(request))
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
        company = await service.update_company(
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
        await service.delete_company(
            session=session, actor=principal(request), company_id=path_id(request)
        )
    return web.Response(status=204)
