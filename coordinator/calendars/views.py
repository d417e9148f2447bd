"""HTTP for feed subscriptions: thin handlers over the token service."""

from __future__ import annotations

import uuid

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.calendars import service
from coordinator.calendars.models import FeedToken
from coordinator.calendars.schemas import FeedIssued, FeedList, FeedOut, PersonFeedIn, TeamFeedIn
from coordinator.platform import keys
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal

routes = ApiRoutes()
FEEDS = ("calendar feeds",)


def _base_url(request: web.Request) -> str:
    return request.app[keys.SETTINGS].base_url


def _page(feeds: list[FeedToken]) -> web.Response:
    items = [FeedOut.model_validate(f) for f in feeds]
    return json_response(FeedList(items=items, next_cursor=None, total=len(items)))


# What team and personal feeds share: `owner` is team_id=… or person_id=…


async def _list(request: web.Request, **owner: uuid.UUID) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        return _page(await service.list_feeds(session=session, **owner))


async def _read(request: web.Request, **owner: uuid.UUID) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        feed = await service.get_feed(session=session, feed_id=path_id(request, "feed_id"), **owner)
        return json_response(FeedOut.model_validate(feed))


async def _issue(request: web.Request, *, label: str, **owner: uuid.UUID) -> FeedIssued:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        return await service.issue_feed(
            session=session,
            actor=principal(request),
            base_url=_base_url(request),
            label=label,
            **owner,
        )


async def _rotate(request: web.Request, **owner: uuid.UUID) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        out = await service.rotate_feed(
            session=session,
            actor=principal(request),
            base_url=_base_url(request),
            feed_id=path_id(request, "feed_id"),
            **owner,
        )
    return json_response(out)


async def _revoke(request: web.Request, **owner: uuid.UUID) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.revoke_feed(
            session=session,
            actor=principal(request),
            feed_id=path_id(request, "feed_id"),
            **owner,
        )
    return web.Response(status=204)


# Team feeds


@routes.route(
    "GET",
    "/api/v1/teams/{id}/feeds",
    summary="List a team's calendar feed subscriptions (日历订阅)",
    tags=FEEDS,
    response=FeedList,
)
async def list_team_feeds(request: web.Request) -> web.Response:
    return await _list(request, team_id=path_id(request))


@routes.route(
    "POST",
    "/api/v1/teams/{id}/feeds",
    summary="Give a team member a URL to the team's calendar feed",
    tags=FEEDS,
    role=Role.coordinator,
    body=TeamFeedIn,
    response=FeedIssued,
    status=201,
)
async def create_team_feed(request: web.Request, *, body: TeamFeedIn) -> web.Response:
    """The URLs carry the secret and are shown only here and on rotation."""
    team_id = path_id(request)
    out = await _issue(request, label=body.label, team_id=team_id, person_id=body.person_id)
    return created(out, f"/api/v1/teams/{team_id}/feeds/{out.id}")


@routes.route(
    "GET",
    "/api/v1/teams/{id}/feeds/{feed_id}",
    summary="Read a team feed subscription (its URL is not shown again)",
    tags=FEEDS,
    response=FeedOut,
)
async def read_team_feed(request: web.Request) -> web.Response:
    return await _read(request, team_id=path_id(request))


@routes.route(
    "POST",
    "/api/v1/teams/{id}/feeds/{feed_id}/rotate",
    summary="Replace a team feed's URL (the old one answers 404)",
    tags=FEEDS,
    role=Role.coordinator,
    response=FeedIssued,
)
async def rotate_team_feed(request: web.Request) -> web.Response:
    return await _rotate(request, team_id=path_id(request))


@routes.route(
    "DELETE",
    "/api/v1/teams/{id}/feeds/{feed_id}",
    summary="Revoke a team feed's URL",
    tags=FEEDS,
    role=Role.coordinator,
    status=204,
)
async def revoke_team_feed(request: web.Request) -> web.Response:
    return await _revoke(request, team_id=path_id(request))


# Personal feeds


@routes.route(
    "GET",
    "/api/v1/people/{id}/feeds",
    summary="List a person's personal calendar feed subscriptions",
    tags=FEEDS,
    response=FeedList,
)
async def list_person_feeds(request: web.Request) -> web.Response:
    return await _list(request, person_id=path_id(request))


@routes.route(
    "POST",
    "/api/v1/people/{id}/feeds",
    summary="Give a person a URL to their own visits and shifts",
    tags=FEEDS,
    role=Role.coordinator,
    body=PersonFeedIn,
    response=FeedIssued,
    status=201,
)
async def create_person_feed(request: web.Request, *, body: PersonFeedIn) -> web.Response:
    """The URLs carry the secret and are shown only here and on rotation."""
    person_id = path_id(request)
    out = await _issue(request, label=body.label, person_id=person_id)
    return created(out, f"/api/v1/people/{person_id}/feeds/{out.id}")


@routes.route(
    "GET",
    "/api/v1/people/{id}/feeds/{feed_id}",
    summary="Read a personal feed subscription (its URL is not shown again)",
    tags=FEEDS,
    response=FeedOut,
)
async def read_person_feed(request: web.Request) -> web.Response:
    return await _read(request, person_id=path_id(request))


@routes.route(
    "POST",
    "/api/v1/people/{id}/feeds/{feed_id}/rotate",
    summary="Replace a personal feed's URL (the old one answers 404)",
    tags=FEEDS,
    role=Role.coordinator,
    response=FeedIssued,
)
async def rotate_person_feed(request: web.Request) -> web.Response:
    return await _rotate(request, person_id=path_id(request))


@routes.route(
    "DELETE",
    "/api/v1/people/{id}/feeds/{feed_id}",
    summary="Revoke a personal feed's URL",
    tags=FEEDS,
    role=Role.coordinator,
    status=204,
)
async def revoke_person_feed(request: web.Request) -> web.Response:
    return await _revoke(request, person_id=path_id(request))
