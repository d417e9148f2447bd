"""The demo's residential survey (排摸): in each of the three residential areas a compound
of six-storey walk-ups (新村), one of towers (花园) and a street of shops, cut into blocks by
building and unit, each with a leader and a deputy among the demo's people (three blocks
have had another leader before); some 2,900 dwellings in mixed states with their history,
and each area's survey settings and lead.

Built from a generator of its own, so the registry's rows keep the ids they always had.
Times are kept as days before the load (pure, the same every build) and made times when
inserted; every table goes in with one bulk INSERT."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import (
    AreaSurvey,
    Block,
    BlockPerson,
    BlockRole,
    BlockUnit,
    Compound,
    CompoundKind,
    Dwelling,
    DwellingState,
    DwellingStateChange,
    DwellingUse,
    HousingBuilding,
    StateSource,
)
from coordinator.ops.demo_words import GIVEN, SURNAMES, mobile

S = DwellingState
# (walk-up compound, tower compound, street) per area, in the order of demo_words.AREAS.
PLACES = (
    ("梧桐新村", "梧桐花园", "吴江路"),
    ("静庐新村", "静庐花园", "泰兴路"),
    ("春晖新村", "春晖花园", "大田路"),
)
WALK_UPS, TOWERS, SHOPS = 10, 4, 12
# Buildings per block: a block is a few hundred doors at most (about 180 and 280 here).
WALK_UPS_A_BLOCK, TOWERS_A_BLOCK = 5, 2
# How often each state is found, in hundredths.
STATES = (
    (S.owner_occupied, 44),
    (S.rented_whole, 20),
    (S.rented_shared, 8),
    (S.vacant, 7),
    (S.renovating, 3),
    (S.suspected_group_rental, 2),
    (S.suspected_day_rental, 1),
    (S.unsurveyed, 15),
)
SHOP_STATES = ((S.rented_whole, 70), (S.owner_occupied, 15), (S.vacant, 10), (S.unsurveyed, 5))
OCCUPANTS = {S.rented_shared: (2, 5), S.suspected_group_rental: (8, 14), S.vacant: (0, 0)}
# People of the demo who lead blocks, and who deputise (demo.py's 40 people).
LEADERS, DEPUTIES = range(10, 25), range(25, 40)


@dataclass
class HousingDemo:
    """Rows to insert; times as days before the load ("*_days" keys)."""

    surveys: list[dict[str, Any]] = field(default_factory=list)
    compounds: list[dict[str, Any]] = field(default_factory=list)
    buildings: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    dwellings: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "compounds": len(self.compounds),
            "housing_buildings": len(self.buildings),
            "blocks": len(self.blocks),
            "dwellings": len(self.dwellings),
            "dwelling_states": len(self.history),
        }


class Registry(Protocol):
    """What the survey is built on: the demo's areas, people and companies (DemoData)."""

    areas: list[dict[str, Any]]
    people: list[dict[str, Any]]
    companies: list[dict[str, Any]]


