"""Two departments finishing the last two tasks at the same moment: both are recorded, and
exactly one of them is seen as the last (all_done), never none and never both; two
sign-offs at once resolve the case once."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from coordinator.auth.service import SYSTEM
from coordinator.cases.followup.service import resolve_case
from coordinator.cases.models import CaseStatus
from coordinator.cases.states import CaseStateConflict
from coordinator.cases.tasks.service import complete_task
from coordinator.events.models import OutboxEvent
from tests.cases.conftest import make_world


async def finish(database, case_id: str, task_id: str) -> None:  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        await complete_task(
            session=session,
            actor=SYSTEM,
            case_id=uuid.UUID(case_id),
            task_id=uuid.UUID(task_id),
            note="同时完成",
        )


async def sign_off(database, case_id: str) -> str:  # type: ignore[no-untyped-def]
    try:
        async with database.sessionmaker.begin() as session:
            resolved = await resolve_case(
                session=session, actor=SYSTEM, case_id=uuid.UUID(case_id), resolution="已整改"
            )
            return resolved.status.value
    except CaseStateConflict as refused:
        return f"refused {refused.extra['current']}"


async def test_the_last_two_tasks_finished_at_once_make_one_last(committed_api, committed_database):
    api, database = committed_api, committed_database
    world = await make_world(database)
    for _ in range(3):  # a few rounds: the race has more than one way to go
        case = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
        path = f"/api/v1/cases/{case['id']}"
        await api.ok("POST", f"{path}/accept")
        for task in case["tasks"]:
            await api.ok("POST", f"{path}/tasks/{task['id']}/accept", json={})
        first, second, *last_two = case["tasks"]
        for task in (first, second):
            await api.ok("POST", f"{path}/tasks/{task['id']}/done", json={"note": "已处理"})

        await asyncio.gather(*(finish(database, case["id"], t["id"]) for t in last_two))
        async with database.session() as session:
            done = (
                await session.scalars(
                    select(OutboxEvent).where(
                        OutboxEvent.subject_id == uuid.UUID(case["id"]),
                        OutboxEvent.type == "task.done",
                    )
                )
            ).all()
        assert len(done) == 4
        assert sorted(e.data["all_done"] for e in done) == [False, False, False, True]

        outcomes = await asyncio.gather(*(sign_off(database, case["id"]) for _ in range(2)))
        assert sorted(outcomes) == ["refused resolved", CaseStatus.resolved.value]
        async with database.session() as session:
            resolutions = (
                await session.scalars(
                    select(OutboxEvent.id).where(
                        OutboxEvent.subject_id == uuid.UUID(case["id"]),
                        OutboxEvent.type == "case.resolved",
                    )
                )
            ).all()
        assert len(resolutions) == 1
