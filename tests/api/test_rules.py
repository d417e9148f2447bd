"""Defects found by trying the API as a new user would, one test each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import Everything, later


async def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize("path", ["/api/v1/hours", "/api/v1/hours/statement?by=person"])
@pytest.mark.parametrize("month", ["0000-01", "0000-12", "10000-01"])
async def test_a_month_outside_years_1_to_9999_is_a_422_naming_month(api, path, month):
    joiner = "&" if "?" in path else "?"
    problem = await _problem(await api.get(f"{path}{joiner}month={month}"), 422)
    assert [e["field"] for e in problem["errors"]] == ["month"]


async def test_the_first_and_last_months_are_answered(api):
    for month in ("0001-01", "9999-12"):
        assert (await api.ok("GET", f"/api/v1/hours?month={month}"))["items"] == []
        statement = await api.get(f"/api/v1/hours/statement?by=team&month={month}")
        assert statement.status == 200, await statement.text()


@pytest.mark.parametrize("name", ["starts_at", "ends_at"])
async def test_null_shift_time_is_a_422_naming_it(everything: Everything, name):
    path = f"/api/v1/shifts/{everything.made['shift']['id']}"
    problem = await _problem(await everything.api.patch(path, json={name: None}), 422)
    assert [e["field"] for e in problem["errors"]] == [name]


async def _shift(api, max_people: int = 1) -> dict:  # type: ignore[no-untyped-def, type-arg]
    post = await api.ok("POST", "/api/v1/posts", 201, json={"name": "门岗", "address": "华山路"})
    body = {
        "post_id": post["id"],
        "starts_at": later(30),
        "ends_at": later(32),
        "max_people": max_people,
    }
    return await api.ok("POST", "/api/v1/shifts", 201, json=body)


async def _people(api, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        (await api.ok("POST", "/api/v1/people", 201, json={"name": f"志愿者{i}"}))["id"]
        for i in range(n)
    ]


async def test_a_waitlisted_signup_is_answered_its_position_by_the_claim(committed_api):
    """Through the claim statement (autocommit, as the app runs)."""
    await _waitlist_positions(committed_api)


async def test_a_waitlisted_signup_is_answered_its_position_under_the_lock(api):
    """Through the locked transaction (a test's database has no autocommit engine)."""
    await _waitlist_positions(api)


async def _waitlist_positions(api) -> None:  # type: ignore[no-untyped-def]
    shift = await _shift(api)
    people = await _people(api, 4)
    answers = [
        await api.ok("POST", f"/api/v1/shifts/{shift['id']}/signups", 201, json={"person_id": p})
        for p in people
    ]
    assert [a["status"] for a in answers] == ["signed_up", "waitlisted", "waitlisted", "waitlisted"]
    assert [a["waitlist_position"] for a in answers] == [None, 1, 2, 3]
    # The second in line leaves: the last moves up to 2, and a newcomer is 3rd.
    await api.ok("POST", f"/api/v1/signups/{answers[2]['id']}/cancel")
    newcomer = (await _people(api, 1))[0]
    late = await api.ok(
        "POST", f"/api/v1/shifts/{shift['id']}/signups", 201, json={"person_id": newcomer}
    )
    assert late["waitlist_position"] == 3
    read = await api.ok("GET", f"/api/v1/signups/{answers[3]['id']}")
    assert read["waitlist_position"] == 2
    assert (await api.ok("GET", f"/api/v1/signups/{late['id']}")) == late
    # The place frees up: the first in line takes it, and the list counts from the rest.
    await api.ok("POST", f"/api/v1/signups/{answers[0]['id']}/cancel")
    page = await api.ok("GET", f"/api/v1/shifts/{shift['id']}/signups?status=waitlisted")
    assert [s["waitlist_position"] for s in page["items"]] == [1, 2]
    again = await api.ok(
        "POST", f"/api/v1/shifts/{shift['id']}/signups", 201, json={"person_id": people[2]}
    )
    assert again["waitlist_position"] == 3


async def test_a_team_signup_answers_positions_too(api):
    shift = await _shift(api)
    people = await _people(api, 3)
    team = await api.ok(
        "POST",
        "/api/v1/teams",
        201,
        json={
            "name": "志愿者服务队",
            "kind": "volunteer",
            "members": [{"person_id": p, "role": "member"} for p in people],
        },
    )
    out = await api.ok(
        "POST", f"/api/v1/shifts/{shift['id']}/signups", json={"team_id": team["id"]}
    )
    assert [s["waitlist_position"] for s in out["signups"]] == [None, 1, 2]


async def test_a_shift_and_a_visit_show_the_same_times_from_every_route(everything: Everything):
    api = everything.api
    post_id = everything.made["post"]["id"]
    local = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    body = {
        "post_id": post_id,
        "starts_at": (local + timedelta(hours=8)).replace(tzinfo=None).isoformat() + "+08:00",
        "ends_at": (local + timedelta(hours=10)).replace(tzinfo=None).isoformat() + "+08:00",
        "max_people": 2,
    }
    created = await api.ok("POST", "/api/v1/shifts", 201, json=body)
    expected = local.isoformat().replace("+00:00", "Z")
    assert created["starts_at"] == expected
    read = await api.ok("GET", f"/api/v1/shifts/{created['id']}")
    listed = await api.ok("GET", f"/api/v1/shifts?post_id={post_id}&limit=200")
    (row,) = [s for s in listed["items"] if s["id"] == created["id"]]
    assert created == read == row
    patched = await api.ok(
        "PATCH",
        f"/api/v1/shifts/{created['id']}",
        json={"notes": "带伞", "ends_at": body["ends_at"]},
    )
    assert patched["starts_at"] == expected and patched["ends_at"].endswith("Z")
    visit = everything.made["visit"]
    assert visit["starts_at"].endswith("Z") and visit["created_at"].endswith("Z")
    assert await api.ok("GET", f"/api/v1/visits/{visit['id']}") == visit
    signup = everything.made["signup"]
    assert signup["starts_at"].endswith("Z")


async def test_a_visit_to_come_cannot_be_completed_or_a_no_show(everything: Everything, database):
    from sqlalchemy import update

    from coordinator.visits.models import Visit, VisitStatus

    visit = everything.made["visit"]
    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Visit).where(Visit.id == visit["id"]).values(status=VisitStatus.confirmed)
        )
    for status in ("completed", "no_show"):
        response = await everything.api.post(
            f"/api/v1/visits/{visit['id']}/outcome", json={"status": status}
        )
        problem = await _problem(response, 409)
        assert problem["current"] == "confirmed"
        assert problem["allowed"] == ["cancelled", "proposed"]
    read = await everything.api.ok("GET", f"/api/v1/visits/{visit['id']}")
    assert read["status"] == "confirmed" and read["outcome_notes"] is None


