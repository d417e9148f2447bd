"""HTTP for closing a case's loop: resolve (办结), the reporter's answer taken down by a
coordinator (回访), close, reopen."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.followup import service
from coordinator.cases.schemas import CaseOut, ReopenIn, ReplyIn, ResolveIn
from coordinator.cases.service import case_json
from coordinator.platform import keys
from coordinator.platform.changes import CHANGES
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.worktime.service import load_calendar

routes = ApiRoutes()
TAGS = ("cases",)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/resolve",
    summary="Resolve a case (办结): the lead's sign-off",
    tags=TAGS,
    role=Role.coordinator,
    body=ResolveIn,
    response=CaseOut,
    errors=(409,),
)
async def resolve_case(request: web.Request, *, body: ResolveIn) -> web.Response:
    """Only when every live task is done (409 naming the unfinished ones otherwise), with
    the resolution, and a photo where the category requires one (here, or on a task or a
    note: 422 naming photo_ids). The reporter is then asked to confirm."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.resolve_case(
            session=session,
            actor=principal(request),
            case_id=path_id(request),
            resolution=body.resolution,
            outcome=body.outcome,
            photo_ids=body.photo_ids,
            settings=request.app[keys.SETTINGS],
        )
        out = await case_json(session, case.id)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/reply",
    summary="Record the reporter's answer to the follow-up (回访)",
    tags=TAGS,
    role=Role.coordinator,
    body=ReplyIn,
    response=CaseOut,
    errors=(409,),
)
async def reply(request: web.Request, *, body: ReplyIn) -> web.Response:
    """For an answer given by phone or in person: satisfied closes the resolved case
    (closed_by confirmed); not satisfied reopens it (feedback, the reason, is needed)."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.confirm_by_reporter(
            session,
            path_id(request),
            body.satisfied,
            body.feedback,
            settings=settings,
            actor=principal(request),
            calendar=await load_calendar(session, settings, watch=request.app[CHANGES]),
        )
        out = await case_json(session, case.id)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/close",
    summary="Close a resolved case (闭环)",
    tags=TAGS,
    role=Role.coordinator,
    response=CaseOut,
    errors=(409,),
)
async def close_case(request: web.Request) -> web.Response:
    """resolved → closed by a coordinator (closed_by coordinator)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.close_case(
            session=session, actor=principal(request), case_id=path_id(request)
        )
        out = await case_json(session, case.id)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/reopen",
    summary="Reopen a resolved or closed case",
    tags=TAGS,
    role=Role.coordinator,
    body=ReopenIn,
    response=CaseOut,
    errors=(409,),
)
async def reopen_case(request: web.Request, *, body: ReopenIn) -> web.Response:
    """→ reopened, with why: a fresh resolution deadline, the lead's task pending again."""
    settings = request.app[keys.SETTINGS]
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.reopen_case(
            session=session,
            actor=principal(request),
            settings=settings,
            case_id=path_id(request),
            reason=body.reason,
            calendar=await load_calendar(session, settings, watch=request.app[CHANGES]),
        )
        out = await case_json(session, case.id)
    return json_response(out)
