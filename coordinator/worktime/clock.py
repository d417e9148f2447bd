"""Working time: a calendar of working days and their working periods, and arithmetic on
it. Pure: no I/O, no clock of its own.

- A working day is a day of the week outside `weekend`, unless `exceptions` says
  otherwise for that date (False: a public holiday on a weekday; True: a make-up working
  day, 调休上班, on a weekend).
- A working period of a working day runs, in the calendar's zone, from the first moment
  the local clock shows its start to the first moment it shows its end. On a day the
  clocks move (a zone with daylight saving time), a period that spans the change is that
  much shorter or longer in real time; a bound that falls in the skipped hour is the
  moment the skipped hour ends.
- Working time is real elapsed time inside working periods. Times go in aware (any
  offset) and come out aware, in UTC.

Every function walks day by day (O(days), never minute by minute), each day's periods
worked out once per calendar; a walk that meets no working time for MAX_IDLE_DAYS days in
a row (a calendar without working days), or leaves the years 1 to 9999, raises
NoWorkingTime.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from coordinator.platform.workhours import Periods, check_periods

MAX_IDLE_DAYS = 3660
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
_SPANS_KEPT = 20_000  # days of spans a calendar keeps worked out (years of them)
_VARIANTS_KEPT = 64

Span = tuple[datetime, datetime]
Hours = float | int | Decimal | timedelta


class NoWorkingTime(ValueError):
    """The calendar has no working time within reach of the moment asked about."""


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and working periods in a zone (see the module's conventions)."""

    zone: ZoneInfo
    periods: Periods
    weekend: frozenset[int]  # date.weekday(): Monday 0 … Sunday 6
    exceptions: Mapping[date, bool] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    # Each day's working spans, worked out on first use (not part of the calendar's value).
    _spans: dict[date, tuple[Span, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    # The same days with other periods, made once each (a sweep asks for the same few).
    _variants: dict[Periods, WorkCalendar] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", check_periods(self.periods))
        object.__setattr__(self, "weekend", frozenset(self.weekend))
        if not isinstance(self.exceptions, MappingProxyType):
            object.__setattr__(self, "exceptions", MappingProxyType(dict(self.exceptions)))

    def with_periods(self, periods: Iterable[tuple[time, time]]) -> WorkCalendar:
        """The same days with other working periods (a department's own hours)."""
        checked = check_periods(periods)
        if checked == self.periods:
            return self
        variant = self._variants.get(checked)
        if variant is None:
            if len(self._variants) >= _VARIANTS_KEPT:
                self._variants.clear()
            variant = self._variants[checked] = replace(self, periods=checked)
        return variant

    def spans(self, day: date) -> tuple[Span, ...]:
        """The day's working periods as UTC instants; none on a day that is not working."""
        found = self._spans.get(day)
        if found is None:
            if len(self._spans) >= _SPANS_KEPT:
                self._spans.clear()
            found = _day_spans(self.zone, self.periods, day) if is_working_day(self, day) else ()
            self._spans[day] = found
        return found


def is_working_day(cal: WorkCalendar, d: date) -> bool:
    """Whether `d` is a working day: its exception if it has one, else not a weekend day."""
    working = cal.exceptions.get(d)
    return d.weekday() not in cal.weekend if working is None else working


def add_working_hours(cal: WorkCalendar, start: datetime, hours: Hours) -> datetime:
    """The moment `hours` of working time after `start`. Counting begins at `start` if it
    is inside a working period, else at the next period's start; a result that reaches
    the end of a period is that end (17:30, not the next morning). Zero hours: `start`
    itself in working time, else the next period's start."""
    remaining = as_duration(hours)
    t = _utc(start)
    try:
        day = _first_day(cal, t)
        idle = 0
        while True:
            worked = False
            for begin, end in cal.spans(day):
                if end <= t:
                    continue
                worked = True
                begin = max(begin, t)
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
            idle = 0 if worked else idle + 1
            if idle > MAX_IDLE_DAYS:
                raise _no_working_time(start)
            day += ONE_DAY
    except OverflowError:
        raise _out_of_range(start) from None


def add_working_days(cal: WorkCalendar, start: datetime, days: int) -> datetime:
    """The close of business (end of the last working period) of the `days`-th working
    day counted from the day after `start`'s local day: a case filed on Monday with one
    working day is due Tuesday at close, whatever the hour it came in. Zero days: today's
    close if today is a working day not yet closed at `start`, else the next working day's."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("working days must be a whole number, 0 or more")
    t = _utc(start)
    try:
        day = t.astimezone(cal.zone).date()
        if days == 0:
            today = cal.spans(day)
            if today and t < today[-1][1]:
                return today[-1][1]
            days = 1
        counted = idle = 0
        while True:
            day += ONE_DAY
            spans = cal.spans(day)
            if spans:
                counted, idle = counted + 1, 0
                if counted == days:
                    return spans[-1][1]
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise _no_working_time(start)
    except OverflowError:
        raise _out_of_range(start) from None


def working_time_between(cal: WorkCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from `a` to `b` (negative when `b` is before `a`): how long a task was
    worked on, or how far past its deadline it is (working_time_between(cal, due, now))."""
    lo, hi = _utc(a), _utc(b)
    if hi < lo:
        return -working_time_between(cal, b, a)
    total = ZERO
    try:
        day = _first_day(cal, lo)
        last = hi.astimezone(cal.zone).date()
        while day <= last:
            for begin, end in cal.spans(day):
                if end > lo and begin < hi:
                    total += min(end, hi) - max(begin, lo)
            if day == date.max:
                break
            day += ONE_DAY
    except OverflowError:
        raise _out_of_range(a) from None
    return total


def is_working_time(cal: WorkCalendar, moment: datetime) -> bool:
    """Whether `moment` is inside a working period (its start counted, its end not)."""
    t = _utc(moment)
    try:
        day = _first_day(cal, t)
        return any(begin <= t < end for d in (day, day + ONE_DAY) for begin, end in cal.spans(d))
    except OverflowError:
        raise _out_of_range(moment) from None


def as_duration(hours: Hours) -> timedelta:
    """Hours (a number, a Decimal, or a timedelta) as an exact timedelta, 0 or more."""
    if isinstance(hours, bool):
        raise TypeError("working hours must be a number or a timedelta")
    try:
        if isinstance(hours, timedelta):
            duration = hours
        elif isinstance(hours, Decimal):
            if not hours.is_finite():
                raise ValueError("working hours must be finite")
            duration = timedelta(microseconds=int((hours * 3_600_000_000).to_integral_value()))
        elif isinstance(hours, int | float):
            if not math.isfinite(hours):
                raise ValueError("working hours must be finite")
            duration = timedelta(hours=hours)
        else:
            raise TypeError("working hours must be a number or a timedelta")
    except OverflowError:
        raise ValueError("working hours too large") from None
    if duration < ZERO:
        raise ValueError("working hours cannot be negative")
    return duration


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment must carry its offset (an aware datetime)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _out_of_range(moment) from None


def _first_day(cal: WorkCalendar, t: datetime) -> date:
    """The local day before `t`'s: a period of it may end past midnight when a clock
    change moves its end (periods never start later than the day they belong to)."""
    day = t.astimezone(cal.zone).date()
    return day if day == date.min else day - ONE_DAY


def _no_working_time(start: datetime) -> NoWorkingTime:
    return NoWorkingTime(
        f"no working time in {MAX_IDLE_DAYS} days in a row after {start.isoformat()}"
    )


def _out_of_range(start: datetime) -> NoWorkingTime:
    return NoWorkingTime(f"no working time within the years 1 to 9999 from {start.isoformat()}")


@functools.lru_cache(maxsize=65_536)
def _day_spans(zone: ZoneInfo, periods: Periods, day: date) -> tuple[Span, ...]:
    """The periods of `day` as UTC instants (those that exist: a period wholly inside a
    skipped hour has none)."""
    spans = []
    for start, end in periods:
        begin, finish = _instant(zone, day, start), _instant(zone, day, end)
        if finish > begin:
            spans.append((begin, finish))
    return tuple(spans)


def _instant(zone: ZoneInfo, day: date, clock: time) -> datetime:
    """The first moment the local clock shows `clock` on `day`; for a reading the clocks
    skip, the moment the skipped time ends."""
    local = datetime.combine(day, clock, tzinfo=zone)  # fold=0: the first of two readings
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return moment
    # In a gap, fold=0 reads the time with the offset before the change, so `moment` is
    # at or after the change, and the change is less than the gap's length before it:
    # halve that interval down to the second (changes fall on whole seconds).
    after = moment.astimezone(zone).utcoffset()
    low, high = moment - (after - local.utcoffset()), moment  # type: ignore[operator]
    second = timedelta(seconds=1)
    while high - low > second:
        middle = low + ((high - low) // (2 * second)) * second
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high
