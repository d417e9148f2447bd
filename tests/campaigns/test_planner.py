"""The pure planner on instances small enough to check by hand."""

from __future__ import annotations

import itertools
import time

from coordinator.campaigns.planner import Progress, plan, round_robin
from coordinator.campaigns.problem import (
    Building,
    Company,
    DayWindow,
    Liaison,
    Pin,
    Problem,
    Window,
)

H = 60


def small(**changes) -> Problem:  # type: ignore[no-untyped-def]
    """2 liaisons, 3 buildings (A and B in one area, C in another), 6 companies, 1 day of
    9:00-12:00 (four 45-minute visits), at most 3 visits a day each. a1 and a2 are P's,
    b1 is Q's; c1 would rather be seen after 11:00."""
    base = {
        "days": 1,
        "windows": (Window(9 * H, 12 * H),),
        "visit_minutes": 45,
        "buildings": (Building("A", "north"), Building("B", "north"), Building("C", "south")),
        "companies": (
            Company("a1", "A", designated="P"),
            Company("a2", "A", designated="P"),
            Company("a3", "A"),
            Company("b1", "B", designated="Q"),
            Company("b2", "B"),
            Company("c1", "C", preferred=(DayWindow(None, 11 * H, 12 * H),)),
        ),
        "liaisons": (
            Liaison("P", frozenset({0}), max_per_day=3),
            Liaison("Q", frozenset({0}), max_per_day=3),
        ),
    }
    return Problem(**{**base, **changes})


def table(result) -> dict[str, tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return {v.company: (v.liaison, v.start, v.end) for v in result.visits}


def test_small_campaign_gets_the_optimum_worked_out_by_hand():
    # Every building needs a liaison: 3 pairs at least, and 3 are enough with P in A and
    # Q in B and C; nobody loses a designated liaison, loads are 3 and 3. Objective:
    # 3 pairs x 30 = 90, proven optimal. Q walks from B to C (other area, 25 min) and
    # waits for c1's window at 11:00.
    result = plan(small(), time_limit=10, workers=2)
    assert table(result) == {
        "a1": ("P", 9 * H, 9 * H + 45),
        "a2": ("P", 9 * H + 45, 10 * H + 30),
        "a3": ("P", 10 * H + 30, 11 * H + 15),
        "b1": ("Q", 9 * H, 9 * H + 45),
        "b2": ("Q", 9 * H + 45, 10 * H + 30),
        "c1": ("Q", 11 * H, 11 * H + 45),
    }
    m = result.metrics
    assert (m.covered, m.unscheduled, result.unscheduled) == (6, 0, [])
    assert m.building_switches == 1
    assert m.switches_per_liaison_day == 0.5
    assert (m.most_visits_per_liaison, m.fewest_visits_per_liaison, m.daily_spread) == (3, 3, 0)
    assert (m.designated, m.designated_kept) == (3, 3)
    assert (m.preferred, m.preferred_hits) == (1, 1)
    assert (m.objective, m.bound, m.gap, m.solver_status) == (90, 90, 0.0, "optimal")


def test_travel_from_coordinates_when_both_buildings_have_them():
    buildings = (
        Building("A", "north", 31.2300, 121.4500),
        Building("B", "north", 31.2300, 121.4500),
        Building("C", "south", 31.2300, 121.4560),  # about 570 m east: 8 min on foot
    )
    result = plan(small(buildings=buildings), time_limit=5, workers=2)
    visits = {v.company: v for v in result.visits}
    # b2 ends 10:30, 8 min walk: c1 could start 10:38, but waits for its window (11:00).
    assert visits["c1"].start == 11 * H
    no_wish = small(
        buildings=buildings,
        companies=(*small().companies[:5], Company("c1", "C")),
    )
    assert {v.company: v.start for v in plan(no_wish, time_limit=5, workers=2).visits}[
        "c1"
    ] == 10 * H + 38


def test_pinned_visit_stays_and_the_rest_is_planned_around_it():
    pin = Pin(company="a3", liaison="Q", day=0, start=9 * H)
    result = plan(small(pins=(pin,)), time_limit=5, workers=2)
    visits = {v.company: v for v in result.visits}
    assert len(visits) == 6 and not result.unscheduled
    assert (visits["a3"].liaison, visits["a3"].start, visits["a3"].pinned) == ("Q", 9 * H, True)
    assert [c for c, v in visits.items() if v.pinned] == ["a3"]
    q = sorted((v.start, v.end) for v in result.visits if v.liaison == "Q")
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(q))
    assert q[0] == (9 * H, 9 * H + 45)
    assert len(q) == 3  # Q's day holds at most 3, the pin included


