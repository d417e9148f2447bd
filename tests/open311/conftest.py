"""A subdistrict's public face for Open311 tests: categories (one internal), departments,
a building, and cases in every state, written straight to the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from coordinator.auth.models import Principal, Role
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case, CaseSource, CaseStatus, Urgency
from coordinator.departments.models import Department, DepartmentKind
from coordinator.open311.keys.service import issue_key
from coordinator.registry.models import Building, BuildingKind

ADMIN = Principal(token_id=None, name="test admin", role=Role.admin)
NOW = datetime.now(UTC).replace(microsecond=0)
ATTRIBUTES = [
    {
        "code": "floor",
        "datatype": "number",
        "required": True,
        "description": "所在楼层",
        "description_en": "Floor",
        "order": 2,
    },
    {
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "description": "出租形式",
        "order": 1,
        "values": [
            {"key": "day", "name": "日租", "name_en": "by the day"},
            {"key": "group", "name": "群租", "name_en": "group rental"},
        ],
    },
    {
        "code": "signs",
        "datatype": "multivaluelist",
        "required": False,
        "order": 3,
        "description": "迹象",
        "values": [{"key": "noise", "name": "噪音"}, {"key": "beds", "name": "上下铺"}],
    },
]


@dataclass
class Town:
    """What the Open311 tests read: ids and numbers of the rows made."""

    rental: CaseCategory
    bikes: CaseCategory
    internal: CaseCategory
    housing: Department
    building: Building
    cases: dict[str, Case] = field(default_factory=dict)
    key: str = ""

    def number(self, name: str) -> str:
        return str(self.cases[name].number)


def case_row(category: CaseCategory, **values: Any) -> Case:
    created = values.pop("created_at", NOW - timedelta(days=1))
    base: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "疑似群租",
        "description": "1203 室住了十几个人",
        "category_id": category.id,
        "urgency": Urgency.normal,
        "status": CaseStatus.new,
        "source": CaseSource.coordinator,
        "response_due_at": created + timedelta(hours=8),
        "resolution_due_at": created + timedelta(days=5),
        "created_by": "test",
        "created_at": created,
        "updated_at": created,
    }
    return Case(**(base | values))


async def build_town(database: Any) -> Town:
    async with database.sessionmaker.begin() as session:
        n = uuid.uuid4().hex[:6]
        rental = CaseCategory(
            code=f"rental-{n}",
            name="群租整治",
            name_en="Group rentals",
            group="房屋租赁",
            description="群租、日租房屋",
            keywords="群租,日租",
            response_hours=Decimal("4.00"),
            resolution_days=5,
            attributes=ATTRIBUTES,
        )
        bikes = CaseCategory(
            code=f"bikes-{n}",
            name="非机动车乱停放",
            name_en=None,
            group="市容环境",
            response_hours=Decimal("2.5"),
            resolution_days=2,
        )
        internal = CaseCategory(
            code=f"internal-{n}",
            name="内部督办",
            response_hours=Decimal(8),
            resolution_days=3,
            public=False,
        )
        housing = Department(name=f"房办{n}", kind=DepartmentKind.housing_office)
        building = Building(
            name=f"兆隆广场{n}",
            address="南京西路1000号",
            kind=BuildingKind.office,
            latitude=31.229,
            longitude=121.455,
        )
        session.add_all([rental, bikes, internal, housing, building])
        await session.flush()
        town = Town(rental, bikes, internal, housing, building)
        master = case_row(
            rental,
            lead_department_id=housing.id,
            building_id=building.id,
            status=CaseStatus.in_progress,
        )
        session.add(master)
        await session.flush()
        town.cases = {
            "master": master,
            "new": case_row(
                bikes,
                address="石门一路 & 北京西路",
                latitude=31.2301,
                longitude=121.4602,
                created_at=NOW - timedelta(hours=3),
            ),
            "resolved": case_row(
                rental,
                status=CaseStatus.resolved,
                resolution="已劝离 <全部> 租客 & 拆除隔断",
                lead_department_id=housing.id,
                address="威海路 1 号",
                created_at=NOW - timedelta(days=10),
            ),
            "rejected": case_row(
                bikes,
                status=CaseStatus.rejected,
                rejected_reason="不属本街道管辖",
                address="外区",
                created_at=NOW - timedelta(days=20),
            ),
            "merged": case_row(
                rental,
                status=CaseStatus.merged,
                merged_into_id=master.id,
                address="南京西路1000号",
                created_at=NOW - timedelta(days=2),
            ),
            "old": case_row(bikes, address="旧案", created_at=NOW - timedelta(days=120)),
            "secret": case_row(internal, address="内部", created_at=NOW - timedelta(days=1)),
        }
        session.add_all([c for name, c in town.cases.items() if name != "master"])
        await session.flush()
        for row in town.cases.values():
            await session.refresh(row)
        _, town.key = await issue_key(session=session, actor=ADMIN, name="随申办")
    return town


@pytest.fixture
async def town(database) -> Town:  # type: ignore[no-untyped-def]
    return await build_town(database)
