"""Who hears of an event, over which channel, with which message."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Channel, WebhookSubscription
from coordinator.platform.settings import Settings


@dataclass(frozen=True)
class Planned:
    """A delivery to make: one recipient on one channel."""

    channel: Channel
    recipient: str
    template: str | None = None
    language: str = "zh"
    context: dict[str, Any] = field(default_factory=dict)
    subscription_id: uuid.UUID | None = None
    # Reminders and other deferrable messages wait out the recipient's quiet hours
    # (their own, e.g. "22:00-07:00" or "off", else the subdistrict's).
    deferrable: bool = False
    quiet_hours: str | None = None


Rule = Callable[[AsyncSession, OutboxEvent, Settings], Awaitable[list[Planned]]]
# Every feature's rules by event type, as coordinator.features gathers them.
RuleBook = Mapping[str, Sequence[Rule]]


class Rules:
    """A feature's notification rules: `rules = Rules()` in its notify.py, then
    `@rules.on("visit.proposed")` on each rule."""

    def __init__(self) -> None:
        self.by_type: dict[str, list[Rule]] = {}

    def on(self, *event_types: str) -> Callable[[Rule], Rule]:
        def register(fn: Rule) -> Rule:
            for event_type in event_types:
                self.by_type.setdefault(event_type, []).append(fn)
            return fn

        return register


def rule_book(*collections: Rules) -> dict[str, list[Rule]]:
    """The rules of several features together, by event type (in the order given)."""
    book: dict[str, list[Rule]] = {}
    for rules in collections:
        for event_type, fns in rules.by_type.items():
            book.setdefault(event_type, []).extend(fns)
    return book


_SUBSCRIBED = select(WebhookSubscription.id, WebhookSubscription.url).where(
    WebhookSubscription.active.is_(True),
    WebhookSubscription.event_types.overlap(bindparam("types")),
)


async def webhook_deliveries(session: AsyncSession, event: OutboxEvent) -> list[Planned]:
    subscriptions = await session.execute(_SUBSCRIBED, {"types": [event.type, "*"]})
    return [
        Planned(channel=Channel.webhook, recipient=s.url, subscription_id=s.id)
        for s in subscriptions
    ]


async def plan(
    session: AsyncSession, event: OutboxEvent, rules: RuleBook, settings: Settings
) -> list[Planned]:
    """Who hears of `event`: every webhook subscribed to it, and whom the rules name."""
    planned = await webhook_deliveries(session, event)
    for fn in rules.get(event.type, ()):
        planned.extend(await fn(session, event, settings))
    return planned
