"""A duplicate merged into its master: its live tasks dropped, one event naming both, both
reporters told; from then on the master's progress reaches every reporter, also after the
master is merged in turn."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from coordinator.cases.merging.service import reporters_of
from coordinator.cases.models import Case
from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.notifications.rules import plan
from coordinator.people.models import Person
from tests.cases.conftest import World, events_of, problem


async def _reporter(database, name: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    email = f"{uuid.uuid4().hex[:8]}@example.test"
    async with database.sessionmaker.begin() as session:
        person = Person(id=uuid.uuid4(), name=name, email=email, preferred_language="en")
        session.add(person)
    return str(person.id), email


async def _told(database, settings, event: OutboxEvent) -> set[str]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        planned = await plan(session, event, rule_book(), settings)
    return {p.recipient for p in planned}


async def test_a_merge_tells_both_reporters_and_later_news_reaches_them_all(
    api, database, settings, world: World
):
    master = await api.ok("POST", "/api/v1/cases", 201, json=world.case())
    person_id, person_email = await _reporter(database, "Li Lei")
    duplicate = await api.ok(
        "POST",
        "/api/v1/cases",
        201,
        json=world.case(reporter_contact_id=None, reporter_person_id=person_id),
    )
    citizen = await api.ok(
        "POST",
        "/api/v1/cases",
        201,
        json=world.case(
            reporter_contact_id=None, reporter_name="王先生", reporter_email="wang@example.test"
        ),
    )
    nearby = await api.ok("GET", f"/api/v1/cases/open-nearby?building_id={world.building_id}")
    assert {c["id"] for c in nearby["items"]} >= {master["id"], duplicate["id"], citizen["id"]}

    merged = await api.ok(
        "POST", f"/api/v1/cases/{duplicate['id']}/merge", json={"master_id": master["id"]}
    )
    assert merged["status"] == "merged" and merged["merged_into_id"] == master["id"]
    assert {t["status"] for t in merged["tasks"]} == {"dropped"}
    event = (await events_of(database, duplicate["id"]))[-1]
    assert event.type == "case.merged"
    assert event.data["case_id"] == duplicate["id"] and event.data["master_id"] == master["id"]
    assert event.data["master_number"] == master["number"]
    assert await _told(database, settings, event) == {world.contact_email, person_email}
    english = await _planned_language(database, settings, event, person_email)
    assert english == "en"

    # Merged cases are no longer open; nothing merges into a merged case, nor into itself.
    nearby = await api.ok("GET", f"/api/v1/cases/open-nearby?building_id={world.building_id}")
    assert duplicate["id"] not in {c["id"] for c in nearby["items"]}
    into_merged = await problem(
        await api.post(f"/api/v1/cases/{citizen['id']}/merge", json={"master_id": duplicate["id"]}),
        409,
    )
    assert into_merged["current"] == "merged"
    itself = await problem(
        await api.post(f"/api/v1/cases/{citizen['id']}/merge", json={"master_id": citizen["id"]}),
        422,
    )
    assert [e["field"] for e in itself["errors"]] == ["master_id"]

    # The master's progress reaches the duplicate's reporter too.
    await api.ok("POST", f"/api/v1/cases/{master['id']}/accept")
    accepted = (await events_of(database, master["id"]))[-1]
    assert accepted.type == "case.accepted"
    assert await _told(database, settings, accepted) == {world.contact_email, person_email}

    # The master merged in turn: the duplicate follows it to the new master.
    await api.ok("POST", f"/api/v1/cases/{master['id']}/merge", json={"master_id": citizen["id"]})
    async with database.session() as session:
        moved = await session.scalar(select(Case).where(Case.id == uuid.UUID(duplicate["id"])))
        assert moved is not None and str(moved.merged_into_id) == citizen["id"]
        top = await session.get(Case, uuid.UUID(citizen["id"]))
        assert top is not None
        emails = {r.email for r in await reporters_of(session, top)}
    assert emails == {"wang@example.test", world.contact_email, person_email}
    await api.ok("POST", f"/api/v1/cases/{citizen['id']}/accept")
    news = (await events_of(database, citizen["id"]))[-1]
    assert await _told(database, settings, news) == emails


async def _planned_language(database, settings, event, recipient: str) -> str:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        planned = await plan(session, event, rule_book(), settings)
    return next(p.language for p in planned if p.recipient == recipient)
