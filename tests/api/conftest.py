"""One of every resource, made through the API, for tests that walk the whole API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from coordinator.cases.categories.models import CaseCategory, CaseRoute
from coordinator.departments.models import Department, DepartmentKind
from coordinator.platform import keys
from tests.api.served import served_api  # noqa: F401 (a fixture of this folder's tests)
from tests.registry.conftest import credit_code


def small_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (12, 9), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


def later(hours: float) -> str:
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Everything:
    """Every resource a POST makes, with the Location each 201 answered."""

    api: Any
    made: dict[str, dict[str, Any]] = field(default_factory=dict)
    locations: dict[tuple[str, str], str] = field(default_factory=dict)

    async def create(
        self, key: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.api.post(path, json=body)
        text = await response.text()
        assert response.status in (200, 201), f"POST {path}: {response.status} {text}"
        out = await response.json()
        if response.status == 201 and "Location" in response.headers:
            self.locations[(path, key)] = response.headers["Location"]
        self.made[key] = out
        return out

    async def upload(self, key: str, path: str, data: bytes, content_type: str) -> dict[str, Any]:
        """A resource made of a body that is not JSON (a photo)."""
        response = await self.api.post(path, data=data, headers={"Content-Type": content_type})
        text = await response.text()
        assert response.status == 201, f"POST {path}: {response.status} {text}"
        self.locations[(path, key)] = response.headers["Location"]
        self.made[key] = out = await response.json()
        return out  # type: ignore[no-any-return]

    async def build(self) -> Everything:
        n = uuid.uuid4().int % 10**6
        area = await self.create(
            "area", "/api/v1/areas", {"name": f"片区{n}", "kind": "residential"}
        )
        building = await self.create(
            "building",
            "/api/v1/buildings",
            {
                "name": f"楼宇{n}",
                "address": "南京西路1000号",
                "kind": "office",
                "area_id": area["id"],
            },
        )
        await self.create(
            "branch", "/api/v1/party-branches", {"name": f"支部{n}", "kind": "building_joint"}
        )
        company = await self.create(
            "company",
            "/api/v1/companies",
            {
                "name": f"企业{n}",
                "credit_code": credit_code(n % 1000 + 1),
                "building_id": building["id"],
            },
        )
        contact = await self.create(
            "contact",
            f"/api/v1/companies/{company['id']}/contacts",
            {"name": "王经理", "mobile": "13812345678", "email": f"c{n}@example.test"},
        )
        lead = await self.create(
            "lead", "/api/v1/people", {"name": "王组长", "email": f"l{n}@example.test"}
        )
        person = await self.create(
            "person", "/api/v1/people", {"name": "李联络", "email": f"p{n}@example.test"}
        )
        team = await self.create(
            "team",
            "/api/v1/teams",
            {"name": f"联络组{n}", "kind": "liaison", "lead_id": lead["id"]},
        )
        await self.create(
            "member",
            f"/api/v1/teams/{team['id']}/members",
            {"person_id": person["id"], "role": "member"},
        )
        post = await self.create(
            "post", "/api/v1/posts", {"name": "门岗", "address": "华山路 100 弄"}
        )
        shift = await self.create(
            "shift",
            "/api/v1/shifts",
            {"post_id": post["id"], "starts_at": later(48), "ends_at": later(50), "max_people": 1},
        )
        await self.create(
            "series",
            "/api/v1/shift-series",
            {
                "post_id": post["id"],
                "rrule": "FREQ=WEEKLY;BYDAY=MO",
                "starts_on": (date.today() + timedelta(days=30)).isoformat(),
                "windows": [{"start": "09:00", "end": "11:00"}],
                "max_people": 2,
                "weeks_ahead": 1,
            },
        )
        await self.create(
            "signup", f"/api/v1/shifts/{shift['id']}/signups", {"person_id": person["id"]}
        )
        await self.create(
            "waitlisted", f"/api/v1/shifts/{shift['id']}/signups", {"person_id": lead["id"]}
        )
        visit = await self.create(
            "visit",
            "/api/v1/visits",
            {
                "company_id": company["id"],
                "contact_id": contact["id"],
                "liaison_id": person["id"],
                "starts_at": later(72),
                "ends_at": later(73),
                "purpose": "了解复工复产情况",
            },
        )
        await self.create(
            "campaign",
            "/api/v1/campaigns",
            {
                "name": f"走访行动{n}",
                "purpose": "复工复产",
                "starts_on": (date.today() + timedelta(days=7)).isoformat(),
                "ends_on": (date.today() + timedelta(days=14)).isoformat(),
                "windows": [{"start": "09:00", "end": "12:00"}],
                "visit_minutes": 60,
            },
        )
        await self.create(
            "webhook",
            "/api/v1/webhooks",
            {"url": "https://hooks.example.test/fumin", "event_types": ["*"]},
        )
        await self.create("token", "/api/v1/tokens", {"name": f"集成{n}", "role": "viewer"})
        await self.create("open311_key", "/api/v1/open311-keys", {"name": f"随申办{n}"})
        await self.create(
            "team_feed", f"/api/v1/teams/{team['id']}/feeds", {"person_id": person["id"]}
        )
        await self.create("person_feed", f"/api/v1/people/{person['id']}/feeds", {})
        await self.create("link", f"/api/v1/people/{person['id']}/link")
        await self.upload("photo", "/api/v1/photos", small_png(), "image/png")
        self.made["visit_for_need"] = visit
        await self.build_cases(n, building["id"])
        await self._cases(n, area, building, person)
        await self._housing(n, area, person)
        return self

    async def _housing(self, n: int, area: dict[str, Any], person: dict[str, Any]) -> None:
        """The residential survey: a compound, a building, a block covering its unit with a
        deputy, a dwelling in it, a survey campaign under way."""
        compound = await self.create(
            "compound", "/api/v1/compounds", {"area_id": area["id"], "name": f"小区{n}"}
        )
        building = await self.create(
            "housing_building",
            "/api/v1/housing-buildings",
            {"compound_id": compound["id"], "name": "1号", "floors": 6},
        )
        block = await self.create(
            "block", "/api/v1/blocks", {"area_id": area["id"], "name": "一块"}
        )
        units = {"units": [{"building_id": building["id"], "unit": "1"}]}
        await self.api.ok("PUT", f"/api/v1/blocks/{block['id']}/units", json=units)
        await self.create(
            "deputy", f"/api/v1/blocks/{block['id']}/deputies", {"person_id": person["id"]}
        )
        place = {"building_id": building["id"], "unit": "1", "floor": 1, "room": "101"}
        await self.create("dwelling", "/api/v1/dwellings", place)
        today = date.today()
        period = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(7)).isoformat()}
        await self.create(
            "survey_campaign",
            "/api/v1/survey-campaigns",
            {"name": f"排摸{n}", "area_ids": [area["id"]]} | period,
        )

    async def build_cases(self, n: int, building_id: str) -> None:
        """A case filed, a department added to it, a note on it. Categories and their
        departments are made in the database (their own API is tested where it is)."""
        departments = [uuid.uuid4(), uuid.uuid4()]
        code = f"case_kind_{n}"
        async with self.api.client.app[keys.DATABASE].sessionmaker.begin() as session:
            for number, department_id in enumerate(departments):
                session.add(
                    Department(
                        id=department_id, name=f"部门{n}-{number}", kind=DepartmentKind.other
                    )
                )
            await session.flush()
            category = CaseCategory(
                id=uuid.uuid4(), code=code, name="楼道堆物", response_hours=8, resolution_days=5
            )
            session.add(category)
            await session.flush()
            session.add(CaseRoute(category_id=category.id, lead_department_id=departments[0]))
        case = await self.create(
            "case",
            "/api/v1/cases",
            {
                "title": "楼道堆物",
                "description": "三楼楼道堆满纸箱",
                "category": code,
                "building_id": building_id,
            },
        )
        await self.create(
            "case_task", f"/api/v1/cases/{case['id']}/tasks", {"department_id": str(departments[1])}
        )
        await self.create("case_note", f"/api/v1/cases/{case['id']}/notes", {"body": "已联系物业"})

    async def _cases(
        self, n: int, area: dict[str, Any], building: dict[str, Any], person: dict[str, Any]
    ) -> None:
        """A department with a member, a case category and a routing rule."""
        department = await self.create(
            "department",
            "/api/v1/departments",
            {"name": f"城管中队{n}", "kind": "urban_management", "work_hours": "08:30-17:00"},
        )
        helper = await self.create(
            "helper",
            "/api/v1/departments",
            {"name": f"居委会{n}", "kind": "residential_committee", "area_id": area["id"]},
        )
        await self.create(
            "department_member",
            f"/api/v1/departments/{department['id']}/members",
            {"person_id": person["id"], "is_lead": True},
        )
        category = await self.create(
            "category",
            "/api/v1/case-categories",
            {
                "code": f"bikes_{n}",
                "name": "非机动车乱停放",
                "response_hours": 4,
                "resolution_days": 3,
            },
        )
        await self.create(
            "route",
            "/api/v1/case-routes",
            {
                "category_id": category["id"],
                "building_id": building["id"],
                "lead_department_id": department["id"],
                "helper_department_ids": [helper["id"]],
            },
        )


@pytest.fixture
async def everything(api) -> Everything:  # type: ignore[no-untyped-def]
    return await Everything(api).build()