def build_housing(seed: int, registry: Registry) -> HousingDemo:
    """Build the rows (pure: the same for the same seed and registry)."""
    rng = random.Random(seed + 14)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    areas, people = registry.areas, registry.people
    data = HousingDemo()
    shops = [c["id"] for c in registry.companies if c["street_address"] is not None]
    leaders = iter(people[i] for i in LEADERS)
    deputies = iter(people[i] for i in DEPUTIES)
    for index, (area, (walk_up, tower, street)) in enumerate(zip(areas, PLACES, strict=True)):
        data.surveys.append({"area_id": area["id"], "lead_id": people[2 + index]["id"]})
        units: list[tuple[dict[str, Any], str, Any]] = []  # (building, unit, its block's key)
        plan = (
            (walk_up, CompoundKind.compound, WALK_UPS, "号", (3, 6, 2, WALK_UPS_A_BLOCK)),
            (tower, CompoundKind.compound, TOWERS, "号楼", (2, 18, 4, TOWERS_A_BLOCK)),
            (f"{street}沿街商铺", CompoundKind.street, 1, "", (1, 1, SHOPS, 1)),
        )
        for position, (name, kind, count, suffix, shape) in enumerate(plan):
            unit_count, floors, doors, a_block = shape
            compound = {"id": new_id(), "area_id": area["id"], "name": name, "kind": kind}
            data.compounds.append(compound | {"position": position, "address": None})
            for number in range(1, count + 1):
                building = {
                    "id": new_id(),
                    "compound_id": compound["id"],
                    "name": f"{number}{suffix}" if suffix else f"{street}沿街",
                    "position": number,
                    "floors": floors,
                    "building_id": None,
                }
                data.buildings.append(building)
                high = floors - rng.choice((0, 0, 1)) if floors > 6 else floors
                for u in range(1, unit_count + 1):
                    unit = str(u) if unit_count > 1 else ""
                    units.append((building, unit, (position, (number - 1) // a_block)))
                    for floor in range(1, high + 1):
                        for door in range(1, doors + 1):
                            shop = kind == CompoundKind.street
                            room = f"{street}{door * 2 - 1}号" if shop else f"{floor}{door:02d}"
                            place = (area, building, unit, floor, room)
                            _dwelling(rng, new_id, data, place, shops if shop else None)
        _blocks(rng, new_id, data, area, units, (leaders, deputies))
    _history(rng, data)
    return data


def _dwelling(
    rng: random.Random,
    new_id: Any,
    data: HousingDemo,
    place: tuple[Any, ...],
    shops: list[uuid.UUID] | None,
) -> None:
    """A dwelling; a street shop (`shops`: the companies of shops not yet placed) takes
    one of those companies while any is left."""
    area, building, unit, floor, room = place
    states = SHOP_STATES if shops is not None else STATES
    state = rng.choices([s for s, _ in states], [w for _, w in states])[0]
    low, high = OCCUPANTS.get(state, (1, 4))
    seen = None if state == S.unsurveyed else rng.choice((1, 3, 7, 12, 20, 26, 33, 45))
    rented = state in (S.rented_whole, S.rented_shared, S.suspected_group_rental)
    data.dwellings.append(
        {
            "id": new_id(),
            "area_id": area["id"],
            "building_id": building["id"],
            "unit": unit,
            "floor": floor,
            "room": room,
            "use": DwellingUse.residential if shops is None else DwellingUse.shop,
            "state": state,
            "surveyed_days": seen,
            "occupants": None if seen is None or shops is not None else rng.randint(low, high),
            "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN) if rented else None,
            "contact_phone": mobile(rng) if rented else None,
            "company_id": shops.pop() if shops else None,
        }
    )


def _blocks(
    rng: random.Random,
    new_id: Any,
    data: HousingDemo,
    area: dict[str, Any],
    units: list[tuple[dict[str, Any], str, Any]],
    people: tuple[Any, Any],
) -> None:
    """Cut the area's units, in walking order, into blocks of whole buildings (the street
    of shops a block of its own), each with a leader and a deputy."""
    leaders, deputies = people
    cuts: list[list[tuple[dict[str, Any], str, Any]]] = []
    for entry in units:
        if not cuts or cuts[-1][-1][2] != entry[2]:
            cuts.append([])
        cuts[-1].append(entry)
    for number, cut in enumerate(cuts, start=1):
        block = {"id": new_id(), "area_id": area["id"], "name": f"第{number}块"}
        # Seeded like everything here: the demo's QR codes are as public as its data.
        data.blocks.append(block | {"qr_secret": f"{rng.getrandbits(128):032x}"})
        data.units += [
            {"building_id": b["id"], "unit": u, "block_id": block["id"]} for b, u, _ in cut
        ]
        leader, deputy = next(leaders), next(deputies)
        if number == 2:  # a reassignment: the deputy led the block until a month ago
            data.people.append(_role(new_id, block, deputy, BlockRole.leader, 120, 30))
            data.people.append(_role(new_id, block, leader, BlockRole.leader, 30, None))
        else:
            data.people.append(_role(new_id, block, leader, BlockRole.leader, 120, None))
        data.people.append(_role(new_id, block, deputy, BlockRole.deputy, 120, None))


def _role(
    new_id: Any,
    block: dict[str, Any],
    person: dict[str, Any],
    role: BlockRole,
    since: int,
    until: int | None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "block_id": block["id"],
        "person_id": person["id"],
        "role": role,
        "since_days": since,
        "until_days": until,
        "name": person["name"],
    }


def _history(rng: random.Random, data: HousingDemo) -> None:
    """Every surveyed dwelling's states: found at its survey, by its block's leader; one
    in six was found otherwise at an earlier survey."""
    block_of = {(u["building_id"], u["unit"]): u["block_id"] for u in data.units}
    leader_of = {
        p["block_id"]: p["name"]
        for p in data.people
        if p["role"] == BlockRole.leader and p["until_days"] is None
    }
    for dwelling in data.dwellings:
        seen = dwelling["surveyed_days"]
        if seen is None:
            continue
        by = leader_of[block_of[(dwelling["building_id"], dwelling["unit"])]]
        steps = [(S.unsurveyed, dwelling["state"], seen)]
        if rng.random() < 1 / 6:
            earlier = rng.choice((S.owner_occupied, S.rented_whole, S.vacant, S.renovating))
            if earlier != dwelling["state"]:
                steps = [(S.unsurveyed, earlier, seen + 60), (earlier, dwelling["state"], seen)]
        for before, state, days in steps:
            data.history.append(
                {
                    "dwelling_id": dwelling["id"],
                    "state": state,
                    "previous_state": before,
                    "source": StateSource.survey,
                    "evidence": "排摸入户核实",
                    "set_by": by,
                    "set_days": days,
                }
            )
        dwelling |= {"version": 1 + len(steps), "state_set_by": by, "evidence": "排摸入户核实"}


def _at(now: datetime, days: int | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days, hours=days % 9)


async def insert_housing(session: AsyncSession, data: HousingDemo, now: datetime) -> None:
    """Insert the rows after the registry and people they name, one statement a table."""
    await session.execute(insert(AreaSurvey), data.surveys)
    await session.execute(insert(Compound), data.compounds)
    await session.execute(insert(HousingBuilding), data.buildings)
    await session.execute(insert(Block), data.blocks)
    await session.execute(insert(BlockUnit), data.units)
    people = [
        {k: v for k, v in p.items() if k not in ("since_days", "until_days", "name")}
        | {"since": _at(now, p["since_days"]), "until": _at(now, p["until_days"])}
        for p in data.people
    ]
    await session.execute(insert(BlockPerson), people)
    dwellings = []
    for d in data.dwellings:
        row = {k: v for k, v in d.items() if k not in ("surveyed_days", "evidence", "set_days")}
        seen, set_at = _at(now, d["surveyed_days"]), _at(now, d.get("set_days", d["surveyed_days"]))
        row |= {"surveyed_at": seen, "state_set_at": set_at, "state_evidence": d.get("evidence")}
        dwellings.append(
            row | {"version": d.get("version", 1), "state_set_by": d.get("state_set_by")}
        )
    await session.execute(insert(Dwelling), dwellings)
    history = [
        {k: v for k, v in h.items() if k != "set_days"} | {"set_at": _at(now, h["set_days"])}
        for h in data.history
    ]
    await session.execute(insert(DwellingStateChange), history)
