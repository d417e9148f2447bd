"""HTTP for departments (部门/力量) and their members."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.departments import members, service
from coordinator.departments.schemas import (
    DepartmentIn,
    DepartmentMemberIn,
    DepartmentMemberOut,
    DepartmentMemberPatch,
    DepartmentMemberQuery,
    DepartmentOut,
    DepartmentPatch,
    DepartmentQuery,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("departments",)


@routes.route(
    "GET",
    "/api/v1/departments",
    summary="List departments (部门/力量)",
    kept=("departments", "department_members", "teams"),
    tags=TAGS,
    query=DepartmentQuery,
    response=Page[DepartmentOut],
)
async def list_departments(request: web.Request, *, query: DepartmentQuery) -> web.Response:
    """Filter by kind, active, team_id, area_id; q searches the name."""
    database = request.app[keys.DATABASE]
    return json_response(await service.list_departments(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/departments",
    summary="Register a department",
    tags=TAGS,
    role=Role.coordinator,
    body=DepartmentIn,
    response=DepartmentOut,
    status=201,
    errors=(409,),
)
async def create_department(request: web.Request, *, body: DepartmentIn) -> web.Response:
    """Name unique; a department linked to a team (team_id) takes its members from it."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_department(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/departments/{out.id}")


@routes.route(
    "GET",
    "/api/v1/departments/{id}",
    summary="Read a department",
    tags=TAGS,
    response=DepartmentOut,
)
async def get_department(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_department(session=session, department_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/departments/{id}",
    summary="Update a department",
    tags=TAGS,
    role=Role.coordinator,
    body=DepartmentPatch,
    response=DepartmentOut,
    errors=(409,),
)
async def update_department(request: web.Request, *, body: DepartmentPatch) -> web.Response:
    """Linking it to a team (team_id) needs it to have no members of its own."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_department(
            session=session, actor=principal(request), department_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/departments/{id}",
    summary="Delete a department no case, task or routing rule names",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_department(request: web.Request) -> web.Response:
    """409 while a case, a case's task or a routing rule names it; its members go with it."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_department(
            session=session, actor=principal(request), department_id=path_id(request)
        )
    return web.Response(status=204)


# Members


@routes.route(
    "GET",
    "/api/v1/departments/{id}/members",
    summary="List a department's members",
    kept=("department_members", "departments", "team_members", "people"),
    tags=TAGS,
    query=DepartmentMemberQuery,
    response=Page[DepartmentMemberOut],
)
async def list_department_members(
    request: web.Request, *, query: DepartmentMemberQuery
) -> web.Response:
    """A department that is a team lists the team's members (its lead: the team's lead)."""
    page = await members.list_members(
        database=request.app[keys.DATABASE], department_id=path_id(request), query=query
    )
    return json_response(page)


@routes.route(
    "POST",
    "/api/v1/departments/{id}/members",
    summary="Add a member to a department",
    tags=TAGS,
    role=Role.coordinator,
    body=DepartmentMemberIn,
    response=DepartmentMemberOut,
    status=201,
    errors=(409,),
)
async def add_department_member(request: web.Request, *, body: DepartmentMemberIn) -> web.Response:
    """is_lead makes them the lead (the former lead stays a member). 409 for a department
    that is a team: its members are kept on the team."""
    department_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await members.add_member(
            session=session, actor=principal(request), department_id=department_id, data=body
        )
    return created(out, f"/api/v1/departments/{department_id}/members/{out.person_id}")


@routes.route(
    "GET",
    "/api/v1/departments/{id}/members/{person_id}",
    summary="Read a department membership",
    tags=TAGS,
    response=DepartmentMemberOut,
)
async def get_department_member(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await members.get_member(
            session=session,
            department_id=path_id(request),
            person_id=path_id(request, "person_id"),
        )
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/departments/{id}/members/{person_id}",
    summary="Make a member the lead, or no longer the lead",
    tags=TAGS,
    role=Role.coordinator,
    body=DepartmentMemberPatch,
    response=DepartmentMemberOut,
    errors=(409,),
)
async def update_department_member(
    request: web.Request, *, body: DepartmentMemberPatch
) -> web.Response:
    """The lead moves in one transaction; two leads named at once: one 200, one 409."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await members.update_member(
            session=session,
            actor=principal(request),
            department_id=path_id(request),
            person_id=path_id(request, "person_id"),
            is_lead=body.is_lead,
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/departments/{id}/members/{person_id}",
    summary="Take a person off a department",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def remove_department_member(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await members.remove_member(
            session=session,
            actor=principal(request),
            department_id=path_id(request),
            person_id=path_id(request, "person_id"),
        )
    return web.Response(status=204)
