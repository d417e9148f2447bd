"""Plan a campaign: data in, plan out, no I/O; a time limit and a stop flag.

Two stages: which liaison visits how many of each building's companies (greedy, then
CP-SAT from it), then each liaison's companies into days and times (sequencing.py).
Pinned visits stay where the coordinator put them and count toward everything.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from coordinator.campaigns import assignment
from coordinator.campaigns.placing import sequence_all
from coordinator.campaigns.plans import Plan, Progress, measure
from coordinator.campaigns.problem import (
    Company,
    Issue,
    Liaison,
    Problem,
    TravelTimes,
    Unscheduled,
    Visit,
    day_capacity,
)


def _never() -> bool:
    return False


def _ignore(progress: Progress) -> None:
    return None


def _check(problem: Problem) -> tuple[list[Issue], str | None]:
    """Issues of the input as a whole, and the reason nothing can be planned, if so."""
    issues: list[Issue] = []
    if not problem.liaisons:
        issues.append(Issue("no_liaisons", "the campaign has no liaisons in its pool"))
        return issues, "no_liaisons"
    if problem.days <= 0:
        issues.append(Issue("no_working_days", "the period has no working days"))
        return issues, "no_working_days"
    if all(w.end - w.start < problem.visit_minutes for w in problem.windows):
        issues.append(
            Issue(
                "windows_too_short",
                f"no daily window is as long as a visit ({problem.visit_minutes} min)",
            )
        )
        return issues, "windows_too_short"
    idle = [
        x.id
        for x in problem.liaisons
        if not any(day_capacity(problem, x, d) for d in range(problem.days))
    ]
    for liaison in idle:
        issues.append(Issue("liaison_unavailable", f"liaison {liaison} has no time for a visit"))
    if len(idle) == len(problem.liaisons):
        return issues, "no_liaison_time"
    capacity = sum(
        day_capacity(problem, x, d) for x in problem.liaisons for d in range(problem.days)
    )
    if capacity < len(problem.companies):
        issues.append(
            Issue(
                "over_capacity",
                f"{len(problem.companies)} companies, room for {capacity} visits:"
                f" {len(problem.companies) - capacity} cannot be planned",
            )
        )
    return issues, None


def _pins(problem: Problem, issues: list[Issue]) -> list[Visit]:
    companies = {c.id: c for c in problem.companies}
    pool = {x.id for x in problem.liaisons}
    pinned: list[Visit] = []
    for pin in problem.pins:
        company = companies.get(pin.company)
        if company is None or pin.liaison not in pool or not 0 <= pin.day < problem.days:
            issues.append(Issue("pin_ignored", f"pin of {pin.company} is outside the campaign"))
            continue
        pinned.append(
            Visit(
                company=pin.company,
                liaison=pin.liaison,
                day=pin.day,
                start=pin.start,
                end=pin.start + problem.visit_minutes,
                building=company.building,
                pinned=True,
                preferred_hit=any(
                    w.covers(pin.day, pin.start, pin.start + problem.visit_minutes)
                    for w in company.preferred
                ),
            )
        )
    return pinned


def _instance(
    problem: Problem, free: Sequence[Company], pinned: Sequence[Visit]
) -> assignment.Instance:
    pool = {x.id for x in problem.liaisons}
    pins_per_day: dict[tuple[str, int], int] = defaultdict(int)
    for visit in pinned:
        pins_per_day[(visit.liaison, visit.day)] += 1
    capacity = {
        x.id: sum(
            max(0, day_capacity(problem, x, d) - pins_per_day[(x.id, d)])
            for d in range(problem.days)
        )
        for x in problem.liaisons
    }
    sizes: dict[str, int] = defaultdict(int)
    designated: dict[tuple[str, str], int] = defaultdict(int)
    for company in free:
        sizes[company.building] += 1
        if company.designated in pool:
            designated[(company.building, company.designated)] += 1
    areas = {b.id: b.area for b in problem.buildings}
    fixed_load: dict[str, int] = defaultdict(int)
    for visit in pinned:
        fixed_load[visit.liaison] += 1
    days = {
        x.id: sum(1 for d in range(problem.days) if day_capacity(problem, x, d) > 0)
        for x in problem.liaisons
    }
    return assignment.Instance(
        sizes=dict(sizes),
        days=days,
        areas={b: areas.get(b) for b in sizes},
        capacity=capacity,
        fixed_load=dict(fixed_load),
        designated=dict(designated),
        fixed_pairs={(v.building, v.liaison) for v in pinned},
    )


def _hand_out(
    free: Sequence[Company], counts: assignment.Counts
) -> tuple[dict[str, list[Company]], list[Company]]:
    """Companies per liaison from counts per (building, liaison): designated ones first."""
    by_building: dict[str, list[Company]] = defaultdict(list)
    for company in free:
        by_building[company.building].append(company)
    takers: dict[str, dict[str, int]] = defaultdict(dict)
    for (building, liaison), n in counts.items():
        takers[building][liaison] = n
    mine: dict[str, list[Company]] = defaultdict(list)
    left: list[Company] = []
    for building, companies in by_building.items():
        want = dict(takers.get(building, {}))
        rest = []
        for company in companies:
            if company.designated is not None and want.get(company.designated, 0) > 0:
                mine[company.designated].append(company)
                want[company.designated] -= 1
            else:
                rest.append(company)
        rest.sort(key=lambda c: c.designated is not None)
        for liaison, n in sorted(want.items()):
            mine[liaison] += rest[:n]
            rest = rest[n:]
        left += rest
    return mine, left


def _build(
    problem: Problem,
    travel: TravelTimes,
    free: Sequence[Company],
    pinned: Sequence[Visit],
    counts: assignment.Counts,
    reason: str,
) -> tuple[list[Visit], list[Unscheduled]]:
    mine, left = _hand_out(free, counts)
    pins_of: dict[str, list[Visit]] = defaultdict(list)
    for visit in pinned:
        pins_of[visit.liaison].append(visit)
    placed, unscheduled = sequence_all(problem, travel, mine, pins_of)
    unscheduled += [Unscheduled(c.id, reason, "more companies than visits fit") for c in left]
    return [*pinned, *placed], unscheduled


def plan(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    stop: Callable[[], bool] = _never,
    on_progress: Callable[[Progress], None] = _ignore,
    workers: int = 8,
) -> Plan:
    """The best plan found within time_limit seconds (or until stop() is true)."""
    started = time.monotonic()
    issues, fatal = _check(problem)
    if fatal is not None:
        detail = issues[-1].detail
        result = Plan([], [Unscheduled(c.id, fatal, detail) for c in problem.companies], issues)
        result.metrics = measure(problem, [], result.unscheduled)
        result.metrics.solver_status = "infeasible"
        on_progress(Progress(100, "done", plan=result))
        return result
    pinned = _pins(problem, issues)
    taken = {v.company for v in pinned}
    free = [c for c in problem.companies if c.id not in taken]
    travel = TravelTimes(problem)
    inst = _instance(problem, free, pinned)
    counts = assignment.greedy(inst)
    greedy_objective = assignment.objective(inst, counts)
    visits, unscheduled = _build(problem, travel, free, pinned, counts, "over_capacity")
    best = Plan(visits, unscheduled, issues)
    best.metrics = measure(problem, visits, unscheduled)
    best.metrics.objective = greedy_objective
    best.metrics.solver_status = "greedy"
    on_progress(Progress(10, "greedy", objective=greedy_objective, plan=best))

    # Keep a reserve for sequencing the search's answer (about as long as the greedy's).
    reserve = min(5.0, 2 * (time.monotonic() - started) + 0.5)
    budget = time_limit - (time.monotonic() - started) - reserve
    search_started = time.monotonic()

    def on_solution(objective: int, bound: int) -> None:
        share = (time.monotonic() - search_started) / max(budget, 0.1)
        on_progress(Progress(10 + int(80 * min(1.0, share)), "search", objective, bound))

    found = None
    if budget > 0.2 and not stop() and free:
        found = assignment.solve(
            inst,
            hint=counts,
            time_limit=budget,
            stop=stop,
            on_solution=on_solution,
            workers=workers,
        )
    status, bound = "greedy", None
    if found is not None:
        bound = found.bound
        status = found.status
        if found.objective < greedy_objective:
            visits, unscheduled = _build(
                problem, travel, free, pinned, found.counts, "over_capacity"
            )
            best = Plan(visits, unscheduled, issues)
    objective = min(greedy_objective, found.objective) if found else greedy_objective
    best.metrics = measure(problem, best.visits, best.unscheduled)
    best.metrics.objective = objective
    best.metrics.greedy_objective = greedy_objective
    best.metrics.bound = bound
    if bound is not None:
        best.metrics.gap = round((objective - bound) / max(1, abs(objective)), 4)
    best.metrics.solver_status = status if not free else (status if found else "greedy")
    if not free:
        best.metrics.solver_status = "optimal"
        best.metrics.bound, best.metrics.gap = objective, 0.0
    best.metrics.seconds = round(time.monotonic() - started, 3)
    on_progress(Progress(100, "done", objective, bound, plan=best))
    return best


def round_robin(problem: Problem) -> Plan:
    """The baseline: company i to liaison i mod n, in company order, days filled evenly."""
    started = time.monotonic()
    travel = TravelTimes(problem)
    liaisons: list[Liaison] = list(problem.liaisons)
    visits: list[Visit] = []
    unscheduled: list[Unscheduled] = []
    if not liaisons:
        unscheduled = [Unscheduled(c.id, "no_liaisons") for c in problem.companies]
    else:
        mine: dict[str, list[Company]] = defaultdict(list)
        for i, company in enumerate(problem.companies):
            mine[liaisons[i % len(liaisons)].id].append(company)
        visits, unscheduled = sequence_all(problem, travel, mine, {}, group_by_building=False)
    result = Plan(visits, unscheduled, [])
    result.metrics = measure(problem, visits, unscheduled)
    result.metrics.solver_status = "baseline"
    result.metrics.seconds = round(time.monotonic() - started, 3)
    return result
