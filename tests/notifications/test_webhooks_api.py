from coordinator.auth.models import Role


async def test_subscribe_shows_secret_once_and_lists_without_it(api):
    created = await api.ok(
        "POST",
        "/api/v1/webhooks",
        201,
        json={
            "url": "https://ops.example/hooks",
            "event_types": ["visit.confirmed", "area.created"],
        },
    )
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["area.created", "visit.confirmed"]
    listed = await api.ok("GET", "/api/v1/webhooks")
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    read = await api.ok("GET", f"/api/v1/webhooks/{created['id']}")
    assert "secret" not in read


async def test_unknown_event_type_and_bad_url_are_422(api):
    response = await api.post(
        "/api/v1/webhooks", json={"url": "ftp://x.example/a", "event_types": ["area.exploded"]}
    )
    assert response.status == 422
    fields = sorted(e["field"] for e in (await response.json())["errors"])
    assert fields == ["event_types", "url"]
    assert (await api.ok("GET", "/api/v1/webhooks"))["total"] == 0


async def test_pause_and_delete(api):
    created = await api.ok(
        "POST",
        "/api/v1/webhooks",
        201,
        json={"url": "https://ops.example/hooks", "event_types": ["*"]},
    )
    paused = await api.ok("PATCH", f"/api/v1/webhooks/{created['id']}", json={"active": False})
    assert paused["active"] is False
    assert (await api.ok("GET", "/api/v1/webhooks?active=false"))["total"] == 1
    await api.ok("DELETE", f"/api/v1/webhooks/{created['id']}", 204)
    assert (await api.get(f"/api/v1/webhooks/{created['id']}")).status == 404


async def test_only_admins_subscribe_and_coordinators_read(api):
    body = {"url": "https://ops.example/hooks", "event_types": ["*"]}
    assert (await api.post("/api/v1/webhooks", role=Role.coordinator, json=body)).status == 403
    assert (await api.get("/api/v1/webhooks", role=Role.viewer)).status == 403
    assert (await api.get("/api/v1/webhooks", role=Role.coordinator)).status == 200
    assert (await api.get("/api/v1/deliveries?status=failed", role=Role.viewer)).status == 403


async def test_delivery_log_of_an_unknown_subscription_is_404(api):
    response = await api.get("/api/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries")
    assert response.status == 404


async def test_replay_of_unknown_delivery_is_404(api):
    response = await api.post("/api/v1/deliveries/00000000-0000-0000-0000-000000000000/replay")
    assert response.status == 404
