"""The lists of posts, shifts and hours (platform.listing, rendered by PostgreSQL) show each
item as reading it does, and filter as their queries say."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, cast, insert, literal_column, select

from coordinator.platform.json_sql import json_column, value_json
from coordinator.shifts.duty.schemas import HoursOut
from coordinator.shifts.models import HoursEntry, HoursStatus, Signup, SignupStatus

from .conftest import hours_from_now


async def test_dates_render_as_pydantic_renders_them(database) -> None:  # type: ignore[no-untyped-def]
    days = [date(1, 1, 1), date(999, 12, 31), date(2024, 2, 29), date(9999, 12, 31)]
    async with database.session() as session:
        for day in days:
            sql = value_json(cast(literal_column(f"'{day.isoformat()}'"), Date()))
            got = await session.scalar(select(json_column(sql)))
            assert got == f'"{day.isoformat()}"'
        null = value_json(cast(literal_column("NULL"), Date()))
        assert await session.scalar(select(json_column(null))) == "null"


async def test_posts_and_shifts_list_each_item_as_reading_it_does(world) -> None:  # type: ignore[no-untyped-def]
    team = await world.api.ok(
        "POST", "/api/v1/teams", 201, json={"name": "门岗队", "kind": "volunteer"}
    )
    gate = await world.post(
        name='门岗"甲"', team_id=team["id"], required_skills=["急救"], description="夜\n班"
    )
    other = await world.post(name="巡逻岗", checklist=[])
    early = await world.shift(gate["id"], hours_from_now(1), hours_from_now(3), notes="带证件")
    late = await world.shift(gate["id"], hours_from_now(5), hours_from_now(7))
    elsewhere = await world.shift(other["id"], hours_from_now(2), hours_from_now(4))
    await world.api.ok("POST", f"/api/v1/shifts/{late['id']}/cancel", json={})
    late = await world.api.ok("GET", f"/api/v1/shifts/{late['id']}")

    for path, made in {
        "/api/v1/posts?sort=created_at": [gate, other],
        "/api/v1/shifts": [early, elsewhere, late],
    }.items():
        page = await world.api.ok("GET", path)
        assert page["total"] == len(made), path
        for item, one in zip(page["items"], made, strict=True):
            base = path.split("?")[0]
            assert item == await world.api.ok("GET", f"{base}/{one['id']}"), path

    def ids(page):  # type: ignore[no-untyped-def]
        return [item["id"] for item in page["items"]]

    assert ids(await world.api.ok("GET", f"/api/v1/posts?team_id={team['id']}")) == [gate["id"]]
    assert ids(await world.api.ok("GET", "/api/v1/posts?q=巡逻")) == [other["id"]]
    assert ids(await world.api.ok("GET", f"/api/v1/shifts?post_id={gate['id']}")) == [
        early["id"],
        late["id"],
    ]
    assert ids(await world.api.ok("GET", "/api/v1/shifts?status=cancelled")) == [late["id"]]
    window = {"starts_after": elsewhere["starts_at"], "starts_before": late["starts_at"]}
    assert ids(await world.api.ok("GET", "/api/v1/shifts", params=window)) == [elsewhere["id"]]
    newest = await world.api.ok("GET", "/api/v1/shifts?sort=-starts_at&limit=2")
    assert ids(newest) == [late["id"], elsewhere["id"]]
    rest = await world.api.ok(
        "GET", "/api/v1/shifts", params={"sort": "-starts_at", "cursor": newest["next_cursor"]}
    )
    assert (ids(rest), rest["next_cursor"], rest["total"]) == ([early["id"]], None, 3)


async def test_the_hours_ledger_lists_each_entry_as_approving_it_answers(world) -> None:  # type: ignore[no-untyped-def]
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(1), hours_from_now(3), max_people=9)
    days = [date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1)]
    people = [await world.person(f"志愿者{n}") for n in range(len(days))]
    entries = []
    async with world.database.sessionmaker.begin() as session:
        for n, (day, person) in enumerate(zip(days, people, strict=True)):
            signup_id, entry_id = uuid.uuid4(), uuid.uuid4()
            await session.execute(
                insert(Signup).values(
                    id=signup_id,
                    shift_id=uuid.UUID(shift["id"]),
                    person_id=uuid.UUID(person["id"]),
                    status=SignupStatus.completed,
                    starts_at=datetime.fromisoformat(shift["starts_at"]),
                    ends_at=datetime.fromisoformat(shift["ends_at"]),
                )
            )
            await session.execute(
                insert(HoursEntry).values(
                    id=entry_id,
                    signup_id=signup_id,
                    person_id=uuid.UUID(person["id"]),
                    shift_id=uuid.UUID(shift["id"]),
                    served_on=day,
                    minutes=90 + n,
                    status=HoursStatus.pending,
                )
            )
            entries.append(entry_id)
    approved = await world.api.ok("POST", f"/api/v1/hours/{entries[2]}/approve", json={})
    async with world.database.session() as session:
        rows = (await session.scalars(select(HoursEntry).where(HoursEntry.id.in_(entries)))).all()
        read = {str(row.id): HoursOut.model_validate(row).model_dump(mode="json") for row in rows}
    assert read[str(entries[2])] == approved

    page = await world.api.ok("GET", "/api/v1/hours")
    assert page["total"] == 4
    assert [item["served_on"] for item in page["items"]] == [d.isoformat() for d in days]
    for item in page["items"]:
        assert item == read[item["id"]]
    february = await world.api.ok("GET", "/api/v1/hours?month=2024-02&sort=-served_on")
    assert [item["id"] for item in february["items"]] == [str(entries[2]), str(entries[1])]
    pending = await world.api.ok("GET", "/api/v1/hours?month=2024-02&status=pending")
    assert [item["id"] for item in pending["items"]] == [str(entries[1])]
    first = await world.api.ok("GET", "/api/v1/hours?limit=3")
    rest = await world.api.ok("GET", "/api/v1/hours", params={"cursor": first["next_cursor"]})
    assert [item["id"] for item in rest["items"]] == [str(entries[3])]