def test_no_liaisons_reports_every_company_and_why():
    result = plan(small(liaisons=()), time_limit=5)
    assert result.visits == []
    assert {u.reason for u in result.unscheduled} == {"no_liaisons"}
    assert len(result.unscheduled) == 6
    assert [i.code for i in result.issues] == ["no_liaisons"]


def test_windows_shorter_than_a_visit_are_reported():
    result = plan(small(windows=(Window(9 * H, 9 * H + 30), Window(14 * H, 14 * H + 40))))
    assert result.visits == []
    assert {u.reason for u in result.unscheduled} == {"windows_too_short"}
    assert [i.code for i in result.issues] == ["windows_too_short"]


def test_more_companies_than_capacity_plans_what_fits_and_says_what_does_not():
    liaisons = (
        Liaison("P", frozenset({0}), max_per_day=2),
        Liaison("Q", frozenset({0}), max_per_day=2),
    )
    started = time.monotonic()
    result = plan(small(liaisons=liaisons), time_limit=5, workers=2)
    assert time.monotonic() - started < 6
    assert len(result.visits) == 4
    assert [u.reason for u in result.unscheduled] == ["over_capacity", "over_capacity"]
    assert [i.code for i in result.issues] == ["over_capacity"]
    assert "2 cannot be planned" in result.issues[0].detail


def test_a_liaison_without_time_is_an_issue_not_a_crash():
    liaisons = (
        Liaison("P", frozenset({0}), start=13 * H, end=17 * H),
        Liaison("Q", frozenset({0})),
    )
    result = plan(small(liaisons=liaisons), time_limit=5, workers=2)
    assert "liaison_unavailable" in [i.code for i in result.issues]
    assert {v.liaison for v in result.visits} == {"Q"}


def test_stop_flag_ends_the_search_with_the_greedy_plan():
    seen: list[Progress] = []
    started = time.monotonic()
    result = plan(small(), time_limit=60, stop=lambda: True, on_progress=seen.append)
    assert time.monotonic() - started < 5
    assert len(result.visits) == 6
    assert seen[0].phase == "greedy" and seen[0].plan is not None
    assert seen[-1].phase == "done" and seen[-1].percent == 100


def test_round_robin_baseline_ignores_buildings():
    result = round_robin(small())
    assert [v.liaison for v in sorted(result.visits, key=lambda v: v.company)] == [
        "P",
        "Q",
        "P",
        "Q",
        "P",
        "Q",
    ]
    assert result.metrics.building_switches == 3


def test_workloads_stay_within_one_visit_a_day_even_against_designations():
    """One liaison is designated for every company; balance still wins as a hard rule."""
    from coordinator.campaigns.assignment import Instance, daily_band, greedy, solve

    inst = Instance(
        sizes={"A": 20, "B": 20},
        areas={"A": "north", "B": "north"},
        capacity={"x": 40, "y": 40},
        fixed_load={},
        days={"x": 5, "y": 5},
        designated={("A", "x"): 20, ("B", "x"): 20},
    )
    assert daily_band(inst) == {"x": (20, 25), "y": (20, 25)}
    result = solve(inst, hint=greedy(inst), time_limit=5, stop=lambda: False, workers=2)
    assert result is not None
    loads = {x: sum(v for (b, who), v in result.counts.items() if who == x) for x in "xy"}
    assert sum(loads.values()) == 40
    assert all(20 <= load <= 25 for load in loads.values())


def test_no_band_when_capacity_makes_even_days_impossible():
    from coordinator.campaigns.assignment import Instance, daily_band

    inst = Instance(
        sizes={"A": 30},
        areas={"A": None},
        capacity={"x": 5, "y": 40},
        fixed_load={},
        days={"x": 5, "y": 5},
        designated={},
    )
    assert daily_band(inst) is None


def test_a_day_its_companies_cannot_use_takes_a_visit_from_the_busiest():
    # Cut in order, day 0 gets a1 and a2, day 1 a3 and a4; a2 cannot be seen on day 0, so
    # it goes to day 1, which would then hold three visits and day 0 one: day 0 takes one
    # of day 1's back, and both days hold two.
    problem = small(
        days=2,
        buildings=(Building("A", "north"),),
        companies=(
            Company("a1", "A"),
            Company("a2", "A", unavailable=(DayWindow(0, 0, 24 * H),)),
            Company("a3", "A"),
            Company("a4", "A"),
        ),
        liaisons=(Liaison("P", frozenset({0, 1}), max_per_day=3),),
    )
    result = plan(problem, time_limit=5, workers=2)
    days = {v.company: v.day for v in result.visits}
    assert days["a2"] == 1 and len(days) == 4
    assert sorted(list(days.values()).count(d) for d in (0, 1)) == [2, 2]
    assert result.metrics.daily_spread == 0
