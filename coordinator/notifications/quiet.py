"""Quiet hours: reminders wait until the recipient's morning instead of being dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window spans midnight


def next_allowed(at: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo) -> datetime:
    """`at` itself if it falls outside quiet hours, else the end of the quiet window (UTC)."""
    if quiet is None:
        return at
    local = at.astimezone(zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), quiet):
        return at
    end = quiet[1]
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    # Rebuild through the zone so a DST change in between still lands on wall-clock `end`.
    wall = datetime(
        candidate.year, candidate.month, candidate.day, end.hour, end.minute, tzinfo=zone
    )
    return wall.astimezone(at.tzinfo or ZoneInfo("UTC"))
