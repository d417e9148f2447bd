"""HTTP for people and teams: thin handlers over the services."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.people import members, service, teams
from coordinator.people.schemas import (
    MemberIn,
    MemberPatch,
    MemberQuery,
    MembershipOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonQuery,
    TeamIn,
    TeamOut,
    TeamPatch,
    TeamQuery,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
PEOPLE = ("people",)
TEAMS = ("teams",)


# People


@routes.route(
    "GET",
    "/api/v1/people",
    summary="List people (人员)",
    kept=("people", "party_branches", "team_members", "teams"),
    tags=PEOPLE,
    query=PersonQuery,
    response=Page[PersonOut],
)
async def list_people(request: web.Request, *, query: PersonQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_people(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/people",
    summary="Register a person",
    tags=PEOPLE,
    role=Role.coordinator,
    body=PersonIn,
    response=PersonOut,
    status=201,
)
async def create_person(request: web.Request, *, body: PersonIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        person = await service.create_person(session=session, actor=principal(request), data=body)
        out = PersonOut.model_validate(person)
    return created(out, f"/api/v1/people/{out.id}")


@routes.route(
    "GET", "/api/v1/people/{id}", summary="Read a person", tags=PEOPLE, response=PersonOut
)
async def get_person(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        person = await service.get_person(session=session, person_id=path_id(request))
        return json_response(PersonOut.model_validate(person))


@routes.route(
    "PATCH",
    "/api/v1/people/{id}",
    summary="Update a person",
    tags=PEOPLE,
    role=Role.coordinator,
    body=PersonPatch,
    response=PersonOut,
)
async def update_person(request: web.Request, *, body: PersonPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        person = await service.update_person(
            session=session, actor=principal(request), person_id=path_id(request), patch=body
        )
        out = PersonOut.model_validate(person)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/people/{id}",
    summary="Delete a person no team or party branch still names",
    tags=PEOPLE,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_person(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_person(
            session=session, actor=principal(request), person_id=path_id(request)
        )
    return web.Response(status=204)


# Teams


@routes.route(
    "GET",
    "/api/v1/teams",
    summary="List teams (团队) with their members",
    kept=("teams", "team_members", "people"),
    tags=TEAMS,
    query=TeamQuery,
    response=Page[TeamOut],
)
async def list_teams(request: web.Request, *, query: TeamQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await teams.list_teams(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/teams",
    summary="Form a team",
    tags=TEAMS,
    role=Role.coordinator,
    body=TeamIn,
    response=TeamOut,
    status=201,
    errors=(409,),
)
async def create_team(request: web.Request, *, body: TeamIn) -> web.Response:
    """The lead (lead_id, or the one member with role lead) is a member with role lead."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await teams.create_team(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/teams/{out.id}")


@routes.route("GET", "/api/v1/teams/{id}", summary="Read a team", tags=TEAMS, response=TeamOut)
async def get_team(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        return json_response(await teams.get_team(session=session, team_id=path_id(request)))


@routes.route(
    "PATCH",
    "/api/v1/teams/{id}",
    summary="Update a team or hand its lead to someone else",
    tags=TEAMS,
    role=Role.coordinator,
    body=TeamPatch,
    response=TeamOut,
    errors=(409,),
)
async def update_team(request: web.Request, *, body: TeamPatch) -> web.Response:
    """A new lead_id makes that person a member with role lead; the old lead stays a member."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await teams.update_team(
            session=session, actor=principal(request), team_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/teams/{id}",
    summary="Delete a team",
    tags=TEAMS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_team(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await teams.delete_team(session=session, actor=principal(request), team_id=path_id(request))
    return web.Response(status=204)


# Team members


@routes.route(
    "GET",
    "/api/v1/teams/{id}/members",
    summary="List a team's members",
    kept=("team_members", "teams", "people"),
    tags=TEAMS,
    query=MemberQuery,
    response=Page[MembershipOut],
)
async def list_members(request: web.Request, *, query: MemberQuery) -> web.Response:
    """Sort by name (default), role (lead, deputy, member) or created_at."""
    page = await members.list_members(
        database=request.app[keys.DATABASE], team_id=path_id(request), query=query
    )
    return json_response(page)


@routes.route(
    "POST",
    "/api/v1/teams/{id}/members",
    summary="Add a member to a team",
    tags=TEAMS,
    role=Role.coordinator,
    body=MemberIn,
    response=MembershipOut,
    status=201,
    errors=(409,),
)
async def add_member(request: web.Request, *, body: MemberIn) -> web.Response:
    """Adding someone with role lead makes them the team's lead."""
    team_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await members.add_member(
            session=session, actor=principal(request), team_id=team_id, data=body
        )
    return created(out, f"/api/v1/teams/{team_id}/members/{out.person_id}")


@routes.route(
    "GET",
    "/api/v1/teams/{id}/members/{person_id}",
    summary="Read a team membership",
    tags=TEAMS,
    response=MembershipOut,
)
async def get_member(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await members.get_member(
            session=session, team_id=path_id(request), person_id=path_id(request, "person_id")
        )
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/teams/{id}/members/{person_id}",
    summary="Change a member's role",
    tags=TEAMS,
    role=Role.coordinator,
    body=MemberPatch,
    response=MembershipOut,
)
async def update_member(request: web.Request, *, body: MemberPatch) -> web.Response:
    """Role lead makes the member the team's lead; taking it away leaves the team without one."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await members.update_member(
            session=session,
            actor=principal(request),
            team_id=path_id(request),
            person_id=path_id(request, "person_id"),
            role=body.role,
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/teams/{id}/members/{person_id}",
    summary="Take a person off a team",
    tags=TEAMS,
    role=Role.coordinator,
    status=204,
)
async def remove_member(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await members.remove_member(
            session=session,
            actor=principal(request),
            team_id=path_id(request),
            person_id=path_id(request, "person_id"),
        )
    return web.Response(status=204)