async def test_a_team_with_visits_or_live_feeds_is_not_deleted(everything: Everything):
    api, made = everything.api, everything.made
    team = f"/api/v1/teams/{made['team']['id']}"
    problem = await _problem(await api.delete(team), 409)
    referrers = {r["resource"]: r["count"] for r in problem["referenced_by"]}
    assert referrers == {"team-members": 2, "visits": 1, "feed-tokens": 1}
    assert "走访（1）" in problem["detail"] and "日历订阅（1）" in problem["detail"]
    assert (await api.ok("GET", team))["id"] == made["team"]["id"]
    # A revoked feed no longer holds the team (its URL is dead already).
    await api.ok("DELETE", f"{team}/feeds/{made['team_feed']['id']}", 204)
    problem = await _problem(await api.delete(team), 409)
    assert "feed-tokens" not in {r["resource"] for r in problem["referenced_by"]}


async def test_a_person_with_a_live_feed_is_not_deleted(api):
    person = await api.ok("POST", "/api/v1/people", 201, json={"name": "周一鸣"})
    feed = await api.ok("POST", f"/api/v1/people/{person['id']}/feeds", 201, json={})
    problem = await _problem(await api.delete(f"/api/v1/people/{person['id']}"), 409)
    assert problem["referenced_by"] == [
        {"resource": "feed-tokens", "field": "person_id", "count": 1}
    ]
    await api.ok("DELETE", f"/api/v1/people/{person['id']}/feeds/{feed['id']}", 204)
    await api.ok("DELETE", f"/api/v1/people/{person['id']}", 204)
