"""Turning events into deliveries and making each delivery, once: what the workers' jobs
do (workers/jobs.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.catalogue import PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.notifications.gateways import Gateways
from coordinator.notifications.models import Channel, Delivery, DeliveryStatus
from coordinator.notifications.quiet import next_allowed
from coordinator.notifications.rules import RuleBook, plan
from coordinator.notifications.sending import try_once, without_links
from coordinator.platform.db import Database, utcnow
from coordinator.platform.settings import Settings, parse_quiet_hours

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Handled:
    """What handling an event left to do: deliveries to attempt now, each in a transaction
    of its own, and deliveries to attempt after a delay (a retry, quiet hours)."""

    due: list[uuid.UUID] = field(default_factory=list)
    later: list[tuple[uuid.UUID, float]] = field(default_factory=list)


async def handle_event_and_send(
    *,
    database: Database,
    gateways: Gateways,
    rules: RuleBook,
    event_id: uuid.UUID,
    clock: Clock = utcnow,
) -> Handled:
    """Handle an event and make the first attempt of its first delivery in one transaction.

    The event's row stays locked until the commit, so a repeated job waits and then finds
    it handled. The deliveries are written first (a write refused, say a webhook
    subscription deleted meanwhile, sends nothing), then the first message goes out and
    its outcome is written; the others are attempted by the caller one transaction each,
    so a worker killed mid-way sends again at most the one message it was sending.
    """
    async with database.sessionmaker.begin() as session:
        event = await _claim(session, event_id, clock())
        if event is None:  # handled before (a repeated job): retry what is still pending
            return Handled(due=await _pending_again(session, event_id, clock()))
        deliveries = await _plan_deliveries(session, event, rules, gateways.settings, clock())
        await _insert(session, deliveries)
        first = next((d for d in deliveries if d.not_before is None), None)
        retry_in = None
        if first is not None:
            retry_in = await try_once(session, gateways, first, event, clock)
            await session.execute(
                update(_DELIVERIES)
                .where(_DELIVERIES.c.id == first.id)
                .values({key: getattr(first, key) for key in _OUTCOME})
            )
        await _forget_settled_links(session, event, deliveries)
    now = clock()
    later = [(d.id, (d.not_before - now).total_seconds()) for d in deliveries if d.not_before]
    if first is not None and retry_in is not None:
        later.append((first.id, retry_in))
    due = [d.id for d in deliveries if d is not first and d.not_before is None]
    return Handled(due=due, later=later)


_OUTBOX = OutboxEvent.metadata.tables["outbox"]
_CLAIM = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("event_id"), _OUTBOX.c.handled_at.is_(None))
    .values(handled_at=bindparam("handled_at"))
    .returning(*_OUTBOX.c)
)
_DELIVERIES = Delivery.metadata.tables["deliveries"]
_STORED = [c.key for c in _DELIVERIES.columns if c.key not in ("created_at", "updated_at")]
# A Core INSERT run with a list of rows (executemany): one statement all the same, built
# and compiled once, where .values([...]) would be compiled anew for every event.
_INSERT_DELIVERIES = insert(_DELIVERIES).on_conflict_do_nothing(
    constraint="uq_deliveries_event_recipient"
)
# What an attempt changes on a delivery.
_OUTCOME = (
    "status",
    "attempts",
    "enqueued_at",
    "sent_at",
    "last_error",
    "response_status",
    "context",
)


async def _claim(session: AsyncSession, event_id: uuid.UUID, now: datetime) -> OutboxEvent | None:
    """Mark an unhandled event handled, locking it until the transaction ends. Returns the
    event as a plain copy: the session does not track it (a Core statement is a fraction
    of an ORM one's cost), so a change to it is written with a statement of its own."""
    found = await session.execute(_CLAIM, {"event_id": event_id, "handled_at": now})
    row = found.first()
    return OutboxEvent(**row._mapping) if row is not None else None


async def _pending_again(
    session: AsyncSession, event_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    pending = await session.scalars(
        update(Delivery)
        .where(Delivery.event_id == event_id, Delivery.status == DeliveryStatus.pending)
        .values(enqueued_at=now)
        .returning(Delivery.id)
    )
    return list(pending.all())


async def _plan_deliveries(
    session: AsyncSession, event: OutboxEvent, rules: RuleBook, settings: Settings, now: datetime
) -> list[Delivery]:
    """The deliveries an event calls for, one per channel and recipient (not yet stored)."""
    deliveries: dict[tuple[Channel, str], Delivery] = {}
    for planned in await plan(session, event, rules, settings):
        if (planned.channel, planned.recipient) in deliveries:
            continue
        quiet = parse_quiet_hours(planned.quiet_hours) if planned.quiet_hours else settings.quiet
        not_before = next_allowed(now, quiet, settings.zone) if planned.deferrable else None
        deliveries[planned.channel, planned.recipient] = Delivery(
            id=uuid.uuid4(),
            event_id=event.id,
            channel=planned.channel,
            recipient=planned.recipient,
            subscription_id=planned.subscription_id,
            template=planned.template,
            language=planned.language,
            context=planned.context,
            status=DeliveryStatus.pending,
            attempts=0,
            max_attempts=settings.delivery_max_attempts,
            not_before=not_before if not_before and not_before > now else None,
            deferrable=planned.deferrable,
            enqueued_at=now,
        )
    return list(deliveries.values())


async def _insert(session: AsyncSession, deliveries: list[Delivery]) -> None:
    """Write an event's deliveries in one INSERT."""
    if deliveries:
        rows = [{key: getattr(d, key) for key in _STORED} for d in deliveries]
        await session.execute(_INSERT_DELIVERIES, rows)


async def _forget_settled_links(
    session: AsyncSession, event: OutboxEvent, deliveries: list[Delivery]
) -> None:
    """Drop the event's links in clear once none of its deliveries can still send one."""
    if all(d.status in (DeliveryStatus.sent, DeliveryStatus.skipped) for d in deliveries):
        if any(k in event.data for k in PRIVATE_FIELDS):
            event.data = without_links(event.data)
            await session.execute(
                update(_OUTBOX).where(_OUTBOX.c.id == event.id).values(data=event.data)
            )


@dataclass(frozen=True)
class Attempt:
    """What came of one attempt: done, or try again after `retry_in` seconds."""

    status: DeliveryStatus | None
    retry_in: float | None = None


async def attempt_delivery(
    *,
    database: Database,
    gateways: Gateways,
    rules: RuleBook,
    delivery_id: uuid.UUID,
    clock: Clock = utcnow,
) -> Attempt:
    """Make one attempt at a pending delivery. The row stays locked while sending, so a
    duplicate job for the same delivery waits its turn and then finds it settled."""
    async with database.sessionmaker.begin() as session:
        row = (
            await session.execute(
                select(Delivery, OutboxEvent)
                .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
                .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.pending)
                .with_for_update(of=Delivery)
            )
        ).first()
        if row is None:
            return Attempt(status=None)
        delivery, event = row
        now = clock()
        if delivery.not_before and delivery.not_before > now:
            return Attempt(status=None, retry_in=(delivery.not_before - now).total_seconds())
        if delivery.deferrable and not await _still_due(
            session, delivery, event, rules, gateways.settings
        ):
            # A reminder that waited (quiet hours, retries) is sent only if planning its
            # event now would still call for it: not after a cancel, a move or the start.
            delivery.status = DeliveryStatus.skipped
            delivery.last_error = "no longer due"
            await _forget_links(session, delivery, event)
            return Attempt(status=delivery.status)
        retry_in = await try_once(session, gateways, delivery, event, clock)
        if delivery.status == DeliveryStatus.sent:
            await _forget_links(session, delivery, event)
        return Attempt(status=None if retry_in is not None else delivery.status, retry_in=retry_in)


async def _forget_links(session: AsyncSession, delivery: Delivery, event: OutboxEvent) -> None:
    """A capability link waits in clear only until it is delivered: then it is dropped from
    the delivery, and from the event once no delivery of it is pending or could be
    replayed (failed ones keep it, so a replay still carries the link)."""
    if any(k in delivery.context for k in PRIVATE_FIELDS):
        delivery.context = without_links(delivery.context)
    if not any(k in event.data for k in PRIVATE_FIELDS):
        return
    others = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.event_id == event.id,
            Delivery.id != delivery.id,
            Delivery.status.in_([DeliveryStatus.pending, DeliveryStatus.failed]),
        )
    )
    if not others:
        event.data = without_links(event.data)


async def _still_due(
    session: AsyncSession,
    delivery: Delivery,
    event: OutboxEvent,
    rules: RuleBook,
    settings: Settings,
) -> bool:
    return any(
        planned.channel == delivery.channel and planned.recipient == delivery.recipient
        for planned in await plan(session, event, rules, settings)
    )
