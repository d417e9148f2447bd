"""Rows for the audit recipes, made through the API (as admin), or through the database
where the API cannot get there: a visit the contact confirmed, a delivery that failed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from coordinator.campaigns.jobs import run_plan
from coordinator.events.models import OutboxEvent
from coordinator.notifications.models import Channel, Delivery, DeliveryStatus
from coordinator.platform.settings import Settings
from coordinator.registry.codes import credit_check_char
from coordinator.visits.models import Visit, VisitStatus


@dataclass
class Call:
    """One request, and the audit entry it must write."""

    method: str
    path: str
    action: str
    entity_type: str
    # The entity's id, or how to read it from the answer (default: the answer's "id");
    # None: the entry whose after (or before) holds `state`.
    entity: str | Callable[[Any], str] | None = field(default=lambda answer: answer["id"])
    json: Any = None
    status: int = 200
    state: dict[str, Any] | None = None
    # A body that is not JSON (an image): its bytes and Content-Type.
    data: bytes | None = None
    content_type: str | None = None
    # Who the entry names when it is not the caller's token (an Open311 key's filing).
    actor: str | None = None

    def body(self) -> dict[str, Any]:
        """The request's body, as the test client takes it."""
        if self.data is None:
            return {"json": self.json}
        return {"data": self.data, "headers": {"Content-Type": self.content_type or ""}}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def hours_from_now(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)


