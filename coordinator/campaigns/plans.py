"""What planning gives back: a plan, the progress on the way to it, and the figures a
coordinator judges a plan by."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from coordinator.campaigns.problem import Issue, Problem, Unscheduled, Visit, day_capacity


@dataclass
class Metrics:
    companies: int = 0
    covered: int = 0
    unscheduled: int = 0
    liaison_days: int = 0  # liaison-days with at least one visit
    building_switches: int = 0
    switches_per_liaison_day: float = 0.0
    max_switches_per_liaison_day: int = 0
    most_visits_per_liaison: int = 0
    fewest_visits_per_liaison: int = 0
    most_visits_per_day: int = 0  # over the liaisons' available days
    fewest_visits_per_day: int = 0
    daily_spread: int = 0
    designated: int = 0
    designated_kept: int = 0
    preferred: int = 0
    preferred_hits: int = 0
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    greedy_objective: int | None = None
    solver_status: str = ""
    seconds: float = 0.0


@dataclass
class Plan:
    visits: list[Visit]
    unscheduled: list[Unscheduled]
    issues: list[Issue]
    metrics: Metrics = field(default_factory=Metrics)

    def summary(self) -> dict[str, Any]:
        return asdict(self.metrics)


@dataclass(frozen=True)
class Progress:
    percent: int
    phase: str  # greedy | search | done
    objective: int | None = None
    bound: int | None = None
    plan: Plan | None = None  # the best complete plan so far, when a new one exists


def measure(
    problem: Problem, visits: Sequence[Visit], unscheduled: Sequence[Unscheduled]
) -> Metrics:
    """The figures a coordinator judges a plan by."""
    companies = {c.id: c for c in problem.companies}
    pool = {x.id for x in problem.liaisons}
    per_day: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for visit in visits:
        per_day[(visit.liaison, visit.day)].append(visit)
    switches = []
    for day_visits in per_day.values():
        day_visits.sort(key=lambda v: v.start)
        switches.append(
            sum(1 for a, b in itertools.pairwise(day_visits) if a.building != b.building)
        )
    per_liaison = {x.id: 0 for x in problem.liaisons}
    for visit in visits:
        per_liaison[visit.liaison] = per_liaison.get(visit.liaison, 0) + 1
    daily = [
        len(per_day.get((x.id, d), []))
        for x in problem.liaisons
        for d in range(problem.days)
        if day_capacity(problem, x, d) > 0
    ]
    designated = [c for c in problem.companies if c.designated in pool]
    liaison_of = {v.company: v.liaison for v in visits}
    with_preference = [c for c in problem.companies if c.preferred]
    return Metrics(
        companies=len(companies),
        covered=len(visits),
        unscheduled=len(unscheduled),
        liaison_days=len(per_day),
        building_switches=sum(switches),
        switches_per_liaison_day=round(sum(switches) / len(switches), 3) if switches else 0.0,
        max_switches_per_liaison_day=max(switches, default=0),
        most_visits_per_liaison=max(per_liaison.values(), default=0),
        fewest_visits_per_liaison=min(per_liaison.values(), default=0),
        most_visits_per_day=max(daily, default=0),
        fewest_visits_per_day=min(daily, default=0),
        daily_spread=(max(daily) - min(daily)) if daily else 0,
        designated=len(designated),
        designated_kept=sum(1 for c in designated if liaison_of.get(c.id) == c.designated),
        preferred=len(with_preference),
        preferred_hits=sum(1 for v in visits if v.preferred_hit),
    )
