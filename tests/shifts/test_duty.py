"""On the day: check-in and check-out, checklist ticks, the hours ledger and statements."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from coordinator.shifts.models import Signup

from .conftest import events, hours_from_now


async def test_check_in_ticks_check_out_and_the_hours_statement(world):
    team = await world.api.ok(
        "POST", "/api/v1/teams", 201, json={"name": "门岗队", "kind": "volunteer"}
    )
    post = await world.post(team_id=team["id"])
    assert post["checklist"] == ["拦", "问", "测", "核", "记", "报"]
    shift = await world.shift(post["id"], hours_from_now(0.2), hours_from_now(2))
    person = await world.person("=HYPERLINK(1)")
    signup = await world.sign_up(shift["id"], person["id"])

    # Nothing to tick before checking in.
    await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/ticks", 409, json={"step": 0})
    checked_in = await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-in")
    assert checked_in["status"] == "checked_in"
    again = await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-in")
    assert again["checked_in_at"] == checked_in["checked_in_at"]
    tick = await world.api.ok(
        "POST",
        f"/api/v1/signups/{signup['id']}/ticks",
        json={"step": 5, "note": "发现发热人员一名，已上报"},
    )
    assert (tick["label"], tick["note"]) == ("报", "发现发热人员一名，已上报")
    await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/ticks", 422, json={"step": 6})

    # Ninety minutes on duty.
    async with world.database.sessionmaker.begin() as session:
        await session.execute(
            update(Signup)
            .where(Signup.id == uuid.UUID(signup["id"]))
            .values(checked_in_at=Signup.checked_in_at - timedelta(minutes=90))
        )
    done = await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-out")
    assert done["status"] == "completed"
    assert len(await events(world.database, "signup.checked_in")) == 1
    assert len(await events(world.database, "signup.checked_out")) == 1

    (entry,) = (await world.api.ok("GET", f"/api/v1/hours?person_id={person['id']}"))["items"]
    assert (entry["minutes"], entry["status"], entry["team_id"]) == (90, "pending", team["id"])
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    empty = await world.api.get(f"/api/v1/hours/statement?month={month}")
    assert (await empty.text()).splitlines() == ["\ufeffmonth,person_id,name,shifts,minutes,hours"]

    approved = await world.api.ok(
        "POST", f"/api/v1/hours/{entry['id']}/approve", json={"approved_by_id": person["id"]}
    )
    assert approved["status"] == "approved"
    response = await world.api.get(f"/api/v1/hours/statement?month={month}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (await response.read()).startswith(b"\xef\xbb\xbfmonth,")  # Excel reads it as UTF-8
    assert (await response.text()).lstrip("\ufeff").splitlines() == [
        "month,person_id,name,shifts,minutes,hours",
        f"{month},{person['id']},'=HYPERLINK(1),1,90,1.50",
    ]
    by_team = await world.api.get(f"/api/v1/hours/statement?month={month}&by=team")
    assert (await by_team.text()).splitlines()[1] == f"{month},{team['id']},门岗队,1,90,1.50"


async def test_check_in_too_early_is_refused(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(5), hours_from_now(7))
    person = await world.person("甲")
    signup = await world.sign_up(shift["id"], person["id"])
    body = await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-in", 409)
    assert body["type"].endswith("/shift-closed")


async def serve(world, shift_id: str, person_id: str, minutes: int) -> None:
    """Sign up, check in, `minutes` on duty, check out, hours approved."""
    signup = await world.sign_up(shift_id, person_id)
    await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-in")
    async with world.database.sessionmaker.begin() as session:
        await session.execute(
            update(Signup)
            .where(Signup.id == uuid.UUID(signup["id"]))
            .values(checked_in_at=Signup.checked_in_at - timedelta(minutes=minutes))
        )
    await world.api.ok("POST", f"/api/v1/signups/{signup['id']}/check-out")
    (entry,) = (await world.api.ok("GET", f"/api/v1/hours?person_id={person_id}&status=pending"))[
        "items"
    ]
    await world.api.ok("POST", f"/api/v1/hours/{entry['id']}/approve", json={})


async def test_monthly_statement_per_company_follows_where_people_worked(world):
    fumin = await world.company("上海福民科技有限公司")
    jingan = await world.company("上海静安咨询有限公司")
    a = await world.person("王秀英", company_id=fumin["id"])
    b = await world.person("李娜", company_id=fumin["id"])
    c = await world.person("张伟", company_id=jingan["id"])
    d = await world.person("无单位")
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(0.2), hours_from_now(2), max_people=4)
    for person, minutes in ((a, 90), (b, 60), (c, 30), (d, 45)):
        await serve(world, shift["id"], person["id"], minutes)

    (entry,) = (await world.api.ok("GET", f"/api/v1/hours?company_id={jingan['id']}"))["items"]
    assert (entry["person_id"], entry["company_id"]) == (c["id"], jingan["id"])

    # Changing jobs later does not move hours already served.
    await world.api.ok("PATCH", f"/api/v1/people/{b['id']}", json={"company_id": jingan["id"]})

    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    by_company = await world.api.get(f"/api/v1/hours/statement?month={month}&by=company")
    assert by_company.status == 200
    assert (await by_company.text()).lstrip("\ufeff").splitlines() == [
        "month,company_id,name,shifts,minutes,hours",
        f"{month},{fumin['id']},上海福民科技有限公司,2,150,2.50",
        f"{month},{jingan['id']},上海静安咨询有限公司,1,30,0.50",
    ]
    # The statement a company receives: its own people's hours, one row each.
    own = await world.api.get(f"/api/v1/hours/statement?month={month}&company_id={fumin['id']}")
    rows = sorted((await own.text()).splitlines()[1:])
    assert rows == sorted(
        [f"{month},{a['id']},王秀英,1,90,1.50", f"{month},{b['id']},李娜,1,60,1.00"]
    )