@dataclass
class Scene:
    """Rows made through the API (as admin), for a recipe to act on."""

    api: Any
    database: Any
    settings: Settings
    n: int = 0

    async def make(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        result: dict[str, Any] = await self.api.ok("POST", path, status, json=body)
        return result

    def serial(self) -> int:
        self.n += 1
        return self.n

    def area_body(self) -> dict[str, Any]:
        return {"name": f"片区{self.serial()}", "kind": "block"}

    def building_body(self) -> dict[str, Any]:
        return {"name": f"楼宇{self.serial()}", "address": "南京西路1000号", "kind": "office"}

    def branch_body(self) -> dict[str, Any]:
        return {"name": f"支部{self.serial()}", "kind": "building_joint"}

    def company_body(self) -> dict[str, Any]:
        first17 = f"91310106MA{uuid.uuid4().int % 10**7:07d}"
        return {
            "name": f"企业{self.serial()}",
            "credit_code": first17 + credit_check_char(first17),
            "street_address": "陕西北路1号",
        }

    def person_body(self) -> dict[str, Any]:
        return {"name": f"志愿者{self.serial()}", "email": f"{uuid.uuid4().hex[:8]}@example.test"}

    def team_body(self) -> dict[str, Any]:
        return {"name": f"团队{self.serial()}", "kind": "volunteer"}

    def post_body(self) -> dict[str, Any]:
        return {"name": f"门岗{self.serial()}", "address": "华山路 100 弄", "checklist": ["测温"]}

    def webhook_body(self) -> dict[str, Any]:
        return {"url": "https://hooks.example.test/fumin", "event_types": ["visit.proposed"]}

    async def building(self) -> dict[str, Any]:
        return await self.make("/api/v1/buildings", self.building_body())

    async def company(self, **values: Any) -> dict[str, Any]:
        body = self.company_body()
        if "building_id" in values:
            del body["street_address"]
        return await self.make("/api/v1/companies", body | values)

    async def contact(self, company_id: str) -> dict[str, Any]:
        body = {"name": "王经理", "mobile": "13812345678", "email": "wang@example.test"}
        return await self.make(f"/api/v1/companies/{company_id}/contacts", body)

    async def person(self, **values: Any) -> dict[str, Any]:
        return await self.make("/api/v1/people", self.person_body() | values)

    async def team(self, kind: str = "volunteer") -> dict[str, Any]:
        return await self.make("/api/v1/teams", self.team_body() | {"kind": kind})

    async def member(self, team_id: str) -> dict[str, Any]:
        person = await self.person()
        await self.make(f"/api/v1/teams/{team_id}/members", {"person_id": person["id"]})
        return person

    async def post(self) -> dict[str, Any]:
        return await self.make("/api/v1/posts", self.post_body())

    async def shift(self, start: float = 48, length: float = 2, **values: Any) -> dict[str, Any]:
        post = await self.post()
        body = {
            "post_id": post["id"],
            "starts_at": iso(hours_from_now(start)),
            "ends_at": iso(hours_from_now(start + length)),
            "min_people": 1,
            "max_people": 3,
        }
        return await self.make("/api/v1/shifts", body | values)

    def series_body(self, post_id: str) -> dict[str, Any]:
        return {
            "post_id": post_id,
            "rrule": "FREQ=DAILY",
            "starts_on": (date.today() + timedelta(days=1)).isoformat(),
            "windows": [{"start": "07:00", "end": "09:00"}],
            "max_people": 2,
            "weeks_ahead": 1,
        }

    async def series(self) -> dict[str, Any]:
        post = await self.post()
        return await self.make("/api/v1/shift-series", self.series_body(post["id"]))

    async def signup(self, start: float = 48, length: float = 2) -> dict[str, Any]:
        shift = await self.shift(start, length)
        person = await self.person()
        return await self.make(f"/api/v1/shifts/{shift['id']}/signups", {"person_id": person["id"]})

    async def checked_in(self) -> dict[str, Any]:
        signup = await self.signup(start=0.5)
        await self.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-in")
        return signup

    async def visit(self) -> dict[str, Any]:
        liaison = await self.person()
        company = await self.company()
        contact = await self.contact(company["id"])
        body = {
            "company_id": company["id"],
            "contact_id": contact["id"],
            "liaison_id": liaison["id"],
            "starts_at": iso(hours_from_now(48)),
            "ends_at": iso(hours_from_now(49)),
            "purpose": "了解复工复产情况",
        }
        return await self.make("/api/v1/visits", body)

    async def visit_confirmed_and_over(self) -> dict[str, Any]:
        """A visit the contact confirmed (through the link page) and that has happened."""
        visit = await self.visit()
        async with self.database.sessionmaker.begin() as session:
            await session.execute(
                update(Visit)
                .where(Visit.id == uuid.UUID(visit["id"]))
                .values(
                    status=VisitStatus.confirmed,
                    starts_at=hours_from_now(-2),
                    ends_at=hours_from_now(-1),
                )
            )
        return visit

    async def completed_visit(self) -> dict[str, Any]:
        visit = await self.visit_confirmed_and_over()
        body = {"status": "completed", "notes": "已复工"}
        return await self.make(f"/api/v1/visits/{visit['id']}/outcome", body, 200)

    async def need(self, *, assigned: bool = False, resolved: bool = False) -> dict[str, Any]:
        visit = await self.completed_visit()
        body = {"category": "policy", "description": "咨询租金减免政策"}
        need = await self.make(f"/api/v1/visits/{visit['id']}/needs", body)
        if assigned or resolved:
            body = {"department": "housing_office"}
            await self.make(f"/api/v1/needs/{need['id']}/assign", body, 200)
        if resolved:
            body = {"resolution": "已协调解决"}
            await self.make(f"/api/v1/needs/{need['id']}/resolve", body, 200)
        return need

    async def campaign_body(self) -> dict[str, Any]:
        """One company with a contact in one building, one liaison, one morning."""
        building = await self.building()
        company = await self.company(building_id=building["id"])
        await self.contact(company["id"])
        liaison = await self.person()
        day = date.today() + timedelta(days=30)
        return {
            "name": "复工企业大走访",
            "purpose": "了解复工情况",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "windows": [{"start": "09:00", "end": "12:00"}],
            "visit_minutes": 45,
            "filters": {"building_ids": [building["id"]]},
            "liaisons": [{"person_id": liaison["id"], "max_per_day": 3}],
            "time_limit_seconds": 1,
        }

    async def campaign(self) -> dict[str, Any]:
        return await self.make("/api/v1/campaigns", await self.campaign_body())

    async def planned_campaign(self) -> dict[str, Any]:
        """A campaign planned by the planning job's own work, run here."""
        campaign = await self.campaign()
        started = await self.make(f"/api/v1/campaigns/{campaign['id']}/plan", {}, 202)
        run = started["progress"]["run"]
        outcome = await run_plan(self.database, uuid.UUID(campaign["id"]), run, self.settings)
        assert outcome == "planned", outcome
        return campaign

    async def failed_delivery(self) -> str:
        """A webhook delivery that used up its attempts (as the worker leaves one)."""
        event_id, delivery_id = uuid.uuid4(), uuid.uuid4()
        async with self.database.sessionmaker.begin() as session:
            session.add(OutboxEvent(id=event_id, type="visit.proposed", data={}))
            await session.flush()
            session.add(
                Delivery(
                    id=delivery_id,
                    event_id=event_id,
                    channel=Channel.webhook,
                    recipient="https://hooks.example.test/fumin",
                    status=DeliveryStatus.failed,
                    attempts=8,
                    last_error="HTTP 500",
                )
            )
        return str(delivery_id)

    async def token(self) -> dict[str, Any]:
        return await self.make("/api/v1/tokens", {"name": f"集成{self.serial()}", "role": "viewer"})


Recipe = Callable[[Scene], Awaitable[Call]]
RECIPES: dict[str, Recipe] = {}


def recipe(operation: str) -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        assert operation not in RECIPES, operation
        RECIPES[operation] = fn
        return fn

    return register
