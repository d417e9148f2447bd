"""A campaign planned by a real planning worker: enqueued by the API, then done."""

from __future__ import annotations

from tests.campaigns.test_campaigns_api import body, seed
from tests.workers.conftest import eventually


async def test_a_worker_plans_a_campaign_enqueued_through_the_api(
    committed_api, committed_database, workers
):
    ids = await seed(committed_database)
    campaign = await committed_api.ok("POST", "/api/v1/campaigns", 201, json=body(ids))
    workers.start("workers.planner.PlannerSettings")
    started = await committed_api.ok("POST", f"/api/v1/campaigns/{campaign['id']}/plan", 202)
    assert started["status"] in ("queued", "planning")

    async def planned() -> bool:
        current = await committed_api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
        return current["status"] == "planned"

    await eventually(planned, timeout=120, what="the worker to finish planning")
    done = await committed_api.ok("GET", f"/api/v1/campaigns/{campaign['id']}")
    assert done["metrics"]["covered"] == 6
    page = await committed_api.ok("GET", f"/api/v1/campaigns/{campaign['id']}/items?limit=200")
    assert len(page["items"]) == 6
