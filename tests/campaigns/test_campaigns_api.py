"""Campaigns through the API: plan (the job's work run in-process), pins, approval."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from coordinator.campaigns.jobs import run_plan
from coordinator.events.models import OutboxEvent
from coordinator.people.models import Person
from coordinator.registry.models import Area, AreaKind, Building, BuildingKind, Company, Contact
from coordinator.visits.models import Visit

DAY = date.today() + timedelta(days=30)


async def seed(database) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    ids: dict[str, uuid.UUID] = {}
    async with database.sessionmaker.begin() as session:
        north, south = (
            Area(name="北片", kind=AreaKind.block),
            Area(name="南片", kind=AreaKind.block),
        )
        session.add_all([north, south])
        await session.flush()
        for name in ("P", "Q"):
            person = Person(name=f"联络员{name}", email=f"{name.lower()}@example.test")
            session.add(person)
            await session.flush()
            ids[name] = person.id
        for name, area in (("A", north), ("B", north), ("C", south)):
            building = Building(
                name=f"楼{name}", address=f"路{name}号", area_id=area.id, kind=BuildingKind.office
            )
            session.add(building)
            await session.flush()
            ids[name] = building.id
        designated = {"a1": "P", "a2": "P", "b1": "Q"}
        for n, name in enumerate(("a1", "a2", "a3", "b1", "b2", "c1")):
            company = Company(
                name=f"企业{name}",
                credit_code=f"91310106{n:09d}X",
                building_id=ids[name[0].upper()],
                status="operating",
                liaison_id=ids[designated[name]] if name in designated else None,
            )
            session.add(company)
            await session.flush()
            ids[name] = company.id
            session.add(Contact(company_id=company.id, name="联系人", mobile=f"1380000000{n}"))
    return ids


def body(ids: dict[str, uuid.UUID], liaisons: bool = True) -> dict[str, object]:
    return {
        "name": "复工企业大走访",
        "purpose": "了解复工情况",
        "starts_on": DAY.isoformat(),
        "ends_on": DAY.isoformat(),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "windows": [{"start": "09:00", "end": "12:00"}],
        "visit_minutes": 45,
        "filters": {"building_ids": [str(ids[b]) for b in "ABC"]},
        "liaisons": [{"person_id": str(ids[p]), "max_per_day": 3} for p in "PQ"]
        if liaisons
        else [],
        "company_windows": [
            {"company_id": str(ids["c1"]), "kind": "preferred", "start": "11:00", "end": "12:00"}
        ],
        "time_limit_seconds": 5,
    }


async def plan_now(api, database, settings, campaign_id: str) -> dict:  # type: ignore[no-untyped-def]
    started = await api.ok("POST", f"/api/v1/campaigns/{campaign_id}/plan", 202)
    run = started["progress"]["run"]
    assert await run_plan(database, uuid.UUID(campaign_id), run, settings) == "planned"
    return await api.ok("GET", f"/api/v1/campaigns/{campaign_id}")


async def items(api, campaign_id: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    page = await api.ok("GET", f"/api/v1/campaigns/{campaign_id}/items?limit=200")
    return {i["company_id"]: i for i in page["items"]}


def hhmm(item: dict) -> str:  # type: ignore[type-arg]
    return item["starts_at"][11:16]


async def test_plan_pin_replan_and_approve_once(api, database, settings):  # type: ignore[no-untyped-def]
    ids = await seed(database)
    campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(ids))
    cid = campaign["id"]
    assert (campaign["status"], campaign["liaisons"]) == ("draft", 2)

    planned = await plan_now(api, database, settings, cid)
    assert planned["status"] == "planned", planned["report"]
    m = planned["metrics"]
    assert m["covered"] == 6, planned["report"]
    assert (m["covered"], m["unscheduled"], m["building_switches"], m["objective"]) == (6, 0, 1, 90)
    plan = await items(api, cid)
    who = {
        name: plan[str(ids[name])]["liaison_id"] for name in ("a1", "a2", "a3", "b1", "b2", "c1")
    }
    assert who == {n: str(ids["P" if n[0] == "a" else "Q"]) for n in who}
    # stored in UTC: 11:00 in Shanghai is 03:00Z
    assert hhmm(plan[str(ids["c1"])]) == "03:00"

    # Move a3 to Q at 09:00 Shanghai time: pinned, and kept by the re-plan.
    a3 = plan[str(ids["a3"])]
    moved = await api.ok(
        "PATCH",
        f"/api/v1/campaigns/{cid}/items/{a3['id']}",
        json={"liaison_id": str(ids["Q"]), "starts_at": f"{DAY.isoformat()}T09:00:00+08:00"},
    )
    assert moved["pinned"] is True
    replanned = await plan_now(api, database, settings, cid)
    assert replanned["metrics"]["covered"] == 6
    plan = await items(api, cid)
    assert plan[str(ids["a3"])]["id"] == a3["id"]
    assert (plan[str(ids["a3"])]["liaison_id"], hhmm(plan[str(ids["a3"])])) == (
        str(ids["Q"]),
        "01:00",
    )
    q = sorted(
        (i["starts_at"], i["ends_at"]) for i in plan.values() if i["liaison_id"] == str(ids["Q"])
    )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(q))

    first = await api.ok("POST", f"/api/v1/campaigns/{cid}/approve", json={"batch_size": 4})
    assert (first["created"], first["already"], first["skipped"]) == (6, 0, [])
    second = await api.ok("POST", f"/api/v1/campaigns/{cid}/approve", json={})
    assert (second["created"], second["already"], second["skipped"]) == (0, 6, [])
    async with database.session() as session:
        visits = (await session.scalars(select(Visit))).all()
        proposed = await session.scalar(
            select(func.count()).where(OutboxEvent.type == "visit.proposed")
        )
    assert len(visits) == 6 and proposed == 6
    plan = await items(api, cid)
    assert {i["visit_id"] for i in plan.values()} == {str(v.id) for v in visits}
    # Approved items are fixed: moving one is refused, re-planning keeps them all.
    refused = await api.patch(f"/api/v1/campaigns/{cid}/items/{a3['id']}", json={"pinned": False})
    assert refused.status == 409


async def test_campaign_without_liaisons_reports_why_nothing_is_planned(api, database, settings):  # type: ignore[no-untyped-def]
    ids = await seed(database)
    campaign = await api.ok("POST", "/api/v1/campaigns", 201, json=body(ids, liaisons=False))
    planned = await plan_now(api, database, settings, campaign["id"])
    assert planned["status"] == "planned"
    assert [i["code"] for i in planned["report"]["issues"]] == ["no_liaisons"]
    assert len(planned["report"]["unscheduled"]) == 6
    assert {u["reason"] for u in planned["report"]["unscheduled"]} == {"no_liaisons"}
    assert (await items(api, campaign["id"])) == {}
    refused = await api.post(f"/api/v1/campaigns/{campaign['id']}/cancel")
    assert refused.status == 409
