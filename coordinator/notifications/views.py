"""Webhook subscriptions, their delivery logs, and failed deliveries to replay."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from aiohttp import web
from sqlalchemy import select

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.models import Role
from coordinator.notifications import service
from coordinator.notifications.models import Delivery, WebhookSubscription
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
from coordinator.platform.resources import get_or_404, patch_values
from coordinator.web.api import ApiRoutes, created, json_response, path_id
from coordinator.web.bearer import principal
from coordinator.web.listing import Page, paginate, search

routes = ApiRoutes()
TAGS = ("notifications",)
WEBHOOK = Text("回调推送订阅", "webhook subscription")
DELIVERY = Text("投递记录", "delivery")


async def _deliveries(request: web.Request, query: DeliveryQuery, **where: Any) -> dict[str, Any]:
    stmt = select(Delivery)
    for name, value in (
        ("status", query.status),
        ("channel", query.channel),
        ("event_id", query.event_id),
        *where.items(),
    ):
        if value is not None:
            stmt = stmt.where(getattr(Delivery, name) == value)
    if (match := search([Delivery.recipient], query.q)) is not None:
        stmt = stmt.where(match)
    async with request.app[keys.DATABASE].session() as session:
        return await paginate(
            session,
            stmt,
            query=query,
            id_column=Delivery.id,
            sortable={"created_at": Delivery.created_at, "updated_at": Delivery.updated_at},
            default_sort="-created_at",
            serialize=DeliveryOut.model_validate,
        )


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
    stmt = select(WebhookSubscription)
    if query.active is not None:
        stmt = stmt.where(WebhookSubscription.active.is_(query.active))
    if (
        match := search([WebhookSubscription.url, WebhookSubscription.description], query.q)
    ) is not None:
        stmt = stmt.where(match)
    async with request.app[keys.DATABASE].session() as session:
        page = await paginate(
            session,
            stmt,
            query=query,
            id_column=WebhookSubscription.id,
            sortable={"created_at": WebhookSubscription.created_at, "url": WebhookSubscription.url},
            default_sort="created_at",
            serialize=WebhookOut.model_validate,
        )
    return json_response(page)


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
        row = WebhookSubscription(**body.model_dump(), secret="whsec_" + secrets.token_urlsafe(32))
        session.add(row)
        await audit_created(session, principal(request), row, "webhook")
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
        row = await get_or_404(session, WebhookSubscription, path_id(request), WEBHOOK)
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
        row = await get_or_404(session, WebhookSubscription, path_id(request), WEBHOOK, lock=True)
        values = patch_values(body, required={"url", "event_types", "active"})
        await apply_update(session, principal(request), row, values, "webhook")
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
        row = await get_or_404(session, WebhookSubscription, path_id(request), WEBHOOK, lock=True)
        await delete_row(session, principal(request), row, "webhook", WEBHOOK)
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
    subscription_id = path_id(request)
    async with request.app[keys.DATABASE].session() as session:
        await get_or_404(session, WebhookSubscription, subscription_id, WEBHOOK)
    return json_response(await _deliveries(request, query, subscription_id=subscription_id))


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
    return json_response(await _deliveries(request, query))


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
