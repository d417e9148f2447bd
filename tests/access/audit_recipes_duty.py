"""Recipes for the writes of shifts, signups, hours, feeds, deliveries and tokens (see
tests/access/audit_recipes.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.access.audit_scene import Call, Scene, hours_from_now, iso, recipe

# Shifts and series


@recipe("POST /api/v1/shifts")
async def create_shift(s: Scene) -> Call:
    post = await s.post()
    body = {
        "post_id": post["id"],
        "starts_at": iso(hours_from_now(24)),
        "ends_at": iso(hours_from_now(26)),
        "max_people": 2,
    }
    return Call("POST", "/api/v1/shifts", "create", "shift", json=body, status=201)


@recipe("PATCH /api/v1/shifts/{id}")
async def update_shift(s: Scene) -> Call:
    shift = await s.shift()
    return Call("PATCH", f"/api/v1/shifts/{shift['id']}", "update", "shift", json={"max_people": 5})


@recipe("POST /api/v1/shifts/{id}/cancel")
async def cancel_shift(s: Scene) -> Call:
    shift = await s.shift()
    body = {"reason": "暴雨"}
    return Call("POST", f"/api/v1/shifts/{shift['id']}/cancel", "cancel", "shift", json=body)


@recipe("POST /api/v1/shift-series")
async def create_series(s: Scene) -> Call:
    post = await s.post()
    body = s.series_body(post["id"])
    return Call("POST", "/api/v1/shift-series", "create", "series", json=body, status=201)


@recipe("POST /api/v1/shift-series/{id}/exdates")
async def add_exdates(s: Scene) -> Call:
    series = await s.series()
    body = {"exdates": [series["starts_on"]]}
    return Call(
        "POST", f"/api/v1/shift-series/{series['id']}/exdates", "update", "series", json=body
    )


# Signups and hours


@recipe("POST /api/v1/shifts/{id}/signups")
async def create_signup(s: Scene) -> Call:
    shift, person = await s.shift(), await s.person()
    path = f"/api/v1/shifts/{shift['id']}/signups"
    return Call("POST", path, "create", "signup", json={"person_id": person["id"]}, status=201)


def _on_signup(
    name: str,
    action: str,
    setup: Callable[[Scene], Awaitable[dict[str, Any]]],
    body: Callable[[Scene], Awaitable[Any]] | None = None,
) -> None:
    @recipe(f"POST /api/v1/signups/{{id}}/{name}")
    async def act(s: Scene) -> Call:
        signup = await setup(s)
        json = await body(s) if body else None
        return Call(
            "POST",
            f"/api/v1/signups/{signup['id']}/{name}",
            action,
            "signup",
            signup["id"],
            json=json,
        )


async def _offered(s: Scene) -> dict[str, Any]:
    signup = await s.signup()
    await s.make(f"/api/v1/signups/{signup['id']}/offer-swap", {}, 200)
    return signup


async def _taker(s: Scene) -> dict[str, str]:
    return {"person_id": (await s.person())["id"]}


_on_signup("cancel", "cancel", Scene.signup)
_on_signup("offer-swap", "offer_swap", Scene.signup)
_on_signup("swap", "swap", _offered, _taker)
_on_signup("check-in", "check_in", lambda s: s.signup(start=0.5))
_on_signup("check-out", "check_out", Scene.checked_in)
_on_signup("no-show", "no_show", Scene.signup)


@recipe("POST /api/v1/signups/{id}/ticks")
async def tick(s: Scene) -> Call:
    signup = await s.checked_in()
    path = f"/api/v1/signups/{signup['id']}/ticks"
    return Call("POST", path, "tick", "checklist_tick", json={"step": 0, "note": "正常"})


@recipe("POST /api/v1/hours/{id}/approve")
async def approve_hours(s: Scene) -> Call:
    signup = await s.checked_in()
    await s.make(f"/api/v1/signups/{signup['id']}/check-out", {}, 200)
    hours = await s.api.ok("GET", f"/api/v1/hours?person_id={signup['person_id']}")
    entry = hours["items"][0]["id"]
    return Call("POST", f"/api/v1/hours/{entry}/approve", "approve", "hours", entry, json={})


@recipe("POST /api/v1/people/{id}/link")
async def issue_person_link(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/link"
    return Call("POST", path, "issue_link", "person", person["id"], status=201)


# Feeds


async def _team_feed(s: Scene) -> tuple[str, dict[str, Any]]:
    team = await s.team()
    person = await s.member(team["id"])
    feed = await s.make(f"/api/v1/teams/{team['id']}/feeds", {"person_id": person["id"]})
    return f"/api/v1/teams/{team['id']}/feeds", feed


async def _person_feed(s: Scene) -> tuple[str, dict[str, Any]]:
    person = await s.person()
    feed = await s.make(f"/api/v1/people/{person['id']}/feeds", {})
    return f"/api/v1/people/{person['id']}/feeds", feed


@recipe("POST /api/v1/teams/{id}/feeds")
async def create_team_feed(s: Scene) -> Call:
    team = await s.team()
    person = await s.member(team["id"])
    path = f"/api/v1/teams/{team['id']}/feeds"
    return Call("POST", path, "create", "feed", json={"person_id": person["id"]}, status=201)


@recipe("POST /api/v1/people/{id}/feeds")
async def create_person_feed(s: Scene) -> Call:
    person = await s.person()
    path = f"/api/v1/people/{person['id']}/feeds"
    return Call("POST", path, "create", "feed", json={"label": "我的班次"}, status=201)


def _feed_writes(
    owner: str, make: Callable[[Scene], Awaitable[tuple[str, dict[str, Any]]]]
) -> None:
    @recipe(f"POST /api/v1/{owner}/{{id}}/feeds/{{feed_id}}/rotate")
    async def rotate(s: Scene) -> Call:
        path, feed = await make(s)
        return Call("POST", f"{path}/{feed['id']}/rotate", "rotate", "feed", feed["id"])

    @recipe(f"DELETE /api/v1/{owner}/{{id}}/feeds/{{feed_id}}")
    async def revoke(s: Scene) -> Call:
        path, feed = await make(s)
        return Call("DELETE", f"{path}/{feed['id']}", "revoke", "feed", feed["id"], status=204)


_feed_writes("teams", _team_feed)
_feed_writes("people", _person_feed)


# Deliveries and tokens


@recipe("POST /api/v1/deliveries/{id}/replay")
async def replay_delivery(s: Scene) -> Call:
    delivery = await s.failed_delivery()
    return Call("POST", f"/api/v1/deliveries/{delivery}/replay", "replay", "delivery", delivery)


@recipe("POST /api/v1/tokens")
async def create_token(s: Scene) -> Call:
    body = {"name": "城市平台", "role": "viewer"}
    return Call("POST", "/api/v1/tokens", "create", "token", json=body, status=201)


@recipe("POST /api/v1/tokens/{id}/revoke")
async def revoke_token(s: Scene) -> Call:
    token = await s.token()
    return Call("POST", f"/api/v1/tokens/{token['id']}/revoke", "revoke", "token", token["id"])
