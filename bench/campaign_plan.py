"""Planning a visit campaign: 2,000 companies, 60 buildings, 80 liaisons, 10 working days.

The planner (greedy start, then CP-SAT on building -> liaison counts, then days and times)
against a baseline computed in the same run: round-robin assignment in company order,
the same day filling and timing. Targets: a complete plan within 60 s, every company
scheduled (capacity allows), at most 2 building switches per liaison-day on average, and
a workload spread of at most 1 visit a day (most minus fewest visits over liaison-days).
`python -m bench.campaign_plan` runs it alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import random
import time

from bench.common import Check, Context, Result, Series
from coordinator.campaigns.planner import Plan, plan, round_robin
from coordinator.campaigns.problem import (
    Building,
    Company,
    DayWindow,
    Liaison,
    Problem,
    Window,
)

COMPANIES = 2000
BUILDINGS = 60
LIAISONS = 80
DAYS = 10
AREAS = 8
VISIT_MINUTES = 45
TIME_LIMIT = 45.0  # the solver's budget; the whole plan must be ready within 60 s
PLAN_TARGET_S = 60.0


def synthetic(seed: int = 2020) -> Problem:
    """A subdistrict: buildings in areas (two thirds with coordinates), companies spread
    unevenly over them, 60% with a designated liaison who looks after their building,
    a few unavailable or preferred windows; liaisons on most weekdays, some half days."""
    rng = random.Random(seed)
    buildings = []
    for b in range(BUILDINGS):
        area = f"area{b % AREAS}"
        lat = lon = None
        if rng.random() < 2 / 3:
            lat = 31.22 + (b % AREAS) * 0.004 + rng.uniform(0, 0.003)
            lon = 121.44 + (b % AREAS) * 0.003 + rng.uniform(0, 0.003)
        buildings.append(Building(f"b{b:02d}", area, lat, lon))
    weights = [rng.uniform(0.3, 1.7) for _ in buildings]
    keepers = {b.id: rng.sample(range(LIAISONS), 2) for b in buildings}
    liaisons = []
    for x in range(LIAISONS):
        days = frozenset(range(DAYS)) if x % 5 else frozenset(d for d in range(DAYS) if d % 5 != 4)
        start, end = (9 * 60, 17 * 60 + 30) if x % 7 else (9 * 60, 12 * 60)
        liaisons.append(Liaison(f"p{x:02d}", days, start, end, max_per_day=6))
    companies = []
    for c in range(COMPANIES):
        building = rng.choices(buildings, weights)[0]
        designated = None
        if rng.random() < 0.6:
            designated = f"p{rng.choice(keepers[building.id]):02d}"
        unavailable: tuple[DayWindow, ...] = ()
        preferred: tuple[DayWindow, ...] = ()
        if rng.random() < 0.1:
            unavailable = (DayWindow(None, 9 * 60, 11 * 60),)  # mornings are busy
        if rng.random() < 0.2:
            preferred = (DayWindow(None, 14 * 60, 17 * 60),)  # afternoons suit them
        companies.append(Company(f"c{c:04d}", building.id, designated, unavailable, preferred))
    return Problem(
        days=DAYS,
        windows=(Window(9 * 60, 12 * 60), Window(13 * 60 + 30, 17 * 60 + 30)),
        visit_minutes=VISIT_MINUTES,
        buildings=tuple(buildings),
        companies=tuple(companies),
        liaisons=tuple(liaisons),
    )


def _series(result: Plan, seconds: float) -> Series:
    return Series(
        rps=result.metrics.covered / seconds if seconds else 0.0,
        p50=math.nan,
        p99=math.nan,
        errors=0,
        cpu={},
        runs=[{"rps": result.metrics.covered, "seconds": round(seconds, 3)}],
    )


def _lines(label: str, result: Plan) -> list[str]:
    m = result.metrics
    return [
        f"  {label:<10} covered {m.covered}/{m.companies}  unscheduled {m.unscheduled}"
        f"  switches/liaison-day {m.switches_per_liaison_day:.2f}"
        f" (max {m.max_switches_per_liaison_day})",
        f"  {'':<10} visits per liaison {m.fewest_visits_per_liaison}..{m.most_visits_per_liaison}"
        f"  per liaison-day {m.fewest_visits_per_day}..{m.most_visits_per_day}"
        f" (spread {m.daily_spread})  designated kept {m.designated_kept}/{m.designated}"
        f"  preferred hits {m.preferred_hits}/{m.preferred}",
        f"  {'':<10} objective {m.objective}  bound {m.bound}  gap {m.gap}"
        f"  greedy {m.greedy_objective}  status {m.solver_status}  {m.seconds:.1f} s",
    ]


class CampaignResult(Result):
    """Quality figures instead of request rates."""

    extra: list[str]

    def block(self) -> str:
        lines = [f"== {self.name}: {self.title}", *self.extra]
        lines += [check.line() for check in self.checks]
        lines.append(f"  result     {'PASS' if self.passed else 'MISS'}")
        return "\n".join(lines)


def measure(time_limit: float = TIME_LIMIT) -> tuple[Plan, float, Plan, float]:
    problem = synthetic()
    started = time.monotonic()
    planned = plan(problem, time_limit=time_limit, workers=int(os.environ.get("CP_WORKERS", "8")))
    planned_s = time.monotonic() - started
    started = time.monotonic()
    baseline = round_robin(problem)
    return planned, planned_s, baseline, time.monotonic() - started


async def run(ctx: Context) -> Result:
    planned, planned_s, baseline, baseline_s = await asyncio.to_thread(measure)
    m = planned.metrics
    capacity_allows = not any(i.code == "over_capacity" for i in planned.issues)
    result = CampaignResult(
        name="campaign_plan",
        title=f"plan {COMPANIES} companies, {BUILDINGS} buildings, {LIAISONS} liaisons,"
        f" {DAYS} days vs round-robin",
        system=_series(planned, planned_s),
        baseline=_series(baseline, baseline_s),
        checks=[
            Check("seconds", planned_s, PLAN_TARGET_S, unit=" s", at_least=False),
            Check("unplanned", m.unscheduled if capacity_allows else 0, 1, at_least=False),
            Check("switches", m.switches_per_liaison_day, 2.0001, at_least=False),
            Check("spread", m.daily_spread, 1.0001, at_least=False),
        ],
        details={
            "planner": dataclasses.asdict(m),
            "baseline": dataclasses.asdict(baseline.metrics),
            "issues": [dataclasses.asdict(i) for i in planned.issues],
        },
        unit="visits",
    )
    result.extra = [*_lines("planner", planned), *_lines("baseline", baseline)]
    return result


if __name__ == "__main__":
    planned, planned_s, baseline, baseline_s = measure()
    print("\n".join(_lines("planner", planned) + _lines("baseline", baseline)))
    print(f"planner {planned_s:.1f} s, baseline {baseline_s:.1f} s")
