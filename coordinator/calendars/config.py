"""Settings of calendar feeds, read from the environment (defaults suit a subdistrict)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class FeedSettings:
    # What a feed holds: from `past` ago to `ahead` from now (FUMIN_FEED_PAST_DAYS,
    # FUMIN_FEED_AHEAD_DAYS); cancelled items stay `cancelled_grace` after their last change.
    past: timedelta = timedelta(days=30)
    ahead: timedelta = timedelta(days=180)
    cancelled_grace: timedelta = timedelta(days=7)
    # Rendered feeds kept in each web process's memory (the rest come from Redis).
    memory_entries: int = 64
    # How long a rendered feed stays in Redis unasked.
    redis_seconds: int = 86400


def load_feed_settings() -> FeedSettings:
    env = os.environ
    return FeedSettings(
        past=timedelta(days=float(env.get("FUMIN_FEED_PAST_DAYS", "30"))),
        ahead=timedelta(days=float(env.get("FUMIN_FEED_AHEAD_DAYS", "180"))),
    )
