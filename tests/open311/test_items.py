"""The requests as PostgreSQL keeps them rendered (open311_items): every write to what a
request shows is in the next fresh read, whichever table it was written to."""

from __future__ import annotations

from sqlalchemy import func, select, text, update

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case, CaseSource, CaseStatus
from coordinator.departments.models import Department
from coordinator.open311.items import render_function
from coordinator.open311.models import Open311Item, Open311Request
from coordinator.registry.models import Building
from tests.open311.conftest import Town
from tests.open311.test_read import get_json

FRESH = {"Cache-Control": "no-cache"}


async def by_number(api, town: Town, name: str, query: str = ""):  # type: ignore[no-untyped-def]
    found = await get_json(api, f"/requests/{town.number(name)}.json{query}", headers=FRESH)
    assert len(found) == 1
    return found[0]


async def write(database, statement) -> None:  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        await session.execute(statement)


async def test_every_case_is_rendered_by_the_functions_the_code_writes(database, town: Town):
    async with database.session() as session:
        cases = await session.scalar(select(func.count()).select_from(Case))
        items = await session.scalar(select(func.count()).select_from(Open311Item))
        digest = await session.scalar(
            text("SELECT obj_description(to_regprocedure('open311_render(uuid[])'), 'pg_proc')")
        )
    assert cases == items and cases >= len(town.cases)
    assert digest is not None and len(digest) == 64
    assert "已并入案件" in render_function() and "Merged into request" in render_function()


async def test_a_case_written_is_read_as_written(api, database, town: Town):
    case = town.cases["master"]
    await write(
        database,
        update(Case)
        .where(Case.id == case.id)
        .values(status=CaseStatus.resolved, resolution="隔断已拆除", description="已整改"),
    )
    item = await by_number(api, town, "master")
    assert (item["status"], item["status_notes"], item["description"]) == (
        "closed",
        "隔断已拆除",
        "已整改",
    )


async def test_what_a_request_shows_of_other_tables_follows_them(api, database, town: Town):
    await write(
        database,
        update(CaseCategory).where(CaseCategory.id == town.rental.id).values(name="群租整治专项"),
    )
    await write(
        database,
        update(Department).where(Department.id == town.housing.id).values(name="南京西路房办"),
    )
    await write(
        database,
        update(Building).where(Building.id == town.building.id).values(address="南京西路1001号"),
    )
    master = await by_number(api, town, "master")
    assert master["service_name"] == "群租整治专项"
    assert master["agency_responsible"] == "南京西路房办"
    assert master["address"] == "南京西路1001号"
    english = await by_number(api, town, "master", "?lang=en")
    assert english["service_name"] == "Group rentals"  # its English name did not change


async def test_a_category_made_internal_leaves_the_public_list(api, database, town: Town):
    listed = await get_json(api, "/requests.json", headers=FRESH)
    assert town.number("master") in {r["service_request_id"] for r in listed}
    await write(
        database, update(CaseCategory).where(CaseCategory.id == town.rental.id).values(public=False)
    )
    listed = await get_json(api, "/requests.json", headers=FRESH)
    numbers = {r["service_request_id"] for r in listed}
    assert town.number("master") not in numbers and town.number("new") in numbers


async def test_what_the_client_sent_is_in_the_extended_attributes(api, database, town: Town):
    case = town.cases["new"]
    async with database.sessionmaker.begin() as session:
        key_id = await session.scalar(text("SELECT id FROM open311_keys LIMIT 1"))
        session.add(
            Open311Request(
                case_id=case.id,
                key_id=key_id,
                media_url="https://example.org/a.jpg",
                attributes=[{"code": "floor", "value": "12"}],
            )
        )
    item = await by_number(api, town, "new", "?extensions=true")
    assert item["media_url"] == "https://example.org/a.jpg"
    assert item["extended_attributes"]["attributes"] == [{"code": "floor", "value": "12"}]
    assert item["extended_attributes"]["detailed_status_name"] == "新建"


async def test_what_the_survey_finds_stays_off_the_public_feed(api, database, town: Town):
    await write(
        database,
        update(Case).where(Case.id == town.cases["master"].id).values(source=CaseSource.survey),
    )
    listed = await get_json(api, "/requests.json", headers=FRESH)
    numbers = {r["service_request_id"] for r in listed}
    assert town.number("master") not in numbers and town.number("new") in numbers
    path = f"/requests/{town.number('master')}.json"
    response = await api.get(f"/open311/v2{path}", role=None, headers=FRESH)
    assert response.status == 404
