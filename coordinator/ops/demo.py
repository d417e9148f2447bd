"""Demo data: a small subdistrict modelled on Nanjing West Road (南京西路街道), Jing'an. Every
name, number and address is synthetic. The data is built from a seeded random generator,
so every load gives the same rows with the same ids."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coordinator.ops.demo_campaign import CampaignDemo, build_campaign
from coordinator.ops.demo_depts import DepartmentsDemo, build_departments
from coordinator.ops.demo_housing import HousingDemo, build_housing
from coordinator.ops.demo_joint import joint_counts
from coordinator.ops.demo_words import (
    AREAS,
    BRANCH_NAMES,
    BUILDINGS,
    COUNTS,
    GIVEN,
    INDUSTRIES,
    RESIDENTIAL_BRANCH,
    SEED,
    SHOP_COUNT,
    SHOP_STREETS,
    SHOPS,
    SKILLS,
    SURNAMES,
    company_names,
    credit_code,
    landline,
    mobile,
    person_names,
    pinyin,
)
from coordinator.people.models import MemberRole, TeamKind
from coordinator.registry.models import (
    AreaKind,
    BranchKind,
    BuildingKind,
    CompanyStatus,
    Language,
)


@dataclass
class DemoData:
    """Rows to insert, table by table, as plain dicts."""

    areas: list[dict[str, Any]] = field(default_factory=list)
    buildings: list[dict[str, Any]] = field(default_factory=list)
    branches: list[dict[str, Any]] = field(default_factory=list)
    branch_buildings: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    departments: DepartmentsDemo = field(default_factory=DepartmentsDemo)
    housing: HousingDemo = field(default_factory=HousingDemo)
    campaign: CampaignDemo = field(default_factory=CampaignDemo)

    def counts(self) -> dict[str, int]:
        return {
            "areas": len(self.areas),
            "buildings": len(self.buildings),
            "party_branches": len(self.branches),
            "companies": len(self.companies),
            "contacts": len(self.contacts),
            "people": len(self.people),
            "teams": len(self.teams),
            "team_members": len(self.members),
        } | joint_counts(self.departments, self.housing, self.campaign)


def build_demo(seed: int = SEED) -> DemoData:
    """Build the demo rows (pure: no I/O, same output for the same seed)."""
    rng = random.Random(seed)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    data = DemoData()
    names = person_names(rng)

    for name in AREAS:
        data.areas.append({"id": new_id(), "name": name, "kind": AreaKind.residential})

    for index, (name, street, number, floors) in enumerate(BUILDINGS):
        data.buildings.append(
            {
                "id": new_id(),
                "name": name,
                "address": f"上海市静安区{street}{number}号",
                "area_id": data.areas[index % len(AREAS)]["id"],
                "kind": BuildingKind.office if index % 5 else BuildingKind.mixed,
                "floors": floors,
                "property_manager_name": f"{name}物业服务中心",
                "property_manager_phone": landline(rng),
                "latitude": Decimal(f"{31.2255 + rng.random() * 0.0120:.6f}"),
                "longitude": Decimal(f"{121.4510 + rng.random() * 0.0160:.6f}"),
            }
        )

    # Four building joint branches of three buildings each, and one residential general branch.
    for index, name in enumerate(BRANCH_NAMES):
        branch_id = new_id()
        data.branches.append({"id": branch_id, "name": name, "kind": BranchKind.building_joint})
        for building in data.buildings[index * 3 : index * 3 + 3]:
            data.branch_buildings.append(
                {"party_branch_id": branch_id, "building_id": building["id"]}
            )
    data.branches.append(
        {"id": new_id(), "name": RESIDENTIAL_BRANCH, "kind": BranchKind.residential_general}
    )
    branch_of_building = {
        link["building_id"]: link["party_branch_id"] for link in data.branch_buildings
    }

    for index, name in enumerate(names):
        party_member = index < 8 or rng.random() < 0.45
        data.people.append(
            {
                "id": new_id(),
                "name": name,
                "phone": mobile(rng),
                "email": f"{pinyin(name)}{index + 1}@fumin.example" if rng.random() < 0.7 else None,
                "skills": sorted(rng.sample(SKILLS, rng.randint(0, 3))),
                "party_member": party_member,
                "party_branch_id": rng.choice(data.branches)["id"] if party_member else None,
            }
        )
    for branch, secretary in zip(data.branches, data.people, strict=False):
        branch["secretary_id"] = secretary["id"]
        secretary["party_member"] = True
        secretary["party_branch_id"] = branch["id"]

    _companies(rng, new_id, data, branch_of_building)
    _teams(rng, new_id, data)
    data.departments = build_departments(
        seed, areas=data.areas, buildings=data.buildings, people=data.people, teams=data.teams
    )
    data.housing = build_housing(seed, data)
    data.campaign = build_campaign(seed, data.housing)
    return data


def _companies(
    rng: random.Random,
    new_id: Any,
    data: DemoData,
    branch_of_building: dict[uuid.UUID, uuid.UUID],
) -> None:
    total = COUNTS["companies"]
    heads = company_names(rng, total)
    codes: set[str] = set()
    industries = [i for i, _, _ in INDUSTRIES]
    weights = [w for _, _, w in INDUSTRIES]
    words = {i: word for i, word, _ in INDUSTRIES}
    statuses = (
        [CompanyStatus.operating] * 80
        + [CompanyStatus.resuming] * 14
        + [CompanyStatus.suspended] * 5
        + [CompanyStatus.closed] * 1
    )
    for index in range(total):
        shop = index >= total - SHOP_COUNT
        kind = "92" if shop else "91"
        code = credit_code(rng, kind)
        while code in codes:
            code = credit_code(rng, kind)
        codes.add(code)
        row: dict[str, Any] = {"id": new_id(), "credit_code": code, "status": rng.choice(statuses)}
        if shop:
            industry, word = rng.choice(SHOPS)
            street = rng.choice(SHOP_STREETS)
            row |= {
                "name": f"静安区{heads[index]}{word}",
                "building_id": None,
                "floor": None,
                "unit": None,
                "street_address": f"上海市静安区{street}{rng.randint(1, 400)}号",
                "industry": industry,
                "headcount": rng.randint(2, 15),
                "party_branch_id": None,
            }
        else:
            industry = rng.choices(industries, weights)[0]
            building = data.buildings[index % len(data.buildings)]
            floor = rng.randint(3, building["floors"])
            row |= {
                "name": f"上海{heads[index]}{words[industry]}有限公司",
                "building_id": building["id"],
                "floor": f"{floor}F",
                "unit": f"{floor}{rng.randint(1, 12):02d}",
                "street_address": None,
                "industry": industry,
                "headcount": rng.choice((8, 15, 30, 45, 60, 120, 260, 600)),
                "party_branch_id": (
                    branch_of_building.get(building["id"]) if rng.random() < 0.4 else None
                ),
            }
        data.companies.append(row)

        for _ in range(1 if shop or rng.random() < 0.7 else 2):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            english = not shop and rng.random() < 0.1
            data.contacts.append(
                {
                    "id": new_id(),
                    "company_id": row["id"],
                    "name": name,
                    "mobile": mobile(rng),
                    "email": (
                        f"{pinyin(name)}.{len(data.contacts) + 1}@company.example"
                        if not shop and rng.random() < 0.8
                        else None
                    ),
                    "preferred_language": Language.en if english else Language.zh,
                }
            )


def _teams(rng: random.Random, new_id: Any, data: DemoData) -> None:
    people = [p["id"] for p in data.people]
    # (name, kind, lead index, deputy index, member indexes)
    plan = (
        ("南京西路楼宇联络一组", TeamKind.liaison, 5, 6, range(7, 15)),
        ("南京西路楼宇联络二组", TeamKind.liaison, 15, 16, range(17, 25)),
        ("梧桐志愿者服务队", TeamKind.volunteer, 25, 26, range(20, 40)),
        ("“1+4”联动工作组", TeamKind.joint_operation, 0, 1, (2, 3, 4, 5, 15)),
    )
    for name, kind, lead, deputy, members in plan:
        team_id = new_id()
        data.teams.append({"id": team_id, "name": name, "kind": kind, "lead_id": people[lead]})
        roles = {lead: MemberRole.lead, deputy: MemberRole.deputy}
        for index in dict.fromkeys((lead, deputy, *members)):
            data.members.append(
                {
                    "id": new_id(),
                    "team_id": team_id,
                    "person_id": people[index],
                    "role": roles.get(index, MemberRole.member),
                }
            )
    rng.shuffle(data.members)  # insertion order should not carry meaning
