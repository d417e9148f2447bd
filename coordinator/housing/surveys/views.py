"""HTTP for survey campaigns (排摸行动): /api/v1/survey-campaigns."""

from __future__ import annotations

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.housing.surveys import campaigns
from coordinator.housing.surveys.progress import progress
from coordinator.housing.surveys.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignQuery,
    ProgressOut,
)
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("housing",)
PATH = "/api/v1/survey-campaigns"


@routes.route(
    "GET",
    PATH,
    summary="List survey campaigns (排摸行动)",
    tags=TAGS,
    query=CampaignQuery,
    response=Page[CampaignOut],
)
async def list_survey_campaigns(request: web.Request, *, query: CampaignQuery) -> web.Response:
    """Filter by an area they cover, or the day they are under way (`on`)."""
    database = request.app[keys.DATABASE]
    return json_response(await campaigns.list_campaigns(database=database, query=query))


@routes.route(
    "POST",
    PATH,
    summary="Start a survey campaign over residential areas and a period",
    tags=TAGS,
    role=Role.coordinator,
    body=CampaignIn,
    response=CampaignOut,
    status=201,
)
async def create_survey_campaign(request: web.Request, *, body: CampaignIn) -> web.Response:
    """Every dwelling of the areas is on the walk list of its block's leader while the
    campaign is under way (in the subdistrict's zone)."""
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await campaigns.create_campaign(session=session, actor=principal(request), data=body)
    return created(out, f"{PATH}/{out.id}")


@routes.route(
    "GET", PATH + "/{id}", summary="Read a survey campaign", tags=TAGS, response=CampaignOut
)
async def get_survey_campaign(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        out = await campaigns.get_campaign(session=session, campaign_id=path_id(request))
    return json_response(out)


@routes.route(
    "PATCH",
    PATH + "/{id}",
    summary="Change a survey campaign's name, areas or period",
    tags=TAGS,
    role=Role.coordinator,
    body=CampaignPatch,
    response=CampaignOut,
)
async def update_survey_campaign(request: web.Request, *, body: CampaignPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await campaigns.update_campaign(
            session=session, actor=principal(request), campaign_id=path_id(request), patch=body
        )
    return json_response(out)


@routes.route(
    "DELETE",
    PATH + "/{id}",
    summary="Delete a survey campaign with its results (the dwellings' history stays)",
    tags=TAGS,
    role=Role.coordinator,
    status=204,
)
async def delete_survey_campaign(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await campaigns.delete_campaign(
            session=session, actor=principal(request), campaign_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    PATH + "/{id}/progress",
    summary="A survey campaign's progress per block and area: dwellings covered of the total",
    tags=TAGS,
    response=ProgressOut,
)
async def survey_campaign_progress(request: web.Request) -> web.Response:
    """Each dwelling counted by its latest result in the campaign; covered is any result
    but nobody home (those are the revisits)."""
    async with request.app[keys.DATABASE].session() as session:
        out = await progress(session, path_id(request))
    return json_response(out)
