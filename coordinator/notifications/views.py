"""Webhook subscriptions, their delivery logs, and failed deliveries to replay."""

from __future__ import annotations

import uuid

from aiohttp import web

from coordinator.auth.models import Role
from coordinator.notifications import service
from coordinator.notifications.queue import enqueue_delivery
from coordinator.notifications.schemas import (
    DeliveryOut,
    DeliveryQuery,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookQuery,
)
from coordinator.platform import keys
from coordinator.platform.i18n import Text
from coordinator.platform.problems import not_found
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page

routes = ApiRoutes()
TAGS = ("notifications",)
DELIVERY = Text("投递记录", "delivery")


@routes.route(
    "GET",
    "/api/v1/webhooks",
    summary="List webhook subscriptions",
    tags=TAGS,
    role=Role.coordinator,
    query=WebhookQuery,
    response=Page[WebhookOut],
)
async def list_webhooks(request: web.Request, *, query: WebhookQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_webhooks(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/webhooks",
    summary="Subscribe a URL to events (the secret is shown once)",
    tags=TAGS,
    role=Role.admin,
    body=WebhookIn,
    response=WebhookCreated,
    status=201,
)
async def create_webhook(request: web.Request, *, body: WebhookIn) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.create_webhook(session=session, actor=principal(request), data=body)
        out = WebhookCreated.model_validate(row)
    return created(out, f"/api/v1/webhooks/{out.id}")


@routes.route(
    "GET",
    "/api/v1/webhooks/{id}",
    summary="Read a webhook subscription",
    tags=TAGS,
    role=Role.coordinator,
    response=WebhookOut,
)
async def get_webhook(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].session() as session:
        row = await service.get_webhook(session=session, webhook_id=path_id(request))
        return json_response(WebhookOut.model_validate(row))


@routes.route(
    "PATCH",
    "/api/v1/webhooks/{id}",
    summary="Change a webhook subscription",
    tags=TAGS,
    role=Role.admin,
    body=WebhookPatch,
    response=WebhookOut,
)
async def update_webhook(request: web.Request, *, body: WebhookPatch) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.update_webhook(
            session=session, actor=principal(request), webhook_id=path_id(request), patch=body
        )
        out = WebhookOut.model_validate(row)
    return json_response(out)


@routes.route(
    "DELETE",
    "/api/v1/webhooks/{id}",
    summary="Delete a webhook subscription",
    tags=TAGS,
    role=Role.admin,
    status=204,
)
async def delete_webhook(request: web.Request) -> web.Response:
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        await service.delete_webhook(
            session=session, actor=principal(request), webhook_id=path_id(request)
        )
    return web.Response(status=204)


@routes.route(
    "GET",
    "/api/v1/webhooks/{id}/deliveries",
    summary="The delivery log of a subscription",
    tags=TAGS,
    role=Role.coordinator,
    query=DeliveryQuery,
    response=Page[DeliveryOut],
)
async def list_webhook_deliveries(request: web.Request, *, query: DeliveryQuery) -> web.Response:
    page = await service.list_deliveries(
        database=request.app[keys.DATABASE], query=query, subscription_id=path_id(request)
    )
    return json_response(page)


@routes.route(
    "GET",
    "/api/v1/deliveries",
    summary="Deliveries (e.g. ?status=failed)",
    tags=TAGS,
    role=Role.coordinator,
    query=DeliveryQuery,
    response=Page[DeliveryOut],
)
async def list_deliveries(request: web.Request, *, query: DeliveryQuery) -> web.Response:
    database = request.app[keys.DATABASE]
    return json_response(await service.list_deliveries(database=database, query=query))


@routes.route(
    "POST",
    "/api/v1/deliveries/{id}/replay",
    summary="Send a failed delivery again",
    tags=TAGS,
    role=Role.coordinator,
    response=DeliveryOut,
)
async def replay_delivery(request: web.Request) -> web.Response:
    """A failed delivery goes back to pending with fresh attempts; others are left as they are."""
    delivery_id: uuid.UUID = path_id(request)
    async with request.app[keys.DATABASE].sessionmaker.begin() as session:
        row = await service.replay(
            session=session, actor=principal(request), delivery_id=delivery_id
        )
        if row is None:
            raise not_found(DELIVERY)
        out = DeliveryOut.model_validate(row)
    if out.status.value == "pending":
        await enqueue_delivery(request.app[keys.ARQ], out.id)
    return json_response(out)
