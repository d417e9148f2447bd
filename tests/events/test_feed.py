"""The event feed follows commit order: a consumer that resumes misses nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from coordinator.events.models import OutboxEvent
from coordinator.events.service import record_event


async def read_all(api, after=None, types=None):  # type: ignore[no-untyped-def]
    query = []
    if after:
        query.append(f"after={after}")
    if types:
        query.append(f"types={types}")
    page = await api.ok("GET", "/api/v1/events?" + "&".join(query))
    return page


async def test_registry_writes_are_events_in_the_feed(committed_api):
    area = await committed_api.ok(
        "POST", "/api/v1/areas", 201, json={"name": "华山居民区", "kind": "residential"}
    )
    await committed_api.ok("PATCH", f"/api/v1/areas/{area['id']}", json={"name": "华山二居民区"})
    await committed_api.ok("DELETE", f"/api/v1/areas/{area['id']}", 204)
    page = await read_all(committed_api)
    assert [e["type"] for e in page["items"]] == ["area.created", "area.updated", "area.deleted"]
    assert all(e["subject_id"] == area["id"] for e in page["items"])
    assert page["items"][1]["data"]["changed"] == ["name"]
    assert page["items"][1]["data"]["name"] == "华山二居民区"
    again = await read_all(committed_api, after=page["next_cursor"])
    assert again["items"] == []
    assert again["next_cursor"] == page["next_cursor"]


async def test_failed_request_writes_no_event(committed_api, committed_database):
    response = await committed_api.post("/api/v1/areas", json={"name": "x", "kind": "bad"})
    assert response.status == 422
    async with committed_database.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_an_event_committed_late_is_not_skipped(committed_api, committed_database):
    """Transaction A takes its place first but commits after B: a consumer that read
    while A was open must still get A's event afterwards."""
    async with committed_database.sessionmaker() as slow:
        await slow.begin()
        record_event(slow, "area.created", data={"name": "A"})
        await slow.flush()  # A now holds an older transaction id

        await committed_api.ok("POST", "/api/v1/areas", 201, json={"name": "B", "kind": "block"})
        while_open = await read_all(committed_api)
        # B is held back while an older transaction could still add events before it.
        assert while_open["items"] == []
        await slow.commit()

    after = await read_all(committed_api, after=while_open["next_cursor"])
    assert [e["data"]["name"] for e in after["items"]] == ["A", "B"]


async def test_types_filter_and_pagination(committed_api):
    for i in range(5):
        await committed_api.ok(
            "POST", "/api/v1/areas", 201, json={"name": f"片区{i}", "kind": "block"}
        )
    seen = []
    cursor = None
    while True:
        query = "types=area.created&limit=2" + (f"&after={cursor}" if cursor else "")
        page = await committed_api.ok("GET", f"/api/v1/events?{query}")
        if not page["items"]:
            break
        seen += [e["data"]["name"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [f"片区{i}" for i in range(5)]


async def test_unknown_type_and_bad_cursor_are_422(api):
    response = await api.get("/api/v1/events?types=area.exploded")
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "types"
    response = await api.get("/api/v1/events?after=%%%")
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "after"


async def test_feed_needs_a_coordinator_and_hides_capability_links(
    committed_api, committed_database
):
    from coordinator.auth.models import Role

    async with committed_database.sessionmaker.begin() as session:
        record_event(
            session, "area.created", data={"name": "带链接", "link": "https://fumin.test/v/secret"}
        )
    assert (await committed_api.get("/api/v1/events", role=Role.viewer)).status == 403
    page = await committed_api.ok("GET", "/api/v1/events", role=Role.coordinator)
    [event] = page["items"]
    assert event["data"] == {"name": "带链接"}
