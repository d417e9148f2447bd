"""HTTP for campaigns: /api/v1/campaigns."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.campaigns import items, service
from coordinator.campaigns.queue import PLANNING_QUEUE
from coordinator.campaigns.schemas import (
    ApproveIn,
    ApproveOut,
    CampaignIn,
    CampaignOut,
    ItemOut,
    ItemPatch,
    ItemQuery,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
TAGS = ("campaigns",)


@routes.route(
    "POST",
    "/api/v1/campaigns",
    summary="Create a visit campaign (走访行动) with its liaison pool",
    tags=TAGS,
    role=Role.coordinator,
    body=CampaignIn,
    response=CampaignOut,
    status=201,
)
async def create_campaign(request: web.Request, *, body: CampaignIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        campaign = await service.create_campaign(
            session=session, actor=principal(request), data=body
        )
        out = await service.campaign_out(session, campaign)
    return created(out, f"/api/v1/campaigns/{out.id}")


@routes.route(
    "GET",
    "/api/v1/campaigns/{id}",
    summary="Read a campaign: status, planning progress, metrics, what cannot be planned",
    tags=TAGS,
    response=CampaignOut,
)
async def get_campaign(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        campaign = await service.get_campaign(session=session, campaign_id=path_id(request))
        return json_response(await service.campaign_out(session, campaign))


@routes.route(
    "POST",
    "/api/v1/campaigns/{id}/plan",
    summary="Plan (or re-plan around pins) in the background; 202",
    tags=TAGS,
    role=Role.coordinator,
    response=CampaignOut,
    status=202,
)
async def plan_campaign(request: web.Request) -> web.Response:
    campaign_id = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        run = await service.request_plan(
            session=session, actor=principal(request), campaign_id=campaign_id
        )
        campaign = await service.get_campaign(session=session, campaign_id=campaign_id)
        out = await service.campaign_out(session, campaign)
    await request.app[keys.ARQ].enqueue_job(
        "plan_campaign",
        campaign_id=str(campaign_id),
        run=run,
        _job_id=f"plan:{campaign_id}:{run}",
        _queue_name=PLANNING_QUEUE,
    )
    return json_response(out, status=202)


@routes.route(
    "POST",
    "/api/v1/campaigns/{id}/cancel",
    summary="Stop planning; the best plan found so far is kept",
    tags=TAGS,
    role=Role.coordinator,
    response=CampaignOut,
    status=202,
    errors=(409,),
)
async def cancel_campaign(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        campaign = await service.request_cancel(
            session=session, actor=principal(request), campaign_id=path_id(request)
        )
        out = await service.campaign_out(session, campaign)
    return json_response(out, status=202)


@routes.route(
    "GET",
    "/api/v1/campaigns/{id}/items",
    summary="The plan's visits, by liaison, building, day or pinned",
    tags=TAGS,
    query=ItemQuery,
)
async def list_items(request: web.Request, *, query: ItemQuery) -> web.Response:
    page = await items.list_items(
        database=request.app[keys.DATABASE], campaign_id=path_id(request), query=query
    )
    return json_response(page)


@routes.route(
    "PATCH",
    "/api/v1/campaigns/{id}/items/{item_id}",
    summary="Pin an item, or move it to another liaison or time (pinned); re-plan keeps it",
    tags=TAGS,
    role=Role.coordinator,
    body=ItemPatch,
    response=ItemOut,
    errors=(409,),
)
async def patch_item(request: web.Request, *, body: ItemPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        item = await items.patch_item(
            session=session,
            actor=principal(request),
            campaign_id=path_id(request),
            item_id=path_id(request, "item_id"),
            data=body,
            zone=request.app[keys.SETTINGS].zone,
        )
        out = ItemOut.model_validate(item)
    return json_response(out)


@routes.route(
    "POST",
    "/api/v1/campaigns/{id}/approve",
    summary="Propose every planned visit (in batches; approving again creates nothing more)",
    tags=TAGS,
    role=Role.coordinator,
    body=ApproveIn,
    response=ApproveOut,
    errors=(409,),
)
async def approve(request: web.Request, *, body: ApproveIn) -> web.Response:
    settings = request.app[keys.SETTINGS]
    result = await items.approve(
        database=request.app[keys.DATABASE],
        actor=principal(request),
        campaign_id=path_id(request),
        config=settings.visits,
        base_url=settings.base_url,
        batch_size=body.batch_size,
    )
    return json_response(ApproveOut(**result))
