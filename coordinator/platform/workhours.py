"""Working hours and weekend days as the settings spell them (FUMIN_WORK_HOURS,
FUMIN_WORK_WEEKEND), checked once: what coordinator.worktime counts working time with."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import time
from typing import Annotated

from pydantic import AfterValidator

Periods = tuple[tuple[time, time], ...]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() 0..6
MAX_PERIODS = 12
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _clock(text: str) -> time:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a time of day HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def check_periods(periods: Iterable[tuple[time, time]]) -> Periods:
    """Working periods of a day: at least one, each start before its end, in order and
    not overlapping (the next may start where one ends), within the day."""
    checked = tuple((start, end) for start, end in periods)
    if not checked:
        raise ValueError("at least one working period is needed")
    if len(checked) > MAX_PERIODS:
        raise ValueError(f"at most {MAX_PERIODS} working periods a day")
    previous: time | None = None
    for start, end in checked:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("working periods are local times of day, without an offset")
        if not start < end:
            raise ValueError(f"a period must end after it starts ({start:%H:%M}-{end:%H:%M})")
        if previous is not None and start < previous:
            raise ValueError("periods must be in order and must not overlap")
        previous = end
    return checked


def parse_work_hours(value: str) -> Periods:
    """'09:00-12:00,13:00-17:30' -> ((09:00, 12:00), (13:00, 17:30))."""
    periods = []
    for part in value.split(","):
        bounds = part.split("-")
        if len(bounds) != 2:
            raise ValueError(
                f"{part.strip()!r} is not a period; write periods like 09:00-12:00,13:00-17:30"
            )
        periods.append((_clock(bounds[0]), _clock(bounds[1])))
    return check_periods(periods)


def format_work_hours(periods: Periods) -> str:
    return ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in periods)


def parse_weekend(value: str) -> frozenset[int]:
    """'sat,sun' -> {5, 6} (days of the week as date.weekday() counts them; full English
    names also do); '' or 'none' for no weekend. A week of weekend days only is refused."""
    if value.strip().lower() in ("", "none"):
        return frozenset()
    days = set()
    for part in value.split(","):
        day = _DAY_NAMES.get(part.strip().lower())
        if day is None:
            raise ValueError(f"{part.strip()!r} is not a day of the week (mon, tue, … sun)")
        days.add(day)
    if len(days) == len(WEEKDAYS):
        raise ValueError("at least one day of the week must be a working day")
    return frozenset(days)


def weekend_names(days: Iterable[int]) -> list[str]:
    return [WEEKDAYS[day] for day in sorted(days)]


_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = {name: i for names in (WEEKDAYS, _FULL) for i, name in enumerate(names)}


def _checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    def check(value: str) -> str:
        parse(value)
        return value

    return check


# The settings' types: the text as given, refused at start-up unless it parses.
WorkHours = Annotated[str, AfterValidator(_checked(parse_work_hours))]
Weekend = Annotated[str, AfterValidator(_checked(parse_weekend))]
