"""Shared steps of visit tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from coordinator.events.models import OutboxEvent
from tests.visits.conftest import World, proposal

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def propose(api, database, world: World, **kwargs) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """Propose a visit; return it and the path of its link (/v/<token>)."""
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world, **kwargs))
    async with database.session() as session:
        event = await session.scalar(
            select(OutboxEvent)
            .where(
                OutboxEvent.subject_id == visit["id"],
                OutboxEvent.type.in_(["visit.proposed", "visit.rescheduled"]),
            )
            .order_by(OutboxEvent.seq.desc())
            .limit(1)
        )
    assert event is not None
    return visit, event.data["link"].removeprefix("http://fumin.test")


async def csrf_of(client, path: str) -> str:  # type: ignore[no-untyped-def]
    page = await client.get(path)
    match = CSRF.search(await page.text())
    assert match, "no form on the page"
    return match.group(1)


async def answer(client, path: str, action: str, **fields: str):  # type: ignore[no-untyped-def]
    csrf = await csrf_of(client, path)
    return await client.post(
        f"{path}/{action}", data={"csrf": csrf, **fields}, allow_redirects=False
    )


async def held(database, visit_id: str) -> None:  # type: ignore[no-untyped-def]
    """Move a visit a week back, as if its time had come and gone (an outcome is only
    recorded once a visit has started)."""
    from datetime import timedelta

    from sqlalchemy import update

    from coordinator.visits.models import Visit

    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Visit)
            .where(Visit.id == visit_id)
            .values(
                starts_at=Visit.starts_at - timedelta(days=7),
                ends_at=Visit.ends_at - timedelta(days=7),
            )
        )
