"""No double booking under concurrency: the database decides."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from sqlalchemy import func, select

from coordinator.visits.models import Visit
from tests.visits.conftest import at, make_world


async def test_fifty_concurrent_overlapping_proposals_one_accepted(
    committed_api, committed_database
):
    world = await make_world(committed_database)
    bodies = [
        {
            "company_id": world.company_id,
            "contact_id": world.contact_id,
            "liaison_id": world.liaison_id,
            # All overlap 10:00-11:00 two days ahead, each shifted by a minute.
            "starts_at": at(48, minutes=i % 30),
            "ends_at": at(49, minutes=i % 30),
            "purpose": f"走访 {i}",
        }
        for i in range(50)
    ]
    responses = await asyncio.gather(
        *(committed_api.post("/api/v1/visits", json=body) for body in bodies)
    )
    statuses = Counter(r.status for r in responses)
    assert statuses == {201: 1, 409: 49}
    for response in responses:
        if response.status == 409:
            problem = await response.json()
            assert problem["type"].endswith("/double-booked")
    async with committed_database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Visit)
            .where(Visit.liaison_id == uuid.UUID(world.liaison_id))
        )
    assert count == 1
