"""What a campaign planner works on: plain data, times as minutes after midnight, days as
indexes into the campaign's working days. No I/O here; the service builds these from rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Window:
    """[start, end) in minutes after midnight."""

    start: int
    end: int


@dataclass(frozen=True)
class DayWindow:
    """A window on one working day, or on every day when day is None."""

    day: int | None
    start: int
    end: int

    def applies(self, day: int) -> bool:
        return self.day is None or self.day == day

    def covers(self, day: int, start: int, end: int) -> bool:
        return self.applies(day) and self.start <= start and end <= self.end

    def overlaps(self, day: int, start: int, end: int) -> bool:
        return self.applies(day) and start < self.end and self.start < end


@dataclass(frozen=True)
class Building:
    id: str
    area: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Company:
    id: str
    building: str  # street-front shops get a place of their own
    designated: str | None = None  # the company's liaison (一对一), if any
    unavailable: tuple[DayWindow, ...] = ()
    preferred: tuple[DayWindow, ...] = ()


@dataclass(frozen=True)
class Liaison:
    id: str
    days: frozenset[int]
    start: int = 0
    end: int = DAY_MINUTES
    max_per_day: int = 8
    busy: tuple[DayWindow, ...] = ()  # visits they already hold


@dataclass(frozen=True)
class Pin:
    """A visit the coordinator fixed: the planner keeps it and plans around it."""

    company: str
    liaison: str
    day: int
    start: int


@dataclass(frozen=True)
class Travel:
    same_area: int = 10
    other_area: int = 25
    speed_kmh: float = 4.5  # on foot, between buildings with coordinates
    minimum: int = 5


@dataclass(frozen=True)
class Problem:
    days: int
    windows: tuple[Window, ...]
    visit_minutes: int
    buildings: tuple[Building, ...]
    companies: tuple[Company, ...]
    liaisons: tuple[Liaison, ...]
    pins: tuple[Pin, ...] = ()
    travel: Travel = field(default_factory=Travel)


@dataclass(frozen=True)
class Visit:
    company: str
    liaison: str
    day: int
    start: int
    end: int
    building: str
    pinned: bool = False
    preferred_hit: bool = False


@dataclass(frozen=True)
class Unscheduled:
    company: str
    reason: str  # no_liaisons | windows_too_short | over_capacity | company_unavailable | no_time
    detail: str = ""


@dataclass(frozen=True)
class Issue:
    """Something about the whole input that keeps companies from being planned."""

    code: str
    detail: str


def _haversine_km(a: Building, b: Building) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class TravelTimes:
    """Minutes between buildings: from coordinates when both have them, else by area."""

    def __init__(self, problem: Problem) -> None:
        self.rules = problem.travel
        self.buildings = {b.id: b for b in problem.buildings}
        self._cache: dict[tuple[str, str], int] = {}

    def __call__(self, a: str, b: str) -> int:
        if a == b:
            return 0
        key = (a, b) if a < b else (b, a)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compute(a, b)
        return found

    def _compute(self, a: str, b: str) -> int:
        first, second = self.buildings.get(a), self.buildings.get(b)
        if first is None or second is None:
            return self.rules.other_area
        if None not in (first.lat, first.lon, second.lat, second.lon):
            km = _haversine_km(first, second)
            return max(self.rules.minimum, math.ceil(km / self.rules.speed_kmh * 60))
        if first.area is not None and first.area == second.area:
            return self.rules.same_area
        return self.rules.other_area


def liaison_windows(problem: Problem, liaison: Liaison, day: int) -> list[Window]:
    """The campaign's windows on a day, cut to the liaison's hours and free time."""
    if day not in liaison.days:
        return []
    out: list[Window] = []
    for window in problem.windows:
        start, end = max(window.start, liaison.start), min(window.end, liaison.end)
        pieces = [(start, end)] if end > start else []
        for busy in liaison.busy:
            if not busy.applies(day):
                continue
            cut: list[tuple[int, int]] = []
            for s, e in pieces:
                if busy.end <= s or busy.start >= e:
                    cut.append((s, e))
                    continue
                if busy.start > s:
                    cut.append((s, busy.start))
                if busy.end < e:
                    cut.append((busy.end, e))
            pieces = cut
        out.extend(Window(s, e) for s, e in pieces)
    return out


def day_capacity(problem: Problem, liaison: Liaison, day: int) -> int:
    """Visits that fit in a liaison's day in one building (travel only lowers this)."""
    fits = sum(
        (w.end - w.start) // problem.visit_minutes for w in liaison_windows(problem, liaison, day)
    )
    return min(fits, liaison.max_per_day)
