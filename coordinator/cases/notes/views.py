"""HTTP for a case's progress notes (办理进展) and their photos."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.notes import service
from coordinator.cases.schemas import NoteIn, NoteOut, NoteQuery
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("cases",)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/notes",
    summary="Add a progress note to a case or one of its tasks",
    tags=TAGS,
    role=Role.coordinator,
    body=NoteIn,
    response=NoteOut,
    status=201,
)
async def add_note(request: web.Request, *, body: NoteIn) -> web.Response:
    """With photos stored first (POST /api/v1/photos); task_id names a task of this case."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        note = await service.add_note(
            session=session,
            actor=principal(request),
            case_id=path_id(request),
            body=body.body,
            task_id=body.task_id,
            photo_ids=body.photo_ids,
        )
        out = await service.note_json(session, note.case_id, note.id)
    location = f"/api/v1/cases/{note.case_id}/notes/{note.id}"
    return json_response(out, status=201, headers={"Location": location})


@routes.route(
    "GET",
    "/api/v1/cases/{id}/notes",
    summary="List a case's progress notes",
    tags=TAGS,
    query=NoteQuery,
    response=Page[NoteOut],
)
async def list_notes(request: web.Request, *, query: NoteQuery) -> web.Response:
    """Newest first; task_id keeps one task's notes; q searches the text."""
    database = request.app[keys.DATABASE]
    return json_response(
        await service.list_notes(database=database, case_id=path_id(request), query=query)
    )


@routes.route(
    "GET",
    "/api/v1/cases/{id}/notes/{note_id}",
    summary="Read a progress note",
    tags=TAGS,
    response=NoteOut,
)
async def get_note(request: web.Request) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(
        await service.note_json(database, path_id(request), path_id(request, "note_id"))
    )
