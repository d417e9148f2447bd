"""HTTP for merging a duplicate case into its master."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.cases.merging import service
from coordinator.cases.schemas import CaseOut, MergeIn
from coordinator.cases.service import case_json
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("cases",)


@routes.route(
    "POST",
    "/api/v1/cases/{id}/merge",
    summary="Merge a case into another (its master)",
    tags=TAGS,
    role=Role.coordinator,
    body=MergeIn,
    response=CaseOut,
    errors=(409,),
)
async def merge_case(request: web.Request, *, body: MergeIn) -> web.Response:
    """Both open: this one becomes merged (its live tasks dropped) and its reporter hears
    of the master's progress from now on. Answers the merged case."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        case = await service.merge_case(
            session=session,
            actor=principal(request),
            case_id=path_id(request),
            master_id=body.master_id,
        )
        out = await case_json(session, case.id)
    return json_response(out)
