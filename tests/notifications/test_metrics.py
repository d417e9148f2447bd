from coordinator.platform import keys


async def test_metrics_count_events_and_deliveries(committed_api):
    await committed_api.ok("POST", "/api/v1/areas", 201, json={"name": "片区", "kind": "block"})
    response = await committed_api.client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert 'fumin_events{stage="written"} 1.0' in text
    assert 'fumin_events{stage="handled"} 0.0' in text
    assert "fumin_relay_lag_seconds" in text
    # Other tests may leave jobs in the shared Redis: compare with what is really queued.
    queued = await committed_api.client.app[keys.ARQ].zcard("arq:queue")
    assert f"fumin_queue_depth {float(queued)}" in text
