"""What holds for every start and every amount of working time, in Shanghai with the 2026
calendar and in Berlin with its clock changes (and a department's own hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.worktime.clock import (
    WorkCalendar,
    add_working_days,
    add_working_hours,
    is_working_day,
    is_working_time,
    working_time_between,
)
from tests.worktime.helpers import BERLIN, calendar

CALENDARS = (
    calendar(),
    calendar(BERLIN, exceptions={}),
    calendar(BERLIN, exceptions={}, periods="00:30-02:30,02:45-03:15,08:00-12:00"),
)
calendars = st.sampled_from(CALENDARS)


def _utc(low: datetime, high: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=low, max_value=high).map(lambda n: n.replace(tzinfo=UTC))


# Any time of 2026, and often the days around Berlin's clock changes (29 March, 25 October).
moments = st.one_of(
    _utc(datetime(2025, 12, 1), datetime(2027, 1, 31)),
    _utc(datetime(2026, 3, 27), datetime(2026, 3, 31)),
    _utc(datetime(2026, 10, 23), datetime(2026, 10, 27)),
)
# Whole seconds up to a few weeks of working time, never zero.
durations = st.integers(min_value=1, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def in_or_closing_a_period(cal: WorkCalendar, moment: datetime) -> bool:
    """Inside a working period, or at the end of one."""
    return is_working_time(cal, moment) or is_working_time(cal, moment - timedelta(seconds=1))


@SETTINGS
@given(calendars, moments, durations, durations)
def test_hours_add_up(cal, start, first, second):
    start = add_working_hours(cal, start, timedelta(0))  # a start in working time
    whole = add_working_hours(cal, start, first + second)
    assert whole == add_working_hours(cal, add_working_hours(cal, start, first), second)


@SETTINGS
@given(calendars, moments, durations)
def test_a_deadline_lies_in_working_time_or_closes_a_period(cal, start, hours):
    due = add_working_hours(cal, start, hours)
    assert due.tzinfo is UTC
    assert due > start
    assert in_or_closing_a_period(cal, due)


@SETTINGS
@given(calendars, moments, durations)
def test_the_working_time_up_to_a_deadline_is_what_was_added(cal, start, hours):
    assert working_time_between(cal, start, add_working_hours(cal, start, hours)) == hours


@SETTINGS
@given(calendars, moments, moments, moments)
def test_working_time_between_adds_up_over_any_midpoint(cal, a, b, c):
    assert working_time_between(cal, a, c) == (
        working_time_between(cal, a, b) + working_time_between(cal, b, c)
    )
    assert working_time_between(cal, a, b) == -working_time_between(cal, b, a)


@SETTINGS
@given(calendars, moments, st.integers(min_value=1, max_value=30))
def test_working_days_close_a_working_day_after_the_start(cal, start, days):
    due = add_working_days(cal, start, days)
    day = due.astimezone(cal.zone).date()
    assert is_working_day(cal, day)
    assert day > start.astimezone(cal.zone).date()
    assert due == cal.spans(day)[-1][1]
    between = [
        start.astimezone(cal.zone).date() + timedelta(days=n)
        for n in range(1, (day - start.astimezone(cal.zone).date()).days + 1)
    ]
    assert sum(1 for d in between if is_working_day(cal, d)) == days
