"""Third stage of planning: every liaison's days (sequencing.py), then the companies that
did not fit where they were assigned, then days left short evened out with the
liaison's busiest ones."""

from __future__ import annotations

from collections import defaultdict

from coordinator.campaigns.problem import (
    Company,
    Liaison,
    Problem,
    TravelTimes,
    Unscheduled,
    Visit,
)
from coordinator.campaigns.sequencing import DayPlan, sequence_liaison, time_day


def _try(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    plans: list[DayPlan],
    company: Company,
    level: int,
) -> bool:
    """Place company on one of the liaison's days holding fewer than `level` visits."""
    for plan in sorted(plans, key=lambda p: (len(p.visits), p.day)):
        if len(plan.visits) < min(level, plan.capacity) and not time_day(
            problem, travel, liaison, plan, [company]
        ):
            return True
    return False


def sequence_all(
    problem: Problem,
    travel: TravelTimes,
    assigned: dict[str, list[Company]],
    pinned: dict[str, list[Visit]],
    *,
    group_by_building: bool = True,
) -> tuple[list[Visit], list[Unscheduled]]:
    """Every liaison's days; then companies that did not fit where they were assigned get
    a place without raising anyone's busiest day (their liaison first, then liaisons
    already in their building, then anyone), and only then wherever there is room."""
    days: dict[str, list[DayPlan]] = {}
    left: list[tuple[Company, Liaison]] = []
    for liaison in problem.liaisons:
        days[liaison.id], missed = sequence_liaison(
            problem,
            travel,
            liaison,
            assigned.get(liaison.id, []),
            pinned.get(liaison.id, []),
            group_by_building=group_by_building,
        )
        left += [(company, liaison) for company in missed]
    level = {x: max((len(p.visits) for p in plans), default=0) for x, plans in days.items()}
    in_building: dict[str, set[str]] = defaultdict(set)
    for liaison_id, plans in days.items():
        for plan in plans:
            for visit in plan.visits:
                in_building[visit.building].add(liaison_id)
    unscheduled: list[Unscheduled] = []
    for company, own in left:
        others = sorted(
            (x for x in problem.liaisons if x.id != own.id),
            key=lambda x: (x.id not in in_building[company.building], x.id),
        )
        tries = [(own, level[own.id]), *((x, level[x.id]) for x in others)]
        tries += [(own, problem.days * 100), *((x, problem.days * 100) for x in others)]
        if any(_try(problem, travel, x, days[x.id], company, cap) for x, cap in tries):
            continue
        if any(w for w in company.unavailable):
            reason, detail = "company_unavailable", "unavailable whenever a liaison is free"
        else:
            reason, detail = "over_capacity", "every liaison's days are full"
        unscheduled.append(Unscheduled(company.id, reason, detail))
    by_id = {c.id: c for c in problem.companies}
    for liaison in problem.liaisons:
        _even_out(problem, travel, liaison, days[liaison.id], by_id)
    visits = [v for plans in days.values() for p in plans for v in p.visits if not v.pinned]
    return visits, unscheduled


def _even_out(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    plans: list[DayPlan],
    by_id: dict[str, Company],
) -> None:
    """A day left short (its companies' hours did not fit it) takes a visit from one of
    the liaison's busiest days that fits it, until every day has its fair share or none
    fits: days stay within one visit of each other where the hours allow."""
    working = [p for p in plans if p.capacity > 0]
    fair = sum(len(p.visits) for p in working) // len(working) if working else 0
    for short in sorted(working, key=lambda p: (len(p.visits), p.day)):
        while len(short.visits) < fair and _take_one(
            problem, travel, liaison, short, working, fair, by_id
        ):
            pass


def _take_one(
    problem: Problem,
    travel: TravelTimes,
    liaison: Liaison,
    short: DayPlan,
    working: list[DayPlan],
    fair: int,
    by_id: dict[str, Company],
) -> bool:
    for donor in sorted(working, key=lambda p: (-len(p.visits), p.day)):
        if len(donor.visits) <= fair:
            return False
        for visit in [v for v in donor.visits if not v.pinned]:
            if _try(problem, travel, liaison, [short], by_id[visit.company], fair):
                donor.visits.remove(visit)
                return True
    return False
