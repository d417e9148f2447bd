"""Results from the walk list: taken once by the id the phone made, a result about a
dwelling someone else changed meanwhile kept flagged, nobody-home visits counted with the
area lead told once, refusals as problems naming the field."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from coordinator.events.models import OutboxEvent
from coordinator.features import rule_book
from coordinator.housing.dwellings.states import lock_dwelling, set_state
from coordinator.housing.models import (
    AreaSurvey,
    Dwelling,
    DwellingState,
    DwellingStateChange,
    StateSource,
)
from coordinator.housing.surveys.models import SurveyResult, SurveyRevisit
from coordinator.platform import keys
from tests.housing.surveys.conftest import make_estate, start_campaign
from tests.housing.surveys.helpers import csrf_of, result, send


async def _events(database, type_: str, dwelling_id: uuid.UUID) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type == type_, OutboxEvent.subject_id == dwelling_id)
            .order_by(OutboxEvent.seq)
        )
        return list(rows)


async def test_a_result_sent_twice_is_stored_once(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    dwelling_id = estate.dwellings[0]
    body = result(campaign, dwelling_id, "changed", state="rented_shared", occupants=3)

    first = await send(api.client, estate, csrf, body, 201)
    again = await send(api.client, estate, csrf, body, 200)

    assert again == first
    assert first["applied"] is True and first["conflict"] is False
    assert first["version_after"] == 2 and first["change_id"] is not None
    async with database.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(SurveyResult).where(SurveyResult.id == body["id"])
        )
        dwelling = await session.get(Dwelling, dwelling_id)
        history = (
            await session.scalars(
                select(DwellingStateChange).where(DwellingStateChange.dwelling_id == dwelling_id)
            )
        ).all()
    assert count == 1
    assert dwelling is not None and dwelling.state == DwellingState.rented_shared
    assert dwelling.version == 2 and dwelling.occupants == 3 and dwelling.surveyed_at is not None
    assert [(h.state, str(h.result_id), h.source) for h in history] == [
        (DwellingState.rented_shared, body["id"], StateSource.survey)
    ]
    recorded = await _events(database, "survey.result_recorded", dwelling_id)
    assert len(recorded) == 1 and recorded[0].data["code"] == "changed"
    assert "note" not in recorded[0].data
    assert len(await _events(database, "dwelling.state_changed", dwelling_id)) == 1


async def test_a_result_about_a_dwelling_changed_meanwhile_is_flagged_not_lost(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    dwelling_id = estate.dwellings[1]
    async with (
        database.sessionmaker.begin() as session
    ):  # a coordinator, while the phone is offline
        dwelling = await lock_dwelling(session, dwelling_id)
        await set_state(
            session, dwelling, DwellingState.vacant, source=StateSource.coordinator, actor="居委"
        )
    body = result(campaign, dwelling_id, "changed", state="suspected_group_rental", base_version=1)

    answer = await send(api.client, estate, csrf, body, 201)

    assert answer["conflict"] is True and answer["applied"] is False
    async with database.session() as session:
        dwelling = await session.get(Dwelling, dwelling_id)
        flagged = await session.get(DwellingStateChange, answer["change_id"])
    assert dwelling is not None and dwelling.state == DwellingState.vacant and dwelling.version == 2
    assert flagged is not None and flagged.conflict and not flagged.applied
    assert flagged.state == DwellingState.suspected_group_rental
    assert str(flagged.result_id) == body["id"]
    assert len(await _events(database, "dwelling.conflict_flagged", dwelling_id)) == 1
    # Sent again, it is the same flagged result, not a second one.
    assert await send(api.client, estate, csrf, body, 200) == answer


async def test_nobody_home_three_times_tells_the_area_lead_once(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    dwelling_id = estate.dwellings[2]
    attempts = []
    for _ in range(4):
        body = result(campaign, dwelling_id, "nobody_home")
        attempts.append((await send(api.client, estate, csrf, body, 201))["attempts"])
        await send(api.client, estate, csrf, body, 200)  # a repeat counts nothing
    assert attempts == [1, 2, 3, 4]

    [escalated] = await _events(database, "survey.revisit_escalated", dwelling_id)
    assert escalated.data["attempts"] == 3 and escalated.data["lead_id"] == str(estate.lead_id)
    async with database.session() as session:
        revisit = await session.get(SurveyRevisit, (uuid.UUID(campaign["id"]), dwelling_id))
        assert revisit is not None and revisit.attempts == 4 and revisit.lead_told_at is not None
        [rule] = rule_book()["survey.revisit_escalated"]
        [mail] = await rule(session, escalated, api.client.app[keys.SETTINGS])
    assert mail.recipient == estate.lead_email
    assert "无人在家" in mail.context["headline"]

    # Someone answers at last: off the revisit list.
    await send(
        api.client, estate, csrf, result(campaign, dwelling_id, "confirmed", state="rented_whole")
    )
    async with database.session() as session:
        revisit = await session.get(SurveyRevisit, (uuid.UUID(campaign["id"]), dwelling_id))
        assert revisit is not None and revisit.cleared_at is not None


async def test_an_area_with_no_lead_tells_its_lead_once_there_is_one(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    dwelling_id = estate.dwellings[2]
    key = (uuid.UUID(campaign["id"]), dwelling_id)

    async def lead(lead_id: uuid.UUID | None) -> None:
        async with database.sessionmaker.begin() as session:
            await session.execute(
                update(AreaSurvey)
                .where(AreaSurvey.area_id == estate.area_id)
                .values(lead_id=lead_id)
            )

    await lead(None)
    for _ in range(4):
        await send(api.client, estate, csrf, result(campaign, dwelling_id, "nobody_home"), 201)
    assert await _events(database, "survey.revisit_escalated", dwelling_id) == []
    async with database.session() as session:
        revisit = await session.get(SurveyRevisit, key)
        assert revisit is not None and revisit.attempts == 4 and revisit.lead_told_at is None

    await lead(estate.lead_id)  # a lead at last: told at the next attempt, and only then
    for _ in range(2):
        await send(api.client, estate, csrf, result(campaign, dwelling_id, "nobody_home"), 201)
    [escalated] = await _events(database, "survey.revisit_escalated", dwelling_id)
    assert escalated.data["attempts"] == 5 and escalated.data["lead_id"] == str(estate.lead_id)


async def test_refusals_name_what_is_wrong(api, database):
    estate = await make_estate(database)
    campaign = await start_campaign(api, estate)
    csrf = await csrf_of(api.client, estate)
    mine = estate.dwellings[0]

    problem = await send(api.client, estate, csrf, result(campaign, mine, "changed"), 422)
    assert [e["field"] for e in problem["errors"]] == ["state"]
    problem = await send(
        api.client, estate, csrf, result(campaign, estate.other_dwelling, "nobody_home"), 403
    )
    assert problem["status"] == 403
    other = await api.ok(
        "POST",
        "/api/v1/areas",
        201,
        json={"name": f"别的居民区-{estate.suffix}", "kind": "residential"},
    )
    elsewhere = await api.ok(
        "POST",
        "/api/v1/survey-campaigns",
        201,
        json={
            **{k: campaign[k] for k in ("name", "starts_on", "ends_on")},
            "area_ids": [other["id"]],
        },
    )
    problem = await send(api.client, estate, csrf, result(elsewhere, mine, "nobody_home"), 422)
    assert [e["field"] for e in problem["errors"]] == ["campaign_id"]
    problem = await send(api.client, estate, csrf, result(campaign, uuid.uuid4(), "refused"), 422)
    assert [e["field"] for e in problem["errors"]] == ["dwelling_id"]

    body = result(campaign, mine, "refused")
    await send(api.client, estate, csrf, body, 201)
    reused = {**body, "dwelling_id": str(estate.dwellings[1])}
    assert (await send(api.client, estate, csrf, reused, 409))["status"] == 409

    fresh = result(campaign, mine, "refused")
    response = await api.client.post(f"{estate.walk}/results", json=fresh)
    assert response.status == 403  # no CSRF token
    response = await api.client.post(
        "/b/not-a-token/walk/results", json=fresh, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    response = await api.client.post(
        f"{estate.walk}/results",
        data="code=refused",
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 415
