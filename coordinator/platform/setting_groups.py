"""Groups of settings that shape one feature each, as Settings hands them out
(`Settings.visits`, `Settings.feeds`); read from the environment by Settings only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

__all__ = ["FeedSettings", "VisitSettings"]


@dataclass(frozen=True)
class VisitSettings:
    """What shapes visits (defaults suit a subdistrict): `Settings.visits`."""

    # Reminders before a confirmed visit (FUMIN_VISIT_REMINDER_HOURS, e.g. "24,2").
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    # A proposal unanswered this long sends the contact one reminder …
    nudge_after: timedelta = timedelta(hours=48)
    # … and, still unanswered this long after that, alerts the team lead and coordinators.
    alert_after: timedelta = timedelta(hours=24)
    # Who else hears of escalations (FUMIN_COORDINATOR_EMAILS, comma-separated).
    coordinator_emails: tuple[str, ...] = field(default_factory=tuple)
    min_length: timedelta = timedelta(minutes=15)
    max_length: timedelta = timedelta(hours=8)
    max_ahead: timedelta = timedelta(days=366)
    # How long the contact's link stays readable after the visit starts (to follow needs);
    # answering (confirm, decline, another time) ends when the visit starts.
    follow_up: timedelta = timedelta(days=90)
    # POSTs per IP per minute on link pages.
    link_posts_per_minute: int = 30


@dataclass(frozen=True)
class FeedSettings:
    """What shapes calendar feeds: `Settings.feeds`."""

    # What a feed holds: from `past` ago to `ahead` from now (FUMIN_FEED_PAST_DAYS,
    # FUMIN_FEED_AHEAD_DAYS); cancelled items stay `cancelled_grace` after their last change.
    past: timedelta = timedelta(days=30)
    ahead: timedelta = timedelta(days=180)
    cancelled_grace: timedelta = timedelta(days=7)
    # Rendered feeds kept in each web process's memory (the rest come from Redis).
    memory_entries: int = 64
    # How long a rendered feed stays in Redis unasked.
    redis_seconds: int = 86400


def parse_pairs(value: str) -> dict[str, str]:
    """ "a=b,c=d" as {"a": "b", "c": "d"} (ValueError for anything else)."""
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, sep, val = part.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise ValueError(f"expected key=value pairs separated by commas, got {part!r}")
        pairs[key.strip()] = val.strip()
    return pairs
