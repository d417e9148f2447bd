"""A result from a block leader's walk list, taken in once whatever happens on the way: the
phone made its id, and a result sent again (the answer lost in a stairwell) is answered
as the first time, stored once. It changes the dwelling only through `states.set_state`
with the version the phone showed, so a result about a dwelling someone else changed
meanwhile is kept in its history flagged as a conflict, not applied and not lost.
Nobody home puts the dwelling on the campaign's revisit list; after the set number of
attempts the area's lead is told, once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.housing.dwellings.states import lock_dwelling, set_state
from coordinator.housing.models import (
    AreaSurvey,
    BlockPerson,
    BlockUnit,
    Dwelling,
    DwellingState,
    StateSource,
)
from coordinator.housing.surveys import events
from coordinator.housing.surveys.models import (
    COVERING,
    ResultCode,
    SurveyCampaign,
    SurveyCampaignArea,
    SurveyResult,
    SurveyRevisit,
)
from coordinator.housing.surveys.schemas import ResultIn, ResultOut
from coordinator.labels import label
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, Forbidden, NotFound, invalid_field

_NEEDS_STATE = Text("请选择房屋现状", "Say what state the dwelling is in")
_NOT_YOURS = Text("该房屋不在您负责的块内", "This dwelling is not in a block of yours")
_NOT_IN_CAMPAIGN = Text("该房屋不在此次排摸范围内", "This dwelling is not in the campaign's areas")
_REUSED = Text("此结果编号已用于另一条结果", "This result id was already used for another result")


@dataclass(frozen=True)
class Taken:
    """The result as stored, and whether this request stored it (False: sent again)."""

    out: ResultOut
    created: bool


def _out(result: SurveyResult) -> ResultOut:
    return ResultOut.model_validate(result)


async def _block_of(session: AsyncSession, dwelling: Dwelling) -> uuid.UUID:
    block_id = await session.scalar(
        select(BlockUnit.block_id).where(
            BlockUnit.building_id == dwelling.building_id, BlockUnit.unit == dwelling.unit
        )
    )
    assert block_id is not None  # the dwelling's (building, unit) is a block unit by FK
    return block_id


async def _was_on_block(
    session: AsyncSession, person_id: uuid.UUID, block_id: uuid.UUID, moment: datetime
) -> bool:
    """The person led or deputised the block when the result was made (a result made
    offline before a reassignment still counts)."""
    found = await session.scalar(
        select(
            exists().where(
                BlockPerson.block_id == block_id,
                BlockPerson.person_id == person_id,
                or_(BlockPerson.until.is_(None), BlockPerson.until >= moment),
            )
        )
    )
    return bool(found)


async def _check_campaign(
    session: AsyncSession, campaign_id: uuid.UUID, area_id: uuid.UUID
) -> None:
    if await session.get(SurveyCampaign, campaign_id) is None:
        raise invalid_field("campaign_id", Text("排摸行动不存在", "no such survey campaign"))
    covered = await session.get(SurveyCampaignArea, (campaign_id, area_id))
    if covered is None:
        raise invalid_field("campaign_id", _NOT_IN_CAMPAIGN)


def _state_of(data: ResultIn) -> DwellingState | None:
    """The state the result says the dwelling is in (None: it says nothing of it)."""
    if data.code in (ResultCode.confirmed, ResultCode.changed):
        if data.state is None:
            raise invalid_field("state", _NEEDS_STATE)
        return data.state
    if data.code == ResultCode.moved_out:
        return data.state or DwellingState.vacant
    return None


async def _count_visit(
    session: AsyncSession, result: SurveyResult, now: datetime
) -> tuple[int, bool]:
    """Attempts with nobody home so far, and whether this one is the first to reach the
    limit with the lead not yet told (the caller tells, and it is marked told)."""
    values = insert(SurveyRevisit).values(
        campaign_id=result.campaign_id,
        dwelling_id=result.dwelling_id,
        attempts=1,
        last_attempt_at=result.recorded_at,
    )
    stmt = values.on_conflict_do_update(
        index_elements=[SurveyRevisit.campaign_id, SurveyRevisit.dwelling_id],
        set_={
            "attempts": SurveyRevisit.attempts + 1,
            "last_attempt_at": values.excluded.last_attempt_at,
            "cleared_at": None,
        },
    ).returning(SurveyRevisit.attempts, SurveyRevisit.lead_told_at)
    attempts, told = (await session.execute(stmt)).one()
    return attempts, told is None


async def _clear_revisit(session: AsyncSession, result: SurveyResult, now: datetime) -> int:
    """A covering result takes the dwelling off the revisit list; the attempts so far."""
    found = await session.get(SurveyRevisit, (result.campaign_id, result.dwelling_id))
    if found is None:
        return 0
    if found.cleared_at is None:
        found.cleared_at = now
    return found.attempts


async def take_result(
    session: AsyncSession,
    *,
    actor: Principal,
    person_id: uuid.UUID,
    data: ResultIn,
    now: datetime,
    alert_after: int,
) -> Taken:
    """Store a result once and apply it to its dwelling (in the caller's transaction)."""
    try:
        dwelling = await lock_dwelling(session, data.dwelling_id)
    except NotFound:
        raise invalid_field("dwelling_id", Text("房屋不存在", "no such dwelling")) from None
    # Under the dwelling's lock: the same result sent twice at once is seen here the
    # second time, never inserted twice.
    stored = await session.get(SurveyResult, data.id, populate_existing=True)
    if stored is not None:
        if stored.dwelling_id != data.dwelling_id or stored.person_id != person_id:
            raise Conflict(_REUSED)
        return Taken(_out(stored), created=False)
    block_id = await _block_of(session, dwelling)
    recorded_at = min(data.recorded_at, now)
    if not await _was_on_block(session, person_id, block_id, recorded_at):
        raise Forbidden(_NOT_YOURS)
    await _check_campaign(session, data.campaign_id, dwelling.area_id)
    state = _state_of(data)
    result = SurveyResult(
        id=data.id,
        campaign_id=data.campaign_id,
        dwelling_id=dwelling.id,
        block_id=block_id,
        person_id=person_id,
        code=data.code,
        state=state,
        occupants=data.occupants,
        note=data.note or None,
        base_version=data.base_version,
        recorded_at=recorded_at,
        received_at=now,
        applied=False,
        conflict=False,
        version_after=dwelling.version,
        attempts=0,
    )
    if state is not None:
        taken = await set_state(
            session,
            dwelling,
            state,
            source=StateSource.survey,
            actor=actor.name,
            evidence=f"排摸：{label(data.code).zh}",
            result_id=data.id,
            base_version=data.base_version,
            seen=True,
            now=now,
        )
        result.conflict = taken.conflict
        result.applied = not taken.conflict
        result.change_id = taken.change.id if taken.change is not None else None
        if not taken.conflict and data.occupants is not None:
            dwelling.occupants = data.occupants
    result.version_after = dwelling.version
    tell_lead = False
    if data.code == ResultCode.nobody_home:
        result.attempts, first_over = await _count_visit(session, result, now)
        tell_lead = first_over and result.attempts >= alert_after
    elif data.code in COVERING:
        result.attempts = await _clear_revisit(session, result, now)
    session.add(result)
    await session.flush()
    after = {k: v for k, v in snapshot(result).items() if k != "note"}
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="survey_result",
        entity_id=result.id,
        after=after | {"note_given": bool(result.note)},
    )
    events.result_recorded(session, result, dwelling, actor=actor.name)
    lead_id = None
    if tell_lead:
        lead_id = await session.scalar(
            select(AreaSurvey.lead_id).where(AreaSurvey.area_id == dwelling.area_id)
        )
    if lead_id is not None:  # an area with no lead yet: its lead is told at the next attempt
        await session.execute(
            update(SurveyRevisit)
            .where(
                SurveyRevisit.campaign_id == result.campaign_id,
                SurveyRevisit.dwelling_id == result.dwelling_id,
            )
            .values(lead_told_at=now)
        )
        events.revisit_escalated(session, result, dwelling, lead_id=lead_id, actor=actor.name)
    return Taken(_out(result), created=True)
