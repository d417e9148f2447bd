"""Sending one delivery through its channel (email, webhook) and noting the outcome on
it: sent, failed for good, or a retry after a backoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.catalogue import PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.notifications import email, webhooks
from coordinator.notifications.errors import PermanentError, TransientError
from coordinator.notifications.gateways import Gateways
from coordinator.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    WebhookSubscription,
)

log = structlog.get_logger("fumin.notifications")


def event_payload(event: OutboxEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }


def backoff(attempts: int, base: float) -> float:
    """Exponential backoff: base, 2·base, 4·base … capped at an hour."""
    return float(min(base * 2 ** max(attempts - 1, 0), 3600.0))


def without_links(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in PRIVATE_FIELDS}


async def try_once(
    session: AsyncSession,
    gateways: Gateways,
    delivery: Delivery,
    event: OutboxEvent,
    clock: Callable[[], datetime],
) -> float | None:
    """Send once, noting the outcome on the delivery; the seconds to wait before trying
    again, or None once it is settled (sent, or failed for good). An unexpected error (a
    template that will not render) counts as a failed attempt like a transient one, so it
    ends, at the limit, as a failed delivery a coordinator sees and can replay."""
    delivery.attempts += 1
    try:
        delivery.response_status = await _send(session, gateways, delivery, event)
    except PermanentError as exc:
        delivery.last_error = str(exc)[:2000]
        delivery.response_status = exc.status
        delivery.status = DeliveryStatus.failed
        return None
    except TransientError as exc:
        delivery.last_error = str(exc)[:2000]
        delivery.response_status = exc.status
        return _again(delivery, gateways, clock)
    except DBAPIError:
        raise  # the transaction is lost: nothing of this attempt can be written
    except Exception as exc:
        log.exception("delivery_error", delivery_id=str(delivery.id))
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        return _again(delivery, gateways, clock)
    delivery.status = DeliveryStatus.sent
    delivery.sent_at = clock()
    delivery.last_error = None
    if any(k in delivery.context for k in PRIVATE_FIELDS):
        delivery.context = without_links(delivery.context)
    return None


def _again(delivery: Delivery, gateways: Gateways, clock: Callable[[], datetime]) -> float | None:
    """After a failed attempt: failed for good at the limit, else a retry after a backoff."""
    if delivery.attempts >= delivery.max_attempts:
        delivery.status = DeliveryStatus.failed
        return None
    retry_in = backoff(delivery.attempts, gateways.settings.retry_base_seconds)
    delivery.enqueued_at = clock() + timedelta(seconds=retry_in)
    return retry_in


async def _send(
    session: AsyncSession, gateways: Gateways, delivery: Delivery, event: OutboxEvent
) -> int | None:
    settings = gateways.settings
    if delivery.channel == Channel.webhook:
        subscription = (
            await session.get(WebhookSubscription, delivery.subscription_id)
            if delivery.subscription_id
            else None
        )
        if subscription is None or not subscription.active:
            raise PermanentError("the webhook subscription is gone or inactive")
        return await webhooks.post(
            gateways.http,
            url=subscription.url,
            secret=subscription.secret,
            event=event_payload(event),
        )
    if delivery.channel == Channel.email:
        rendered = email.render(delivery.template or "", delivery.language, delivery.context)
        message = email.build_message(
            sender=settings.mail_from,
            to=delivery.recipient,
            rendered=rendered,
            msg_id=email.message_id(str(event.id), delivery.recipient),
            language=delivery.language,
        )
        if gateways.smtp is not None:
            await gateways.smtp.send(message)
        else:
            email.write_eml(settings.mail_dir, message)
        return None
    raise PermanentError(f"no gateway configured for channel {delivery.channel.value}")
