"""An area's survey settings through the API: times of day as HH:MM in the subdistrict's
zone (an offset or seconds refused naming the field, never a 500), the defaults while
none are set, and a 404 for an area that is not a residential one."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from coordinator.audit.models import AuditEntry
from tests.housing.places.conftest import make_place


async def test_survey_times_are_hh_mm_and_the_area_must_be_residential(api):
    place = await make_place(api)
    path = f"/api/v1/areas/{place.area_id}/survey"
    defaults = await api.ok("GET", path)
    assert (defaults["rounds_from"], defaults["rounds_until"]) == ("07:00", "21:00")
    assert defaults["created_at"] is None

    for wrong in ("14:41:28.3-02:36", "7:00", "24:00", "06:30:00", 25200):
        problem = await api.ok("PUT", path, 422, json={"rounds_until": wrong})
        assert [e["field"] for e in problem["errors"]] == ["rounds_until"], wrong
    problem = await api.ok("PUT", path, 422, json={"rounds_from": "22:00"})
    assert [e["field"] for e in problem["errors"]] == ["rounds_until"]

    saved = await api.ok("PUT", path, json={"rounds_from": "06:30", "max_gap_minutes": 240})
    assert (saved["rounds_from"], saved["rounds_until"], saved["max_gap_minutes"]) == (
        "06:30",
        "21:00",
        240,
    )
    assert (await api.ok("GET", path))["rounds_from"] == "06:30"

    offices = await api.ok("POST", "/api/v1/areas", 201, json={"name": "商务片区", "kind": "block"})
    for area_id in (offices["id"], str(uuid.uuid4())):
        assert (await api.ok("GET", f"/api/v1/areas/{area_id}/survey", 404))["status"] == 404
        await api.ok("PUT", f"/api/v1/areas/{area_id}/survey", 404, json={})


async def test_an_areas_first_settings_put_at_once_are_each_set_never_a_409(
    committed_api, committed_database
):
    """PUT is idempotent: the first settings of an area sent twice at once (a retry, two
    tabs) are both answered 200, one after the other, with one row and audit rows."""
    api = committed_api
    place = await make_place(api)
    path = f"/api/v1/areas/{place.area_id}/survey"
    bodies = [{"stale_days": 10 + i} for i in range(8)]
    answers = await asyncio.gather(*(api.request("PUT", path, json=b) for b in bodies))
    assert [a.status for a in answers] == [200] * len(bodies)
    assert (await api.ok("GET", path))["stale_days"] in {b["stale_days"] for b in bodies}
    async with committed_database.session() as session:
        audited = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "area_survey")
        )
        actions = sorted(audited.all())
    assert actions == ["create"] + ["update"] * (len(bodies) - 1)
