"""The arithmetic of rounds, pure (no I/O, the clock given): an area's window on a day in
the subdistrict's zone, the gaps of a day's rounds, and which overdue steps are due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from coordinator.housing.rounds.models import TO_LEAD, TO_LEADER


@dataclass(frozen=True)
class Window:
    """When an area's blocks are walked on a day: from `opens` until `closes` (UTC)."""

    day: date
    opens: datetime
    closes: datetime

    def holds(self, moment: datetime) -> bool:
        return self.opens <= moment < self.closes


def day_of(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def window_of(day: date, rounds_from: time, rounds_until: time, zone: tzinfo) -> Window:
    opens = datetime.combine(day, rounds_from, tzinfo=zone)
    closes = datetime.combine(day, rounds_until, tzinfo=zone)
    return Window(day, opens, closes)


@dataclass(frozen=True)
class Gap:
    """A stretch of the window when nobody was walking the block; `ongoing` while it
    lasts (it ends now, not at a round)."""

    since: datetime
    until: datetime
    ongoing: bool

    @property
    def minutes(self) -> int:
        return int((self.until - self.since).total_seconds() // 60)


Span = tuple[datetime, datetime | None]  # a round: started, ended (None while open)


def gaps(window: Window, rounds: Iterable[Span], now: datetime) -> list[Gap]:
    """Every stretch of the window (up to now) that no round covers, in order."""
    limit = min(window.closes, now)
    cursor = window.opens
    found: list[Gap] = []
    for started, ended in sorted(rounds, key=lambda span: span[0]):
        if started > cursor and cursor < limit:
            found.append(Gap(cursor, min(started, limit), False))
        cursor = max(cursor, ended or now)
    if cursor < limit:
        found.append(Gap(cursor, limit, limit == now))
    return found


def long_gaps(window: Window, rounds: Iterable[Span], now: datetime, max_gap: int) -> list[Gap]:
    """The gaps longer than the area allows (`max_gap` minutes)."""
    allowed = timedelta(minutes=max_gap)
    return [gap for gap in gaps(window, rounds, now) if gap.until - gap.since > allowed]


@dataclass(frozen=True)
class Step:
    """An overdue reminder due: to the block's leader, or (a further gap on) the lead."""

    to: str
    due_at: datetime


def steps_due(
    window: Window, now: datetime, *, last_walked: datetime | None, open_rounds: int, max_gap: int
) -> list[Step]:
    """The overdue steps due now for a block: none while a round is under way or outside
    the window; the leader's once the block has gone unwalked `max_gap` minutes (since
    its last round ended, or the window opened), the lead's after as long again."""
    if open_rounds or not window.holds(now):
        return []
    since = max(window.opens, last_walked or window.opens)
    gap = timedelta(minutes=max_gap)
    steps = [Step(TO_LEADER, since + gap), Step(TO_LEAD, since + 2 * gap)]
    return [step for step in steps if step.due_at <= now]
