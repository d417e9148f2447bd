"""HTTP for dwellings: the list, one dwelling, its contact (audited), its state, its
history, and the conflicts to review."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.dwellings import conflicts, history, service
from coordinator.housing.dwellings.schemas import (
    ConflictQuery,
    ContactOut,
    DwellingIn,
    DwellingOut,
    DwellingPatch,
    DwellingQuery,
    HistoryPage,
    HistoryQuery,
    ReviewIn,
    StateIn,
    StateOutcomeOut,
)
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import NotFound
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("housing",)


def _change_id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not text.isdigit() or len(text) > 18:
        raise NotFound(Text("资源不存在", "No such resource"))
    return int(text)


@routes.route(
    "GET",
    "/api/v1/dwellings",
    summary="List dwellings (房屋), contacts masked",
    tags=TAGS,
    query=DwellingQuery,
    response=Page[DwellingOut],
)
async def list_dwellings(request: web.Request, *, query: DwellingQuery) -> web.Response:
    """Filter by area_id, compound_id, building_id, block_id, state, use, and unseen_days
    (not surveyed for that many days, or never); q searches room and building name."""
    return json_response(
        await service.list_dwellings(database=request.app[keys.DATABASE], query=query)
    )


@routes.route(
    "POST",
    "/api/v1/dwellings",
    summary="Add a dwelling",
    tags=TAGS,
    role=Role.coordinator,
    body=DwellingIn,
    response=DwellingOut,
    status=201,
    errors=(409,),
)
async def create_dwelling(request: web.Request, *, body: DwellingIn) -> web.Response:
    """Its (building, unit) must be in a block (422 naming unit); one per building, unit
    and room (409)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.create_dwelling(session=session, actor=principal(request), data=body)
    return created(out, f"/api/v1/dwellings/{out.id}")


@routes.route(
    "GET", "/api/v1/dwellings/{id}", summary="Read a dwelling", tags=TAGS, response=DwellingOut
)
async def get_dwelling(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await service.get_dwelling(session=session, dwelling_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    "/api/v1/dwellings/{id}",
    summary="Update a dwelling (not its state)",
    tags=TAGS,
    role=Role.coordinator,
    body=DwellingPatch,
    response=DwellingOut,
    errors=(409,),
)
async def update_dwelling(request: web.Request, *, body: DwellingPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.update_dwelling(
            session=session, actor=principal(request), dwelling_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/dwellings/{id}",
    summary="Remove a dwelling no case names",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
    errors=(409,),
)
async def delete_dwelling(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_dwelling(
            session=session, actor=principal(request), dwelling_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    "/api/v1/dwellings/{id}/contact",
    summary="Read a dwelling's contact whole (audited)",
    tags=TAGS,
    role=Role.coordinator,
    response=ContactOut,
)
async def read_contact(request: web.Request) -> web.Response:
    """Only for the coordinators of its area (named by an admin in the area's survey
    settings) and admins: 403 for anyone else. Every read leaves an audit row `read`."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await history.read_contact(
            session=session, actor=principal(request), dwelling_id=path_id(request)
        )
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/dwellings/{id}/state",
    summary="Set a dwelling's state, with what was seen",
    tags=TAGS,
    role=Role.coordinator,
    body=StateIn,
    response=StateOutcomeOut,
)
async def set_state(request: web.Request, *, body: StateIn) -> web.Response:
    """A history row, the version one higher and dwelling.state_changed; a suspect state
    opens a case at the dwelling. With a stale base_version the change is kept flagged
    (conflict true) for review instead."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await history.change_state(
            session=session, actor=principal(request), dwelling_id=path_id(request), data=body
        )
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/dwellings/{id}/history",
    summary="A dwelling's states, newest first",
    tags=TAGS,
    query=HistoryQuery,
    response=HistoryPage,
)
async def dwelling_history(request: web.Request, *, query: HistoryQuery) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await history.history(session=session, dwelling_id=path_id(request), query=query)
    return json_response(out)


@routes.route(
    "GET",
    "/api/v1/dwelling-conflicts",
    summary="Conflicting results to review",
    tags=TAGS,
    query=ConflictQuery,
    response=HistoryPage,
)
async def list_conflicts(request: web.Request, *, query: ConflictQuery) -> web.Response:
    """Results made against an older version of their dwelling; filter by area_id or
    dwelling_id; reviewed=true lists those already applied or dismissed."""
    async with request.app[keys.DATABASE].session() as session:
        out = await conflicts.list_conflicts(session=session, query=query)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/dwelling-conflicts/{id}/apply",
    summary="Apply a conflicting result: its state becomes the dwelling's",
    tags=TAGS,
    role=Role.coordinator,
    body=ReviewIn,
    response=StateOutcomeOut,
    errors=(409,),
)
async def apply_conflict(request: web.Request, *, body: ReviewIn) -> web.Response:
    """409 once reviewed."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await conflicts.apply_conflict(
            session=session, actor=principal(request), change_id=_change_id(request), note=body.note
        )
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/dwelling-conflicts/{id}/dismiss",
    summary="Dismiss a conflicting result: the dwelling stays as it is",
    tags=TAGS,
    role=Role.coordinator,
    body=ReviewIn,
    response=StateOutcomeOut,
    errors=(409,),
)
async def dismiss_conflict(request: web.Request, *, body: ReviewIn) -> web.Response:
    """409 once reviewed."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await conflicts.dismiss_conflict(
            session=session, actor=principal(request), change_id=_change_id(request), note=body.note
        )
    return json_response(out)
