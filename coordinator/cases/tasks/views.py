"""HTTP for the departments' tasks on a case: add, read, drop, accept, finish, hand back,
send again."""

from __future__ import annotations

import uuid

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.schemas import AcceptTaskIn, DoneIn, HandBackIn, TaskIn, TaskOut
from coordinator.cases.service import task_json
from coordinator.cases.tasks import service
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.worktime.service import load_calendar

routes = ApiRoutes()
TAGS = ("cases",)
TASK = "/api/v1/cases/{id}/tasks/{task_id}"


def _ids(request: web.Request) -> tuple[uuid.UUID, uuid.UUID]:
    return path_id(request), path_id(request, "task_id")


@routes.route(
    "POST",
    "/api/v1/cases/{id}/tasks",
    summary="Give a department a task on the case",
    tags=TAGS,
    role=Role.coordinator,
    body=TaskIn,
    response=TaskOut,
    status=201,
    errors=(409,),
)
async def add_task(request: web.Request, *, body: TaskIn) -> web.Response:
    """Pending, due on the department's own working hours. The first department of a
    case with no lead leads it (role lead); a department already on the case is 409."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        task = await service.add_task(
            session=session,
            actor=principal(request),
            settings=settings,
            case_id=path_id(request),
            data=body,
            calendar=await load_calendar(session, settings, watch=request.app[CHANGES]),
        )
        out = await task_json(session, task.case_id, task.id)
    location = f"/api/v1/cases/{task.case_id}/tasks/{task.id}"
    return json_response(out, status=201, headers={"Location": location})


@routes.route("GET", TASK, summary="Read a task of a case", tags=TAGS, response=TaskOut)
async def get_task(request: web.Request) -> web.Response:
    case_id, task_id = _ids(request)
    return json_response(await task_json(request.app[keys.DATABASE], case_id, task_id))


@routes.route(
    "DELETE",
    TASK,
    summary="Drop a co-handler's task",
    tags=TAGS,
    role=Role.coordinator,
    response=TaskOut,
    errors=(409,),
)
async def drop_task(request: web.Request) -> web.Response:
    """→ dropped (the lead's own task cannot be). Answers the dropped task."""
    case_id, task_id = _ids(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.drop_task(
            session=session, actor=principal(request), case_id=case_id, task_id=task_id
        )
        out = await task_json(session, case_id, task_id)
    return json_response(out)


@routes.route(
    "POST",
    TASK + "/accept",
    summary="Accept a task (接单)",
    tags=TAGS,
    role=Role.coordinator,
    body=AcceptTaskIn,
    response=TaskOut,
    errors=(409,),
)
async def accept_task(request: web.Request, *, body: AcceptTaskIn) -> web.Response:
    """pending → accepted, by a member of the department (assignee_id); the case's first
    accepted task puts it in progress. The case must have been accepted."""
    case_id, task_id = _ids(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.accept_task(
            session=session,
            actor=principal(request),
            case_id=case_id,
            task_id=task_id,
            assignee_id=body.assignee_id,
        )
        out = await task_json(session, case_id, task_id)
    return json_response(out)


@routes.route(
    "POST",
    TASK + "/done",
    summary="Finish a task",
    tags=TAGS,
    role=Role.coordinator,
    body=DoneIn,
    response=TaskOut,
    errors=(409,),
)
async def complete_task(request: web.Request, *, body: DoneIn) -> web.Response:
    """accepted → done, with what was done and photos of it."""
    case_id, task_id = _ids(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.complete_task(
            session=session,
            actor=principal(request),
            case_id=case_id,
            task_id=task_id,
            note=body.note,
            photo_ids=body.photo_ids,
        )
        out = await task_json(session, case_id, task_id)
    return json_response(out)


@routes.route(
    "POST",
    TASK + "/hand-back",
    summary="Hand a co-handler's task back (退回)",
    tags=TAGS,
    role=Role.coordinator,
    body=HandBackIn,
    response=TaskOut,
    errors=(409,),
)
async def hand_back_task(request: web.Request, *, body: HandBackIn) -> web.Response:
    """pending or accepted → returned, with the reason; the lead then drops it or sends it
    again. The lead's own task cannot be handed back."""
    case_id, task_id = _ids(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.hand_back_task(
            session=session,
            actor=principal(request),
            case_id=case_id,
            task_id=task_id,
            reason=body.reason,
        )
        out = await task_json(session, case_id, task_id)
    return json_response(out)


@routes.route(
    "POST",
    TASK + "/resend",
    summary="Send a returned task to its department again",
    tags=TAGS,
    role=Role.coordinator,
    response=TaskOut,
    errors=(409,),
)
async def resend_task(request: web.Request) -> web.Response:
    """returned → pending, with a fresh due time."""
    case_id, task_id = _ids(request)
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.resend_task(
            session=session,
            actor=principal(request),
            settings=settings,
            case_id=case_id,
            task_id=task_id,
            calendar=await load_calendar(session, settings, watch=request.app[CHANGES]),
        )
        out = await task_json(session, case_id, task_id)
    return json_response(out)
