"""Signing up: places, waitlists, overlaps, qualifications, promotion, swaps, teams."""

from __future__ import annotations

from .conftest import events, hours_from_now


async def test_signup_when_shift_full_goes_to_waitlist(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    a = await world.person("甲")
    b = await world.person("乙")
    first = await world.sign_up(shift["id"], a["id"])
    second = await world.sign_up(shift["id"], b["id"])
    assert first["status"] == "signed_up"
    assert second["status"] == "waitlisted"
    rows = await world.signups(shift["id"])
    assert [(r["person_id"], r["status"], r["waitlist_position"]) for r in rows] == [
        (a["id"], "signed_up", None),
        (b["id"], "waitlisted", 1),
    ]
    shift_now = await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}")
    assert shift_now["filled"] == 1
    assert len(await events(world.database, "shift.filled")) == 1


async def test_signing_up_twice_is_409(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    a = await world.person("甲")
    await world.sign_up(shift["id"], a["id"])
    body = await world.sign_up(shift["id"], a["id"], status=409)
    assert body["type"].endswith("/already-signed-up")


async def test_overlapping_shifts_are_refused_by_the_database(world):
    post = await world.post()
    early = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    late = await world.shift(post["id"], hours_from_now(31), hours_from_now(33))
    after = await world.shift(post["id"], hours_from_now(32), hours_from_now(34))
    a = await world.person("甲")
    await world.sign_up(early["id"], a["id"])
    body = await world.sign_up(late["id"], a["id"], status=409)
    assert body["constraint"] == "ex_signups_person_overlap"
    # Back to back is not an overlap.
    assert (await world.sign_up(after["id"], a["id"]))["status"] == "signed_up"


async def test_missing_qualification_is_refused(world):
    post = await world.post(required_skills=["急救"])
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    assert shift["required_skills"] == ["急救"]
    a = await world.person("甲", skills=["英语"])
    body = await world.sign_up(shift["id"], a["id"], status=409)
    assert body["type"].endswith("/not-qualified")
    assert body["missing"] == ["急救"]
    b = await world.person("乙", skills=["急救", "英语"])
    assert (await world.sign_up(shift["id"], b["id"]))["status"] == "signed_up"


async def test_cancellation_promotes_the_first_waiting_person(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    a, b, c = [await world.person(n) for n in ("甲", "乙", "丙")]
    held = await world.sign_up(shift["id"], a["id"])
    await world.sign_up(shift["id"], b["id"])
    await world.sign_up(shift["id"], c["id"])
    cancelled = await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    rows = {r["person_id"]: r for r in await world.signups(shift["id"])}
    assert rows[b["id"]]["status"] == "signed_up"
    assert rows[c["id"]]["status"] == "waitlisted"
    assert rows[c["id"]]["waitlist_position"] == 1
    promoted = await events(world.database, "signup.promoted")
    assert [e.data["person_id"] for e in promoted] == [b["id"]]
    (cancel_event,) = await events(world.database, "signup.cancelled")
    assert cancel_event.data["late"] is False
    # Cancelling again is harmless.
    again = await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")
    assert again["status"] == "cancelled"
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 1


async def test_cancellation_inside_the_cutoff_is_late(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(5), hours_from_now(7))
    a = await world.person("甲")
    held = await world.sign_up(shift["id"], a["id"])
    await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")
    (event,) = await events(world.database, "signup.cancelled")
    assert event.data["late"] is True


async def test_promotion_skips_a_waiting_person_now_busy_elsewhere(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    other = await world.shift(post["id"], hours_from_now(31), hours_from_now(33))
    a, b, c = [await world.person(n) for n in ("甲", "乙", "丙")]
    held = await world.sign_up(shift["id"], a["id"])
    await world.sign_up(shift["id"], b["id"])  # waitlisted …
    await world.sign_up(other["id"], b["id"])  # … and then took an overlapping place
    await world.sign_up(shift["id"], c["id"])
    await world.api.ok("POST", f"/api/v1/signups/{held['id']}/cancel")
    rows = {r["person_id"]: r["status"] for r in await world.signups(shift["id"])}
    assert rows == {a["id"]: "cancelled", b["id"]: "waitlisted", c["id"]: "signed_up"}


async def test_swap_hands_the_place_over_and_rechecks_the_rules(world):
    post = await world.post(required_skills=["急救"])
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=1)
    giver = await world.person("甲", skills=["急救"])
    unqualified = await world.person("乙")
    taker = await world.person("丙", skills=["急救"])
    held = await world.sign_up(shift["id"], giver["id"])
    # Not offered yet.
    body = await world.api.ok(
        "POST", f"/api/v1/signups/{held['id']}/swap", 409, json={"person_id": taker["id"]}
    )
    assert body["type"].endswith("/signup-state")
    await world.api.ok("POST", f"/api/v1/signups/{held['id']}/offer-swap")
    body = await world.api.ok(
        "POST", f"/api/v1/signups/{held['id']}/swap", 409, json={"person_id": unqualified["id"]}
    )
    assert body["type"].endswith("/not-qualified")
    taken = await world.api.ok(
        "POST", f"/api/v1/signups/{held['id']}/swap", json={"person_id": taker["id"]}
    )
    assert taken["status"] == "signed_up"
    assert taken["swapped_from_id"] == held["id"]
    rows = {r["person_id"]: r["status"] for r in await world.signups(shift["id"])}
    assert rows == {giver["id"]: "cancelled", taker["id"]: "signed_up"}
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 1
    (swapped,) = await events(world.database, "signup.swapped")
    assert swapped.data["from_person_id"] == giver["id"]
    assert swapped.data["person_id"] == taker["id"]


async def test_signing_up_a_whole_team(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32), max_people=4)
    busy_shift = await world.shift(post["id"], hours_from_now(29), hours_from_now(31))
    a, b, c, d = [await world.person(n) for n in ("甲", "乙", "丙", "丁")]
    await world.sign_up(busy_shift["id"], d["id"])
    team = await world.api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "华山志愿者服务队",
            "kind": "volunteer",
            "members": [{"person_id": p["id"], "role": "member"} for p in (a, b, c, d)],
        },
    )
    result = await world.api.ok(
        "POST", f"/api/v1/shifts/{shift['id']}/signups", json={"team_id": team["id"]}
    )
    statuses = sorted(s["status"] for s in result["signups"])
    assert statuses == ["signed_up", "signed_up", "signed_up"]
    assert result["skipped"] == [{"person_id": d["id"], "reason": "overlap"}]
    assert (await world.api.ok("GET", f"/api/v1/shifts/{shift['id']}"))["filled"] == 3


async def test_cancelled_shift_takes_no_signups(world):
    post = await world.post()
    shift = await world.shift(post["id"], hours_from_now(30), hours_from_now(32))
    a = await world.person("甲")
    held = await world.sign_up(shift["id"], a["id"])
    cancelled = await world.api.ok("POST", f"/api/v1/shifts/{shift['id']}/cancel", json={})
    assert cancelled["status"] == "cancelled"
    assert cancelled["sequence"] == 1
    rows = await world.signups(shift["id"])
    assert [(r["id"], r["status"]) for r in rows] == [(held["id"], "cancelled")]
    b = await world.person("乙")
    body = await world.sign_up(shift["id"], b["id"], status=409)
    assert body["type"].endswith("/shift-closed")
    (event,) = await events(world.database, "shift.cancelled")
    assert event.data["person_ids"] == [a["id"]]
