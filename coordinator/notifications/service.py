"""Webhook subscriptions, the delivery log, and replaying failed deliveries (each write
audited). Handling events and sending deliveries is in `handling` and `sending`."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.models import Principal
from coordinator.notifications.models import Delivery, DeliveryStatus, WebhookSubscription
from coordinator.notifications.schemas import (
    DeliveryOut,
    DeliveryQuery,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookQuery,
)
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.resources import get_or_404, patch_values

WEBHOOK = Text("回调推送订阅", "webhook subscription")


WEBHOOKS = Listing(
    WebhookSubscription,
    WebhookOut,
    sorts={"created_at": WebhookSubscription.created_at, "url": WebhookSubscription.url},
    default_sort="created_at",
    filters={"active": WebhookSubscription.active},
    search=(WebhookSubscription.url, WebhookSubscription.description),
)


async def list_webhooks(*, database: Database, query: WebhookQuery) -> JsonBody:
    return await WEBHOOKS.page(database, query)


async def create_webhook(
    *, session: AsyncSession, actor: Principal, data: WebhookIn
) -> WebhookSubscription:
    """Subscribe a URL, with a signing secret of its own (shown once, never audited)."""
    row = WebhookSubscription(**data.model_dump(), secret="whsec_" + secrets.token_urlsafe(32))
    session.add(row)
    await audit_created(session, actor, row, "webhook")
    return row


async def get_webhook(
    *, session: AsyncSession, webhook_id: uuid.UUID, lock: bool = False
) -> WebhookSubscription:
    return await get_or_404(session, WebhookSubscription, webhook_id, WEBHOOK, lock=lock)


async def update_webhook(
    *, session: AsyncSession, actor: Principal, webhook_id: uuid.UUID, patch: WebhookPatch
) -> WebhookSubscription:
    row = await get_webhook(session=session, webhook_id=webhook_id, lock=True)
    values = patch_values(patch, required={"url", "event_types", "active"})
    await apply_update(session, actor, row, values, "webhook")
    return row


async def delete_webhook(*, session: AsyncSession, actor: Principal, webhook_id: uuid.UUID) -> None:
    row = await get_webhook(session=session, webhook_id=webhook_id, lock=True)
    await delete_row(session, actor, row, "webhook", WEBHOOK)


DELIVERIES = Listing(
    Delivery,
    DeliveryOut,
    sorts={"created_at": Delivery.created_at, "updated_at": Delivery.updated_at},
    default_sort="-created_at",
    filters={
        "subscription_id": Delivery.subscription_id,
        "status": Delivery.status,
        "channel": Delivery.channel,
        "event_id": Delivery.event_id,
    },
    search=(Delivery.recipient,),
)


async def list_deliveries(
    *, database: Database, query: DeliveryQuery, subscription_id: uuid.UUID | None = None
) -> JsonBody:
    """A page of deliveries, of one subscription (404 if it is unknown) or of all."""
    if subscription_id is None:
        return await DELIVERIES.page(database, query)
    async with database.session() as session:
        await get_webhook(session=session, webhook_id=subscription_id)
    return await DELIVERIES.page(database, query, subscription_id=subscription_id)


async def replay(
    *, session: AsyncSession, actor: Principal, delivery_id: uuid.UUID
) -> Delivery | None:
    """Put a failed delivery back in the queue with fresh attempts (audited); others are
    left as they are. None if there is no such delivery."""
    delivery = await session.scalar(
        select(Delivery).where(Delivery.id == delivery_id).with_for_update()
    )
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.failed:
        before = {"status": delivery.status.value, "attempts": delivery.attempts}
        delivery.status = DeliveryStatus.pending
        delivery.attempts = 0
        delivery.not_before = None
        delivery.enqueued_at = utcnow()
        record(
            session=session,
            actor=actor,
            action="replay",
            entity_type="delivery",
            entity_id=delivery.id,
            before=before,
            after={"status": delivery.status.value, "attempts": 0},
        )
    return delivery
