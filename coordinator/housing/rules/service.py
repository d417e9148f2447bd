"""What the rules do, each safe to run twice (the outbox delivers at least once):

- a dwelling moved to a suspect state (SUSPECT_STATES) opens a case of the category
  configured for that state (FUMIN_SURVEY_CASE_CATEGORIES), at the dwelling and its
  registry building, so the category's routing rule picks the departments; not again
  while a case of that category is open at the dwelling;
- a case of such a category resolved with outcome `rectified` moves its dwelling, if it
  is still in that suspect state, to the state configured for it
  (FUMIN_SURVEY_RECTIFIED_STATES), with the case as evidence (source case); once per case.

They run as reactions to `dwelling.state_changed` and `case.resolved` (housing/rules/
notify.py), in the worker's transaction that claims the event: whatever changed the state
(the API, a phone's result, the case engine) the rule follows, and the cases engine knows
nothing of housing."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Principal, Role
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.filing.service import file_case
from coordinator.cases.models import OPEN_STATES, Case, CaseSource
from coordinator.cases.schemas import CaseIn
from coordinator.housing.dwellings.service import audit_state
from coordinator.housing.dwellings.states import lock_dwelling, set_state
from coordinator.housing.labels import LABELS
from coordinator.housing.models import (
    SUSPECT_STATES,
    Compound,
    DwellingState,
    DwellingStateChange,
    HousingBuilding,
    StateSource,
)
from coordinator.platform.problems import NotFound, Problem
from coordinator.platform.setting_groups import parse_pairs
from coordinator.platform.settings import Settings

log = structlog.get_logger("fumin.housing.rules")
RULES = Principal(token_id=None, name="rule:survey", role=Role.coordinator)


def case_categories(settings: Settings) -> dict[str, str]:
    """The case category's code for each suspect state."""
    pairs = parse_pairs(settings.survey_case_categories)
    return {state: code for state, code in pairs.items() if state in SUSPECT_STATES}


def rectified_state(
    settings: Settings, category: str
) -> tuple[DwellingState, DwellingState] | None:
    """(suspect state, state once rectified) for a case category, if it is one of them."""
    suspect = next((s for s, c in case_categories(settings).items() if c == category), None)
    if suspect is None:
        return None
    target = parse_pairs(settings.survey_rectified_states).get(suspect)
    if target is None or target not in DwellingState.__members__:
        return None
    return DwellingState(suspect), DwellingState(target)


async def open_suspicion_case(
    session: AsyncSession, settings: Settings, dwelling_id: uuid.UUID
) -> Case | None:
    """The case for the dwelling's suspect state, filed unless one is open already (or the
    dwelling is gone since: nothing to open, and the event is handled, not retried)."""
    try:
        dwelling = await lock_dwelling(session, dwelling_id)
    except NotFound:
        return None
    code = case_categories(settings).get(dwelling.state.value)
    if code is None:
        return None
    category_id = select(CaseCategory.id).where(CaseCategory.code == code).scalar_subquery()
    already = await session.scalar(
        select(
            exists().where(
                Case.dwelling_id == dwelling.id,
                Case.category_id == category_id,
                Case.status.in_(OPEN_STATES),
            )
        )
    )
    if already:
        return None
    place = (
        await session.execute(
            select(Compound.name, HousingBuilding.name, HousingBuilding.building_id)
            .join(HousingBuilding, HousingBuilding.compound_id == Compound.id)
            .where(HousingBuilding.id == dwelling.building_id)
        )
    ).one()
    unit = f"{dwelling.unit}单元" if dwelling.unit else ""
    where = f"{place[0]}{place[1]}{unit}{dwelling.room}室"
    label = LABELS[DwellingState][dwelling.state.value].zh
    data = CaseIn(
        title=f"{label}：{where}"[:200],
        description=(dwelling.state_evidence or f"排摸发现{label}")[:4000],
        category=code,
        area_id=dwelling.area_id,
        building_id=place[2],
        dwelling_id=dwelling.id,
    )
    try:
        async with session.begin_nested():
            return await file_case(
                session=session, actor=RULES, settings=settings, data=data, source=CaseSource.survey
            )
    except Problem as refusal:  # no such category configured, say: nothing to open
        log.warning("survey_case_not_filed", dwelling_id=str(dwelling.id), reason=str(refusal))
        return None


async def apply_rectification(
    session: AsyncSession, settings: Settings, case_id: uuid.UUID, category: str
) -> bool:
    """The case's dwelling put right; False when there is nothing to do."""
    states = rectified_state(settings, category)
    case = await session.get(Case, case_id)
    if states is None or case is None or case.dwelling_id is None:
        return False
    suspect, target = states
    dwelling = await lock_dwelling(session, case.dwelling_id)
    done = await session.scalar(
        select(
            exists().where(
                DwellingStateChange.dwelling_id == dwelling.id,
                DwellingStateChange.case_id == case.id,
                DwellingStateChange.source == StateSource.case,
            )
        )
    )
    if done or dwelling.state != suspect:
        return False
    before = audit_state(dwelling)
    outcome = await set_state(
        session,
        dwelling,
        target,
        source=StateSource.case,
        actor=f"case:{case.number}",
        evidence=(case.resolution or "")[:500] or None,
        case_id=case.id,
    )
    record(
        session=session,
        actor=RULES,
        action="set_state",
        entity_type="dwelling",
        entity_id=dwelling.id,
        before=before,
        after=audit_state(dwelling)
        | {"change_id": outcome.change.id if outcome.change else None, "case_id": str(case.id)},
    )
    return True
