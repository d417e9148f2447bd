"""First stage of planning: how many of each building's companies each liaison takes.

Companies of one building are alike to this stage except for their designated liaison, so
the model counts per (building, liaison) instead of deciding per company: a few thousand
integer variables for a subdistrict instead of hundreds of thousands of booleans. A greedy
fill gives a complete answer in milliseconds and the CP-SAT search its starting hint.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

# Objective weights: cover every company first, then keep designated liaisons, then few
# liaisons per building (each extra pair is a building to walk to), then even workloads.
W_UNCOVERED = 1000
W_DESIGNATION_LOST = 40
W_PAIR = 30
W_IMBALANCE = 10

Counts = dict[tuple[str, str], int]  # (building, liaison) -> companies


@dataclass
class Instance:
    """The counting view of a planning problem (pinned companies already taken out)."""

    sizes: dict[str, int]  # building -> free companies
    areas: dict[str, str | None]
    capacity: dict[str, int]  # liaison -> free visits over the campaign
    fixed_load: dict[str, int]  # liaison -> pinned visits
    days: dict[str, int]  # liaison -> working days with time for a visit
    designated: Counts  # (building, liaison in pool) -> free companies designated to them
    fixed_pairs: set[tuple[str, str]] = field(default_factory=set)  # from pins


@dataclass
class Assignment:
    counts: Counts
    objective: int
    bound: int
    status: str  # greedy | optimal | feasible | stopped | ...
    seconds: float = 0.0


def targets(inst: Instance) -> dict[str, int]:
    """Fair loads: everything that can be covered, shared so that every liaison gets about
    as many visits per working day (pinned ones included), within their capacity."""
    cover = min(sum(inst.sizes.values()), sum(inst.capacity.values()))
    fixed = inst.fixed_load
    total = cover + sum(fixed.values())
    # Water filling on the per-day rate: capped liaisons take their capacity, the others
    # share what is left in proportion to their days.
    capped: set[str] = set()
    while True:
        free = [x for x in inst.capacity if x not in capped and inst.days.get(x, 0) > 0]
        left = total - sum(inst.capacity[x] + fixed.get(x, 0) for x in capped)
        days = sum(inst.days[x] for x in free)
        rate = left / days if days else 0.0
        over = [x for x in free if rate * inst.days[x] - fixed.get(x, 0) > inst.capacity[x]]
        if not over:
            break
        capped.update(over)
    raw = {x: inst.capacity[x] for x in capped}
    for x in inst.capacity:
        if x not in capped:
            raw[x] = min(
                inst.capacity[x], max(0, int(rate * inst.days.get(x, 0)) - fixed.get(x, 0))
            )
    left_over = cover - sum(raw.values())
    order = sorted(
        inst.capacity,
        key=lambda x: ((raw[x] + fixed.get(x, 0)) / max(1, inst.days.get(x, 0)), x),
    )
    while left_over > 0:
        moved = False
        for x in order:
            if left_over > 0 and raw[x] < inst.capacity[x]:
                raw[x] += 1
                left_over -= 1
                moved = True
        if not moved:
            break
    return raw


def daily_band(inst: Instance) -> dict[str, tuple[int, int]] | None:
    """Bounds on each liaison's free visits that keep workloads within one visit a day of
    each other: every liaison works k to k+1 visits a day, k the fair daily rate rounded
    down. None when capacities make that impossible (then balance is only preferred)."""
    working = {x: d for x, d in inst.days.items() if d > 0 and x in inst.capacity}
    if not working:
        return None
    cover = min(sum(inst.sizes.values()), sum(inst.capacity.values()))
    total = cover + sum(inst.fixed_load.get(x, 0) for x in working)
    k = total // sum(working.values())
    band: dict[str, tuple[int, int]] = {}
    for x in inst.capacity:
        days, fixed = working.get(x, 0), inst.fixed_load.get(x, 0)
        low = max(0, k * days - fixed)
        high = min(inst.capacity[x], (k + 1) * days - fixed)
        if low > high:
            return None
        band[x] = (low, high)
    if not sum(low for low, _ in band.values()) <= cover <= sum(h for _, h in band.values()):
        return None
    return band


def objective(inst: Instance, counts: Counts) -> int:
    """The objective of an assignment, as the CP-SAT model scores it."""
    goal = targets(inst)
    covered = sum(counts.values())
    uncovered = sum(inst.sizes.values()) - covered
    lost = sum(d - min(d, counts.get(key, 0)) for key, d in inst.designated.items())
    pairs = len({key for key, n in counts.items() if n > 0} | inst.fixed_pairs)
    load: dict[str, int] = {}
    for (_, liaison), n in counts.items():
        load[liaison] = load.get(liaison, 0) + n
    imbalance = sum(abs(load.get(x, 0) - goal[x]) for x in inst.capacity)
    return (
        W_UNCOVERED * uncovered
        + W_DESIGNATION_LOST * lost
        + W_PAIR * pairs
        + W_IMBALANCE * imbalance
    )


def greedy(inst: Instance) -> Counts:
    """Designated companies to their liaisons, then fill buildings liaison by liaison."""
    goal = targets(inst)
    room = dict(goal)
    counts: Counts = {}
    left = dict(inst.sizes)
    for (building, liaison), n in sorted(inst.designated.items(), key=lambda kv: -kv[1]):
        take = min(n, room[liaison], left[building])
        if take > 0:
            counts[(building, liaison)] = take
            room[liaison] -= take
            left[building] -= take
    # Fill the rest area by area, biggest buildings first, preferring liaisons already there.
    present: dict[str, set[str]] = {}
    for building, liaison in [*counts, *inst.fixed_pairs]:
        present.setdefault(liaison, set()).add(building)
    for building in sorted(left, key=lambda b: (str(inst.areas.get(b)), -left[b], b)):
        area = inst.areas.get(building)
        while left[building] > 0:
            open_ = [x for x in room if room[x] > 0]
            if not open_:
                break

            def rank(x: str, building: str = building, area: str | None = area) -> tuple:
                here = building in present.get(x, set())
                near = any(inst.areas.get(b) == area for b in present.get(x, set()))
                return (not here, not near, -room[x], x)

            liaison = min(open_, key=rank)
            take = min(room[liaison], left[building])
            counts[(building, liaison)] = counts.get((building, liaison), 0) + take
            room[liaison] -= take
            left[building] -= take
            present.setdefault(liaison, set()).add(building)
    # Targets are fair shares; any companies still left go wherever capacity remains.
    spare = {x: inst.capacity[x] - (goal[x] - room[x]) for x in inst.capacity}
    for building in left:
        for liaison in sorted(spare, key=lambda x: -spare[x]):
            take = min(spare[liaison], left[building])
            if take > 0:
                counts[(building, liaison)] = counts.get((building, liaison), 0) + take
                spare[liaison] -= take
                left[building] -= take
    return {key: n for key, n in counts.items() if n > 0}


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[int, int], None]) -> None:
        super().__init__()
        self.report = report

    def on_solution_callback(self) -> None:
        self.report(int(self.objective_value), int(self.best_objective_bound))


def solve(
    inst: Instance,
    *,
    hint: Counts,
    time_limit: float,
    stop: Callable[[], bool],
    on_solution: Callable[[int, int], None] = lambda objective, bound: None,
    workers: int = 8,
) -> Assignment | None:
    """CP-SAT over (building, liaison) counts; None when it found nothing in time."""
    started = time.monotonic()
    goal = targets(inst)
    model = cp_model.CpModel()
    n: dict[tuple[str, str], cp_model.IntVar] = {}
    y: dict[tuple[str, str], cp_model.IntVar] = {}
    liaisons = [x for x in inst.capacity if inst.capacity[x] > 0]
    for building, size in inst.sizes.items():
        if size == 0:
            continue
        for liaison in liaisons:
            key = (building, liaison)
            top = min(size, inst.capacity[liaison])
            n[key] = model.new_int_var(0, top, f"n_{building}_{liaison}")
            if key in inst.fixed_pairs:
                continue  # the pair is paid for by a pin already
            y[key] = model.new_bool_var(f"y_{building}_{liaison}")
            model.add(n[key] <= top * y[key])
            model.add_hint(y[key], hint.get(key, 0) > 0)
            model.add_hint(n[key], hint.get(key, 0))
    uncovered = []
    for building, size in inst.sizes.items():
        if size == 0:
            continue
        covered = sum(n[(building, x)] for x in liaisons)
        model.add(covered <= size)
        uncovered.append(size - covered)
    imbalance = []
    band = daily_band(inst)
    for liaison in liaisons:
        load = sum(n[(b, liaison)] for b in inst.sizes if (b, liaison) in n)
        model.add(load <= inst.capacity[liaison])
        if band is not None:
            low, high = band[liaison]
            model.add(load >= low)
            model.add(load <= high)
        dev = model.new_int_var(0, inst.capacity[liaison] + goal[liaison], f"dev_{liaison}")
        model.add(dev >= load - goal[liaison])
        model.add(dev >= goal[liaison] - load)
        imbalance.append(dev)
    lost = []
    for key, d in inst.designated.items():
        if key not in n:
            continue
        kept = model.new_int_var(0, d, f"k_{key[0]}_{key[1]}")
        model.add(kept <= n[key])
        lost.append(d - kept)
    model.minimize(
        W_UNCOVERED * sum(uncovered)
        + W_DESIGNATION_LOST * sum(lost)
        + W_PAIR * (sum(y.values()) + len(inst.fixed_pairs))
        + W_IMBALANCE * sum(imbalance)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.solve(model, _Progress(on_solution))
    finally:
        done.set()
        watcher.join()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    counts = {key: int(solver.value(var)) for key, var in n.items()}
    name = "optimal" if status == cp_model.OPTIMAL else ("stopped" if stop() else "feasible")
    return Assignment(
        counts={key: v for key, v in counts.items() if v > 0},
        objective=int(solver.objective_value),
        bound=int(solver.best_objective_bound),
        status=name,
        seconds=time.monotonic() - started,
    )
