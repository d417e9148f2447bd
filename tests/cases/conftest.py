"""A "1+4" subdistrict for case tests: an area with two buildings, the housing office
leading and urban management, city appearance and the residential committee co-handling,
each with a lead who reads mail; a suspected group rental category routed to them; a
reporter (a company contact) with an address."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from coordinator.cases.categories.models import CaseCategory, CaseRoute, CaseRouteHelper
from coordinator.departments.models import Department, DepartmentKind, DepartmentMember
from coordinator.events.models import OutboxEvent
from coordinator.people.models import Person
from coordinator.photos.models import Photo
from coordinator.platform.db import Database
from coordinator.registry.models import (
    Area,
    AreaKind,
    Building,
    BuildingKind,
    Company,
    CompanyStatus,
    Contact,
    Language,
)
from tests.registry.conftest import credit_code

KINDS = {
    "housing": (DepartmentKind.housing_office, "房办"),
    "urban": (DepartmentKind.urban_management, "城管中队"),
    "appearance": (DepartmentKind.city_appearance, "市容所"),
    "committee": (DepartmentKind.residential_committee, "华山居委会"),
}


@dataclass
class World:
    suffix: str
    area_id: uuid.UUID
    building_id: uuid.UUID
    other_building_id: uuid.UUID
    company_id: uuid.UUID
    contact_id: uuid.UUID
    contact_email: str
    category_code: str
    category_id: uuid.UUID
    departments: dict[str, uuid.UUID] = field(default_factory=dict)
    leads: dict[str, uuid.UUID] = field(default_factory=dict)
    lead_emails: dict[str, str] = field(default_factory=dict)

    def case(self, **extra: Any) -> dict[str, Any]:
        """A case body for the API: a suspected group rental in the building."""
        return {
            "title": "疑似群租：华山路 100 弄 3 号 502 室",
            "description": "一套两居室住了十余人，夜间进出频繁，楼道堆物。",
            "category": self.category_code,
            "building_id": str(self.building_id),
            "reporter_contact_id": str(self.contact_id),
            **extra,
        }


async def make_world(database: Database, *, photo_required: bool = False) -> World:
    suffix = uuid.uuid4().hex[:6]
    async with database.sessionmaker.begin() as session:
        area = Area(id=uuid.uuid4(), name=f"华山片区-{suffix}", kind=AreaKind.residential)
        session.add(area)
        await session.flush()
        building, other = (
            Building(
                id=uuid.uuid4(),
                name=f"{name}-{suffix}",
                address=f"华山路 100 弄 {n} 号",
                kind=BuildingKind.residential,
                area_id=area.id,
            )
            for n, name in ((3, "华山公寓"), (5, "华山新村"))
        )
        company = Company(
            id=uuid.uuid4(),
            name=f"华山物业-{suffix}",
            credit_code=credit_code(uuid.uuid4().int % 900_000),
            building_id=building.id,
            status=CompanyStatus.operating,
        )
        session.add_all([building, other])
        await session.flush()
        session.add(company)
        await session.flush()
        contact = Contact(
            id=uuid.uuid4(),
            company_id=company.id,
            name="陈女士",
            mobile="13900001111",
            email=f"reporter-{suffix}@example.test",
            preferred_language=Language.zh,
        )
        session.add(contact)
        category = CaseCategory(
            id=uuid.uuid4(),
            code=f"group_rental_{suffix}",
            name="疑似群租",
            name_en="Suspected group rental",
            group="房屋租赁",
            response_hours=Decimal("8"),
            resolution_days=5,
            photo_required=photo_required,
            reply_days=3,
            escalation=[{"after_hours": 0, "to": "department_lead"}],
            attributes=[],
        )
        session.add(category)
        world = World(
            suffix=suffix,
            area_id=area.id,
            building_id=building.id,
            other_building_id=other.id,
            company_id=company.id,
            contact_id=contact.id,
            contact_email=contact.email or "",
            category_code=category.code,
            category_id=category.id,
        )
        for key, (kind, name) in KINDS.items():
            department = Department(id=uuid.uuid4(), name=f"{name}-{suffix}", kind=kind)
            lead = Person(
                id=uuid.uuid4(), name=f"{name}负责人", email=f"{key}-{suffix}@example.test"
            )
            session.add_all([department, lead])
            await session.flush()
            session.add(
                DepartmentMember(department_id=department.id, person_id=lead.id, is_lead=True)
            )
            world.departments[key] = department.id
            world.leads[key] = lead.id
            world.lead_emails[key] = lead.email or ""
        route = CaseRoute(
            id=uuid.uuid4(),
            category_id=category.id,
            lead_department_id=world.departments["housing"],
        )
        session.add(route)
        await session.flush()
        session.add_all(
            [
                CaseRouteHelper(route_id=route.id, department_id=world.departments[key])
                for key in ("urban", "appearance", "committee")
            ]
        )
    return world


async def add_photo(database: Database) -> uuid.UUID:
    """A photo row as the photo store leaves it (the file itself is not read here)."""
    photo_id = uuid.uuid4()
    async with database.sessionmaker.begin() as session:
        session.add(
            Photo(
                id=photo_id,
                content_type="image/jpeg",
                width=640,
                height=480,
                size=1000,
                sha256=hashlib.sha256(photo_id.bytes).hexdigest(),
                key=f"{photo_id.hex[:2]}/{photo_id}.jpg",
                thumb_key=f"{photo_id.hex[:2]}/{photo_id}.thumb.jpg",
                thumb_width=320,
                thumb_height=240,
                uploaded_by="test",
            )
        )
    return photo_id


async def events_of(database: Database, case_id: str) -> list[OutboxEvent]:
    async with database.session() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.subject_id == uuid.UUID(case_id))
                    .order_by(OutboxEvent.txid, OutboxEvent.seq)
                )
            ).all()
        )


async def audits_of(database: Database, *entity_ids: str) -> list[AuditEntry]:
    async with database.session() as session:
        return list(
            (
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.entity_id.in_([uuid.UUID(i) for i in entity_ids]))
                    .order_by(AuditEntry.id)
                )
            ).all()
        )


async def problem(response: Any, status: int) -> dict[str, Any]:
    body = await response.text()
    assert response.status == status, body
    assert response.content_type == "application/problem+json"
    document = await response.json(content_type="application/problem+json")
    assert document["status"] == status
    return document


@pytest.fixture
async def world(database) -> World:  # type: ignore[no-untyped-def]
    return await make_world(database)


# Real SMTP and arq worker processes for the whole-loop test.
from tests.workers.conftest import (  # noqa: E402, F401
    mail,
    redis_client,
    worker_env,
    workers,
)
