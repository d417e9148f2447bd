"""Recurring rosters: expanding an RRULE over local dates into shift times (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


@dataclass(frozen=True)
class Occurrence:
    """One shift of a series: its identity (the original start) and its times, in UTC."""

    recurrence_at: datetime
    starts_at: datetime
    ends_at: datetime


def check_rrule(text: str) -> bool:
    """Whether text is an RRULE dateutil can expand (without DTSTART; times come from windows)."""
    upper = text.upper()
    if "DTSTART" in upper or "\n" in text:
        return False
    try:
        rrulestr(text.removeprefix("RRULE:"), dtstart=datetime(2020, 1, 1))
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    return True


def wall_clock(value: str) -> time:
    """A window's "HH:MM" as a time of day."""
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def wall_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def occurrences(
    *,
    rrule: str,
    starts_on: date,
    until: date | None,
    windows: list[dict[str, str]],
    exdates: list[date],
    zone: ZoneInfo,
    start: date,
    end: date,
) -> Iterator[Occurrence]:
    """Occurrences whose local date lies in [start, end], skipping exception dates.

    A window whose end is not after its start runs past midnight into the next day.
    """
    rule = rrulestr(rrule.removeprefix("RRULE:"), dtstart=datetime.combine(starts_on, time()))
    low = datetime.combine(max(start, starts_on), time())
    high = datetime.combine(min(end, until) if until else end, time())
    skipped = set(exdates)
    for moment in rule.between(low, high, inc=True):
        day = moment.date()
        if day in skipped:
            continue
        for window in windows:
            begin, finish = wall_clock(window["start"]), wall_clock(window["end"])
            starts_at = wall_to_utc(day, begin, zone)
            end_day = day if finish > begin else day + timedelta(days=1)
            ends_at = wall_to_utc(end_day, finish, zone)
            yield Occurrence(recurrence_at=starts_at, starts_at=starts_at, ends_at=ends_at)
