"""Second stage of planning: one liaison's companies into days and times.

Companies come grouped by building and are cut into day-sized runs, so a day mostly stays
in one building; each day is then timed visit by visit, with travel when the building
changes, around pinned visits, the companies' unavailable windows and, where it costs
nothing, inside their preferred windows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from coordinator.campaigns.problem import (
    Company,
    Liaison,
    Problem,
    TravelTimes,
    Visit,
    Window,
    day_capacity,
    liaison_windows,
)


@dataclass
class DayPlan:
    day: int
    windows: list[Window]
    capacity: int
    visits: list[Visit]  # pinned ones first, then as placed


def _earliest(
    start: int,
    length: int,
    windows: list[Window],
    blocked: list[tuple[int, int]],
) -> int | None:
    """The earliest start at or after `start` of a visit inside a window, clear of blocked."""
    candidate = start
    for _ in range(200):
        window = next((w for w in windows if w.end - max(candidate, w.start) >= length), None)
        if window is None:
            return None
        candidate = max(candidate, window.start)
        clash = next((e for s, e in blocked if candidate < e and s < candidate + length), None)
        if clash is None:
            return candidate
        candidate = clash
    return None


def _hit(company: Company, day: int, start: int, end: int) -> bool:
    return any(w.covers(day, start, end) for w in company.preferred)


def _time_day(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    plan: DayPlan,
    companies: Sequence[Company],
) -> tuple[list[Visit], list[Company]]:
    """Place companies one after another, each time the one that can start first (staying
    in the building on ties); companies whose preferred window has not come yet wait while
    others can go. Returns (placed, not placed)."""
    length = problem.visit_minutes
    placed: list[Visit] = []
    fixed = list(plan.visits)
    cursor = plan.windows[0].start if plan.windows else 0
    previous: str | None = None
    room = plan.capacity - len(fixed)
    remaining = list(companies)
    while remaining and room > 0:
        now: list[tuple[tuple[int, bool, int], Company, int]] = []
        later: list[tuple[tuple[int, int], Company, int]] = []
        for index, company in enumerate(remaining):
            building = company.building
            blocked = [
                (v.start - travel(v.building, building), v.end + travel(v.building, building))
                for v in fixed
            ]
            blocked += [(w.start, w.end) for w in company.unavailable if w.applies(plan.day)]
            earliest = cursor + (travel(previous, building) if previous else 0)
            start = _earliest(earliest, length, plan.windows, blocked)
            if start is None:
                continue
            wants = [w for w in company.preferred if w.applies(plan.day)]
            if not wants or _hit(company, plan.day, start, start + length):
                now.append(((start, building != previous, index), company, start))
                continue
            waited = [
                t
                for w in wants
                if (t := _earliest(max(earliest, w.start), length, plan.windows, blocked))
                is not None
                and _hit(company, plan.day, t, t + length)
            ]
            best = min(waited) if waited else start
            later.append(((best, index), company, best))
        if now:
            _, company, start = min(now, key=lambda item: item[0])
        elif later:
            _, company, start = min(later, key=lambda item: item[0])
        else:
            break
        visit = Visit(
            company=company.id,
            liaison=liaison.id,
            day=plan.day,
            start=start,
            end=start + length,
            building=company.building,
            preferred_hit=_hit(company, plan.day, start, start + length),
        )
        placed.append(visit)
        fixed.append(visit)
        remaining.remove(company)
        cursor, previous = visit.end, company.building
        room -= 1
    return placed, remaining


def time_day(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    plan: DayPlan,
    companies: Sequence[Company],
) -> list[Company]:
    """Time a day's companies into plan.visits; returns the companies that did not fit."""
    placed, failed = _time_day(problem, travel, liaison, plan, companies)
    plan.visits.extend(placed)
    return failed


def order_buildings(travel: TravelTimes, buildings: list[str], start: str | None) -> list[str]:
    """Nearest neighbour through the buildings, from `start` (or the first one)."""
    left = list(buildings)
    if not left:
        return []
    current = start if start in left else left[0]
    out = [current]
    left.remove(current)
    while left:
        current = min(left, key=lambda b: (travel(current, b), b))
        out.append(current)
        left.remove(current)
    return out


def _quotas(total: int, plans: list[DayPlan]) -> list[int]:
    """Free visits per day so that days (with their pinned visits) are as even as can be."""
    pinned = [len(p.visits) for p in plans]
    room = [max(0, p.capacity - n) for p, n in zip(plans, pinned, strict=True)]
    quotas = [0] * len(plans)
    left = total
    # Water filling: raise the lowest days first, one visit at a time (days are few).
    while left > 0:
        open_days = [i for i in range(len(plans)) if quotas[i] < room[i]]
        if not open_days:
            break
        i = min(open_days, key=lambda j: (pinned[j] + quotas[j], j))
        quotas[i] += 1
        left -= 1
    return quotas


def sequence_liaison(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    companies: Sequence[Company],
    pinned: Sequence[Visit],
    *,
    group_by_building: bool = True,
) -> tuple[list[DayPlan], list[Company]]:
    """Days and times for one liaison's companies, around its pinned visits: the days
    (with their visits) and the companies that found no place."""
    plans = [
        DayPlan(d, liaison_windows(problem, liaison, d), day_capacity(problem, liaison, d), [])
        for d in range(problem.days)
        if d in liaison.days
    ]
    by_day = {p.day: p for p in plans}
    for visit in pinned:
        plan = by_day.get(visit.day)
        if plan is None:  # pinned outside the liaison's days: kept as the coordinator said
            plan = by_day[visit.day] = DayPlan(visit.day, [], 0, [])
        plan.visits.append(visit)
    plans = [p for p in plans if p.capacity > 0]
    ordered = list(companies)
    if group_by_building:
        groups: dict[str, list[Company]] = defaultdict(list)
        for company in companies:
            groups[company.building].append(company)
        first = pinned[0].building if pinned else None
        ordered = [c for b in order_buildings(travel, list(groups), first) for c in groups[b]]
    quotas = _quotas(len(ordered), plans)
    left: list[Company] = []
    position = 0
    for plan, quota in zip(plans, quotas, strict=True):
        chunk = ordered[position : position + quota]
        position += quota
        left += time_day(problem, travel, liaison, plan, chunk)
    return plans, left + ordered[position:]
