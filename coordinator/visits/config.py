"""Settings of visits, read from the environment (defaults suit a subdistrict)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta


def _hours_list(raw: str) -> tuple[timedelta, ...]:
    """'24,2' -> (24 h, 2 h), largest first; fractions allowed ('0.5')."""
    values = sorted({float(part) for part in raw.split(",") if part.strip()}, reverse=True)
    return tuple(timedelta(hours=v) for v in values if v > 0)


@dataclass(frozen=True)
class VisitSettings:
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


def load_visit_settings() -> VisitSettings:
    env = os.environ
    return VisitSettings(
        reminders=_hours_list(env.get("FUMIN_VISIT_REMINDER_HOURS", "24,2")),
        nudge_after=timedelta(hours=float(env.get("FUMIN_VISIT_NUDGE_AFTER_HOURS", "48"))),
        alert_after=timedelta(hours=float(env.get("FUMIN_VISIT_ALERT_AFTER_HOURS", "24"))),
        coordinator_emails=tuple(
            e.strip() for e in env.get("FUMIN_COORDINATOR_EMAILS", "").split(",") if e.strip()
        ),
    )
