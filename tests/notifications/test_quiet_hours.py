from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from coordinator.notifications.quiet import in_quiet_hours, next_allowed

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = (time(21, 0), time(8, 0))


def test_daytime_is_sent_at_once():
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    assert next_allowed(at, QUIET, SHANGHAI) == at


def test_late_evening_waits_until_eight_next_morning():
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai
    assert next_allowed(at, QUIET, SHANGHAI) == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def test_small_hours_wait_until_eight_the_same_morning():
    at = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 03:00 on 3 March in Shanghai
    assert next_allowed(at, QUIET, SHANGHAI) == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def test_no_quiet_hours_means_no_wait():
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert next_allowed(at, None, SHANGHAI) == at


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)))
def test_result_is_never_earlier_never_quiet_and_within_a_day(naive):
    at = naive.replace(tzinfo=UTC)
    result = next_allowed(at, QUIET, SHANGHAI)
    assert at <= result <= at + timedelta(hours=11)
    assert not in_quiet_hours(result.astimezone(SHANGHAI).time(), QUIET)
