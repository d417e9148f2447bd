"""Working-time arithmetic on a calendar: weekends, public holidays with their make-up
working days, lunch breaks, evenings, clock changes, and calendars that never work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from coordinator.platform.workhours import parse_weekend, parse_work_hours
from coordinator.worktime.clock import (
    MAX_IDLE_DAYS,
    NoWorkingTime,
    WorkCalendar,
    _day_spans,
    add_working_days,
    add_working_hours,
    is_working_day,
    is_working_time,
    working_time_between,
)
from tests.worktime.helpers import BERLIN, SHANGHAI, at, calendar, local

CAL = calendar()


def test_weekdays_work_weekends_do_not_and_the_calendar_moves_days():
    assert is_working_day(CAL, date(2026, 11, 27))  # a Friday
    assert not is_working_day(CAL, date(2026, 11, 28))  # a Saturday
    assert not is_working_day(CAL, date(2026, 10, 1))  # 国庆节, a Thursday
    assert is_working_day(CAL, date(2026, 10, 10))  # 国庆节调休上班, a Saturday
    assert is_working_day(CAL, date(2026, 9, 20))  # a Sunday worked


def test_hours_carry_over_a_weekend():
    friday = at(SHANGHAI, 2026, 11, 27, 16, 0)
    # 1.5 h left on Friday, then Monday 09:00 + 1.5 h.
    assert local(add_working_hours(CAL, friday, 3)) == datetime(2026, 11, 30, 10, 30)


def test_a_three_day_holiday_is_skipped_and_its_make_up_saturday_worked():
    # 中秋节 Fri 25 – Sun 27 September; the Sunday before National Day (20 Sept) is worked.
    thursday = at(SHANGHAI, 2026, 9, 24, 17, 0)
    assert local(add_working_hours(CAL, thursday, 1)) == datetime(2026, 9, 28, 9, 30)
    saturday_before = at(SHANGHAI, 2026, 9, 19, 10, 0)  # not worked
    assert local(add_working_hours(CAL, saturday_before, 2)) == datetime(2026, 9, 20, 11, 0)
    # National Day: 1–7 October off, Thursday 8 and Friday 9 worked, Saturday 10 too.
    eve = at(SHANGHAI, 2026, 9, 30, 17, 0)
    assert local(add_working_hours(CAL, eve, 0.5)) == datetime(2026, 9, 30, 17, 30)
    assert local(add_working_hours(CAL, eve, 1)) == datetime(2026, 10, 8, 9, 30)
    assert local(add_working_hours(CAL, eve, 0.5 + 7.5 * 2 + 2)) == datetime(2026, 10, 10, 11, 0)


def test_a_start_in_the_lunch_break_counts_from_one_oclock():
    lunch = at(SHANGHAI, 2026, 11, 26, 12, 20)
    assert local(add_working_hours(CAL, lunch, 2)) == datetime(2026, 11, 26, 15, 0)
    assert local(add_working_hours(CAL, lunch, 0)) == datetime(2026, 11, 26, 13, 0)


def test_a_start_after_hours_or_on_a_holiday_counts_from_the_next_morning():
    evening = at(SHANGHAI, 2026, 11, 26, 20, 0)
    assert local(add_working_hours(CAL, evening, 1)) == datetime(2026, 11, 27, 10, 0)
    new_year = at(SHANGHAI, 2026, 1, 1, 10, 0)  # 元旦 (Thu) to Sat 3rd; Sun 4th worked
    assert local(add_working_hours(CAL, new_year, 4)) == datetime(2026, 1, 4, 14, 0)
    early = at(SHANGHAI, 2026, 11, 26, 7, 0)
    assert local(add_working_hours(CAL, early, 3)) == datetime(2026, 11, 26, 12, 0)


def test_a_deadline_that_reaches_the_end_of_a_period_is_that_end():
    morning = at(SHANGHAI, 2026, 11, 26, 9, 0)
    assert local(add_working_hours(CAL, morning, 3)) == datetime(2026, 11, 26, 12, 0)
    assert local(add_working_hours(CAL, morning, 7.5)) == datetime(2026, 11, 26, 17, 30)
    assert local(add_working_hours(CAL, morning, 7.5 * 5)) == datetime(2026, 12, 2, 17, 30)


def test_hours_as_decimal_timedelta_or_float_are_exact():
    start = at(SHANGHAI, 2026, 11, 26, 9, 0)
    expected = datetime(2026, 11, 26, 10, 6)
    for hours in (Decimal("1.1"), timedelta(minutes=66), 1.1):
        assert local(add_working_hours(CAL, start, hours)) == expected
    for bad in (-1, float("nan"), Decimal("Infinity"), timedelta(hours=-1)):
        with pytest.raises(ValueError):
            add_working_hours(CAL, start, bad)
    with pytest.raises(TypeError):
        add_working_hours(CAL, start, True)
    with pytest.raises(ValueError):
        add_working_hours(CAL, datetime(2026, 11, 26, 9, 0), 1)  # no offset


def test_working_days_close_at_the_end_of_the_nth_working_day_after_today():
    monday = at(SHANGHAI, 2026, 11, 23, 10, 0)
    assert local(add_working_days(CAL, monday, 1)) == datetime(2026, 11, 24, 17, 30)
    assert local(add_working_days(CAL, monday, 5)) == datetime(2026, 11, 30, 17, 30)
    late_monday = at(SHANGHAI, 2026, 11, 23, 23, 0)  # the hour on the day makes no difference
    assert local(add_working_days(CAL, late_monday, 1)) == datetime(2026, 11, 24, 17, 30)
    # Three working days from the eve of National Day: 8, 9 and 10 October.
    eve = at(SHANGHAI, 2026, 9, 30, 9, 0)
    assert local(add_working_days(CAL, eve, 3)) == datetime(2026, 10, 10, 17, 30)


def test_zero_working_days_is_todays_close_while_it_is_ahead():
    assert local(add_working_days(CAL, at(SHANGHAI, 2026, 11, 23, 10), 0)) == datetime(
        2026, 11, 23, 17, 30
    )
    after_close = at(SHANGHAI, 2026, 11, 27, 18, 0)  # a Friday evening: Monday's close
    assert local(add_working_days(CAL, after_close, 0)) == datetime(2026, 11, 30, 17, 30)
    holiday = at(SHANGHAI, 2026, 10, 3, 10, 0)
    assert local(add_working_days(CAL, holiday, 0)) == datetime(2026, 10, 8, 17, 30)
    with pytest.raises(ValueError):
        add_working_days(CAL, holiday, -1)


def test_working_time_between_counts_only_working_periods_and_is_signed():
    friday = at(SHANGHAI, 2026, 11, 27, 11, 0)
    monday = at(SHANGHAI, 2026, 11, 30, 14, 0)
    # Friday 11–12 and 13–17:30, Monday 9–12 and 13–14.
    assert working_time_between(CAL, friday, monday) == timedelta(hours=1 + 4.5 + 3 + 1)
    assert working_time_between(CAL, monday, friday) == -timedelta(hours=9.5)
    lunch = at(SHANGHAI, 2026, 11, 27, 12, 10)
    assert working_time_between(CAL, lunch, lunch + timedelta(minutes=40)) == timedelta(0)
    week = working_time_between(CAL, at(SHANGHAI, 2026, 9, 28), at(SHANGHAI, 2026, 10, 12))
    assert week == timedelta(hours=7.5 * 6)  # 28–30 Sept, 8–10 October


def test_is_working_time_takes_the_start_of_a_period_and_not_its_end():
    assert is_working_time(CAL, at(SHANGHAI, 2026, 11, 26, 9, 0))
    assert not is_working_time(CAL, at(SHANGHAI, 2026, 11, 26, 12, 0))
    assert not is_working_time(CAL, at(SHANGHAI, 2026, 10, 2, 10, 0))


def test_berlin_counts_across_the_spring_and_autumn_clock_changes():
    berlin = calendar(BERLIN, exceptions={})
    # Friday 27 March 2026 16:00 CET + 3 h: Monday 30 March 10:30 CEST (08:30 UTC).
    friday = at(BERLIN, 2026, 3, 27, 16, 0)
    deadline = add_working_hours(berlin, friday, 3)
    assert local(deadline, BERLIN) == datetime(2026, 3, 30, 10, 30)
    assert deadline.hour == 8 and deadline.minute == 30
    assert working_time_between(berlin, friday, deadline) == timedelta(hours=3)
    autumn = at(BERLIN, 2026, 10, 23, 17, 0)  # Friday before the clocks go back
    assert local(add_working_hours(berlin, autumn, 1), BERLIN) == datetime(2026, 10, 26, 9, 30)
    assert local(add_working_days(berlin, autumn, 1), BERLIN) == datetime(2026, 10, 26, 17, 30)


def test_a_period_over_the_clock_change_is_an_hour_shorter_or_longer():
    every_day = WorkCalendar(zone=BERLIN, periods=parse_work_hours("00:00-23:00"), weekend=set())
    spring, autumn, plain = date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 7)

    def length(day: date) -> timedelta:
        midnight = at(BERLIN, day.year, day.month, day.day)
        return working_time_between(every_day, midnight, midnight.replace(day=day.day + 1))

    assert length(plain) == timedelta(hours=23)
    assert length(spring) == timedelta(hours=22)
    assert length(autumn) == timedelta(hours=24)
    # A period starting in the skipped hour starts when the skipped hour ends.
    skipped = every_day.with_periods(parse_work_hours("02:30-04:00"))
    start = add_working_hours(skipped, at(BERLIN, 2026, 3, 29, 0, 0), 0)
    assert local(start, BERLIN) == datetime(2026, 3, 29, 3, 0)
    assert working_time_between(skipped, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30)) == (
        timedelta(hours=1)
    )


def test_a_department_can_keep_its_own_hours():
    mornings = CAL.with_periods([(time(8, 30), time(11, 30))])
    assert mornings.exceptions == CAL.exceptions and CAL.periods != mornings.periods
    start = at(SHANGHAI, 2026, 11, 26, 11, 0)
    assert local(add_working_hours(mornings, start, 1)) == datetime(2026, 11, 27, 9, 0)
    with pytest.raises(ValueError):
        CAL.with_periods([(time(12), time(9))])
    with pytest.raises(ValueError):
        CAL.with_periods([])


def test_a_calendar_that_never_works_raises_a_clear_error():
    holidays = {date(2026, 1, 1) + timedelta(days=n): False for n in range(MAX_IDLE_DAYS + 10)}
    never = calendar(exceptions=holidays)
    start = at(SHANGHAI, 2026, 1, 1, 9)
    with pytest.raises(NoWorkingTime, match="3660 days"):
        add_working_hours(never, start, 1)
    with pytest.raises(NoWorkingTime):
        add_working_days(never, start, 1)
    with pytest.raises(NoWorkingTime):
        add_working_hours(CAL, datetime(9999, 12, 31, 18, tzinfo=SHANGHAI), 1)


def test_settings_spell_periods_and_weekends():
    assert parse_work_hours("08:30-11:30") == ((time(8, 30), time(11, 30)),)
    assert parse_weekend("fri,Saturday") == frozenset({4, 5})
    assert parse_weekend("none") == frozenset()
    for bad in ("9-17", "09:00-12:00,11:00-13:00", "17:00-09:00", "09:00", "24:00-25:00"):
        with pytest.raises(ValueError):
            parse_work_hours(bad)
    for bad in ("sa", "mon,tue,wed,thu,fri,sat,sun"):
        with pytest.raises(ValueError):
            parse_weekend(bad)


def test_a_hundred_thousand_deadlines_work_out_each_day_once():
    """A sweep over every open task: days are worked out once, then only looked up."""
    cal = calendar()
    starts = [at(SHANGHAI, 2026, 1, 1) + timedelta(minutes=97 * n) for n in range(100_000)]
    _day_spans.cache_clear()
    first = [add_working_hours(cal, start, 1 + n % 40) for n, start in enumerate(starts)]
    days = len(cal._spans)
    worked_out = _day_spans.cache_info().misses
    assert 0 < worked_out < days  # days off have no spans to work out
    again = [add_working_hours(cal, start, 1 + n % 40) for n, start in enumerate(starts)]
    assert again == first
    assert (len(cal._spans), _day_spans.cache_info().misses) == (days, worked_out)
    assert all(due > start for due, start in zip(first, starts, strict=True))


def test_a_departments_hours_are_made_once_and_keep_their_worked_out_days():
    own = CAL.with_periods(parse_work_hours("08:00-16:00"))
    assert CAL.with_periods(parse_work_hours("08:00-16:00")) is own
    assert CAL.with_periods(CAL.periods) is CAL
