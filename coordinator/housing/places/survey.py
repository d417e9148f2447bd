"""Each residential area's survey settings, and its coordinators: the API tokens that
read its residents' contacts whole. A token is "of an area" when an admin has named it
here; admins read every area's (coordinator.housing.dwellings.privacy)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.models import ApiToken, Principal, Role
from coordinator.housing.models import AreaSurvey
from coordinator.housing.places.models import AreaCoordinator
from coordinator.housing.places.schemas import AreaSurveyIn, AreaSurveyOut
from coordinator.people.models import Person
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, Forbidden, ValidationFailed, invalid_field
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.registry.models import AREA, Area, AreaKind

PERSON = Text("人员", "person")


async def coordinator_tokens(session: AsyncSession, area_id: uuid.UUID) -> list[uuid.UUID]:
    found = await session.scalars(
        select(AreaCoordinator.token_id)
        .where(AreaCoordinator.area_id == area_id)
        .order_by(AreaCoordinator.token_id)
    )
    return list(found.all())


def _out(area_id: uuid.UUID, survey: AreaSurvey | None, tokens: list[uuid.UUID]) -> AreaSurveyOut:
    if survey is None:
        defaults = AreaSurveyIn()
        return AreaSurveyOut(
            area_id=area_id,
            **defaults.model_dump(exclude={"coordinator_token_ids"}),
            coordinator_token_ids=tokens,
            created_at=None,
            updated_at=None,
        )
    return AreaSurveyOut(
        area_id=area_id,
        lead_id=survey.lead_id,
        rounds_per_day=survey.rounds_per_day,
        rounds_from=survey.rounds_from,
        rounds_until=survey.rounds_until,
        max_gap_minutes=survey.max_gap_minutes,
        stale_days=survey.stale_days,
        coordinator_token_ids=tokens,
        created_at=survey.created_at,
        updated_at=survey.updated_at,
    )


async def _residential(session: AsyncSession, area_id: uuid.UUID) -> None:
    """The area of the path: 404 unless it is a residential area."""
    await get_or_404(session, Area, area_id, AREA, where=Area.kind == AreaKind.residential)


async def get_survey(*, session: AsyncSession, area_id: uuid.UUID) -> AreaSurveyOut:
    """The area's settings (the defaults while none are set)."""
    await _residential(session, area_id)
    survey = await session.get(AreaSurvey, area_id)
    return _out(area_id, survey, await coordinator_tokens(session, area_id))


async def _check(session: AsyncSession, actor: Principal, data: AreaSurveyIn) -> None:
    if data.rounds_until <= data.rounds_from:
        message = Text("巡查结束时间须晚于开始时间", "rounds_until must be after rounds_from")
        raise ValidationFailed(message, errors=[FieldError("rounds_until", message)])
    await ensure_exists(session, Person, data.lead_id, "lead_id", PERSON)
    if data.coordinator_token_ids is None:
        return
    if not actor.role.allows(Role.admin):
        raise Forbidden(
            Text("只有管理员可以指定片区协调员", "only an admin names an area's coordinators")
        )
    wanted = set(data.coordinator_token_ids)
    found = set((await session.scalars(select(ApiToken.id).where(ApiToken.id.in_(wanted)))).all())
    if wanted - found:
        raise invalid_field(
            "coordinator_token_ids", Text("有访问令牌不存在", "some of the API tokens do not exist")
        )


async def put_survey(
    *, session: AsyncSession, actor: Principal, area_id: uuid.UUID, data: AreaSurveyIn
) -> AreaSurveyOut:
    """Set the area's survey settings (and, by an admin, its coordinators)."""
    await _residential(session, area_id)
    await _check(session, actor, data)
    values = data.model_dump(exclude={"coordinator_token_ids"})
    # An area's first settings put twice at once: the second waits on the first's row and
    # then sets it, as a PUT does, instead of meeting its primary key (a 409).
    created = await session.scalar(
        pg_insert(AreaSurvey)
        .values(area_id=area_id, **values)
        .on_conflict_do_nothing()
        .returning(AreaSurvey.area_id)
    )
    survey = await session.get(AreaSurvey, area_id, with_for_update=True, populate_existing=True)
    assert survey is not None  # inserted now, or by the one that came first
    tokens_before = await coordinator_tokens(session, area_id)
    before = None if created is not None else snapshot(survey)
    if created is None:
        for name, value in values.items():
            setattr(survey, name, value)
    tokens = tokens_before
    if data.coordinator_token_ids is not None:
        tokens = sorted(set(data.coordinator_token_ids))
        await session.execute(delete(AreaCoordinator).where(AreaCoordinator.area_id == area_id))
        if tokens:
            await session.execute(
                insert(AreaCoordinator), [{"area_id": area_id, "token_id": t} for t in tokens]
            )
    await session.flush()
    await session.refresh(survey)
    record(
        session=session,
        actor=actor,
        action="create" if before is None else "update",
        entity_type="area_survey",
        entity_id=area_id,
        before=None
        if before is None
        else before | {"coordinator_token_ids": [str(t) for t in tokens_before]},
        after=snapshot(survey) | {"coordinator_token_ids": [str(t) for t in tokens]},
    )
    return _out(area_id, survey, tokens)
