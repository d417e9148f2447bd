"""The demo subdistrict's departments (部门/力量) and how cases reach them: the "1+4" forces
(城管中队, 市容所, 房办, each residential area's 居委会) with 派出所, 市场监管所, a property
manager, the enterprise service centre (one of Fumin's teams) and 司法所; their members with
a lead each; the case categories (demo_categories) and their routing rules, some for one
building or one area.

Built from a generator of its own, so the registry's rows keep the ids they always had."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department, DepartmentKind, DepartmentMember
from coordinator.ops.demo_categories import CATEGORIES
from coordinator.ops.demo_words import landline

# (key, name, kind, work hours); a residential committee per area is added to these.
FORCES = (
    ("urban", "南京西路城管中队", DepartmentKind.urban_management, "08:00-12:00,13:00-20:00"),
    ("appearance", "南京西路市容所", DepartmentKind.city_appearance, None),
    ("housing", "南京西路房办", DepartmentKind.housing_office, "09:00-11:30,13:30-17:00"),
    ("police", "南京西路派出所", DepartmentKind.police, "00:00-24:00"),
    ("market", "南京西路市场监管所", DepartmentKind.market_supervision, None),
    ("property", "恒晟广场物业服务中心", DepartmentKind.property_manager, "08:00-18:00"),
    ("service", "南京西路企业服务中心", DepartmentKind.other, None),
    ("legal", "南京西路司法所", DepartmentKind.other, None),
)
# The committee of each area is "committee0", "committee1" …; "committee" in a rule below
# means the committee of the rule's area.
COMMITTEE = "committee"

# (category, lead, co-handlers)
Plan = tuple[str, str, tuple[str, ...]]
# The category's own rule, for any place.
ANYWHERE: tuple[Plan, ...] = (
    ("group_rental", "housing", ("urban", "appearance")),
    ("day_rental", "housing", ("police",)),
    ("bikes_blocking", "urban", ("appearance",)),
    ("garbage_room", "appearance", ()),
    ("street_vending", "urban", ("market", "appearance")),
    ("noise", "police", ("urban",)),
    ("epidemic_supplies", "service", ("market",)),
    ("policy", "service", ()),
    ("hiring", "service", ()),
    ("rent", "housing", ("service",)),
    ("legal_help", "legal", ("service",)),
    ("property_management", "housing", ()),
    # "other" has no rule: such a case waits in new for a coordinator to route it.
)
# Rules for each residential area: the area's committee joins in.
PER_AREA: tuple[Plan, ...] = (
    ("group_rental", "housing", ("urban", "appearance", COMMITTEE)),
    ("day_rental", "housing", ("police", COMMITTEE)),
    ("garbage_room", "appearance", (COMMITTEE,)),
    ("noise", "police", (COMMITTEE,)),
)
# Rules for the first building (恒晟广场), where its property manager takes part.
TOWER: tuple[Plan, ...] = (
    ("bikes_blocking", "urban", ("appearance", "property")),
    ("garbage_room", "property", ("appearance",)),
    ("property_management", "property", ("housing",)),
)


@dataclass
class DepartmentsDemo:
    """Rows to insert, and the ids the cases of the demo are made with."""

    departments: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    helpers: list[dict[str, Any]] = field(default_factory=list)
    # Department ids by key (FORCES' keys, "committee0" … by area), category ids by code.
    department_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    category_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "departments": len(self.departments),
            "department_members": len(self.members),
            "case_categories": len(self.categories),
            "case_routes": len(self.routes),
        }


def build_departments(
    seed: int,
    *,
    areas: list[dict[str, Any]],
    buildings: list[dict[str, Any]],
    people: list[dict[str, Any]],
    teams: list[dict[str, Any]],
) -> DepartmentsDemo:
    """The departments, members, categories and rules (pure: the same for the same seed)."""
    rng = random.Random(f"{seed}:departments")

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    demo = DepartmentsDemo()
    forces: list[tuple[str, str, DepartmentKind, str | None, uuid.UUID | None]] = [
        (key, name, kind, hours, areas[0]["id"] if key == "property" else None)
        for key, name, kind, hours in FORCES
    ]
    for index, area in enumerate(areas):
        name = area["name"].removesuffix("居民区") + "居委会"
        forces.append(
            (f"{COMMITTEE}{index}", name, DepartmentKind.residential_committee, None, area["id"])
        )
    # The enterprise service centre is the first liaison team: its people are the team's.
    team_of = {"service": teams[0]["id"]}
    staff = [person["id"] for person in people]
    for key, name, kind, hours, area_id in forces:
        department_id = new_id()
        demo.department_ids[key] = department_id
        demo.departments.append(
            {
                "id": department_id,
                "name": name,
                "kind": kind,
                "team_id": team_of.get(key),
                "area_id": area_id,
                "phone": landline(rng),
                "email": None,
                "work_hours": hours,
                "active": True,
            }
        )
        if key in team_of:
            continue
        for position, person_id in enumerate(rng.sample(staff, 3)):
            demo.members.append(
                {
                    "id": new_id(),
                    "department_id": department_id,
                    "person_id": person_id,
                    "is_lead": position == 0,
                }
            )

    for category in CATEGORIES:
        category_id = new_id()
        demo.category_ids[category["code"]] = category_id
        demo.categories.append({"id": category_id, **category})

    def rule(
        plan: Plan,
        *,
        area: int | None = None,
        building: dict[str, Any] | None = None,
    ) -> None:
        code, lead, helpers = plan
        route_id = new_id()
        demo.routes.append(
            {
                "id": route_id,
                "category_id": demo.category_ids[code],
                "area_id": None if area is None else areas[area]["id"],
                "building_id": None if building is None else building["id"],
                "lead_department_id": demo.department_ids[lead],
            }
        )
        for helper in helpers:
            key = f"{COMMITTEE}{area}" if helper == COMMITTEE else helper
            demo.helpers.append(
                {"id": new_id(), "route_id": route_id, "department_id": demo.department_ids[key]}
            )

    for plan in ANYWHERE:
        rule(plan)
    for index in range(len(areas)):
        for plan in PER_AREA:
            rule(plan, area=index)
    for plan in TOWER:
        rule(plan, building=buildings[0])
    return demo


async def insert_departments(session: AsyncSession, demo: DepartmentsDemo) -> None:
    """Insert after the registry, people and teams they refer to."""
    await session.execute(insert(Department), demo.departments)
    await session.execute(insert(DepartmentMember), demo.members)
    await session.execute(insert(CaseCategory), demo.categories)
    await session.execute(insert(CaseRoute), demo.routes)
    await session.execute(insert(CaseRouteHelper), demo.helpers)
