"""The case categories of needs: one per NeedCategory code, made by migration 0018 and
again, audited, the first time a need of a code is raised where none exists.

Their clocks are the needs' old due times (urgent 1 day, high 3, normal 7, low 14
calendar days) in working time: 5 working days to resolve a normal need, scaled by
urgency (urgent 0.2 → 1 working day, high 0.4 → 2, low 2 → 10); one working day
(8 working hours, scaled the same way) to accept it. Not public: needs come from visits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.auth.service import Principal
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.categories.schemas import CategoryIn
from coordinator.cases.categories.service import create_category
from coordinator.cases.models import Urgency
from coordinator.visits.models import NeedCategory

GROUP = "企业服务"
RESPONSE_HOURS = 8
RESOLUTION_DAYS = 5
FACTORS = {Urgency.urgent: 0.2, Urgency.high: 0.4, Urgency.normal: 1.0, Urgency.low: 2.0}
LADDER = [
    {"after_hours": 0, "to": "department_lead"},
    {"after_hours": 8, "to": "coordinators"},
]
REPLY_DAYS = 5
# What each category covers, and words it is searched by.
ABOUT: dict[NeedCategory, tuple[str, str | None]] = {
    NeedCategory.epidemic_supplies: ("口罩、消毒用品等防疫物资的采购与调配", "防疫,口罩,消毒"),
    NeedCategory.policy: ("扶持政策、减免政策的咨询与申报", "政策,补贴,申报"),
    NeedCategory.hiring: ("招聘、用工、社保方面的困难", "招聘,用工,社保"),
    NeedCategory.rent: ("租金减免、租约纠纷的协调", "房租,减免,租约"),
    NeedCategory.legal_help: ("合同、劳动等法律问题的援助", "法律,合同,劳动"),
    NeedCategory.property_management: ("物业服务、设施维修方面的问题", "物业,维修,设施"),
    NeedCategory.other: ("其他需要街道协调的事项", None),
}


def definition(code: NeedCategory) -> dict[str, Any]:
    """The category of a need's code, as CategoryIn takes it."""
    description, keywords = ABOUT[code]
    return {
        "code": code.value,
        "name": labels.label(code).zh,
        "name_en": labels.label(code).en,
        "description": description,
        "group": GROUP,
        "keywords": keywords,
        "response_hours": RESPONSE_HOURS,
        "resolution_days": RESOLUTION_DAYS,
        "urgency_factors": FACTORS,
        "escalation": LADDER,
        "photo_required": False,
        "reply_days": REPLY_DAYS,
        "public": False,
        "active": True,
    }


async def ensure_category(session: AsyncSession, actor: Principal, code: NeedCategory) -> None:
    """The code's category exists (made if missing; an inactive one is left as it is,
    and filing refuses it)."""
    stmt = select(CaseCategory.id).where(CaseCategory.code == code.value)
    if await session.scalar(stmt) is not None:
        return
    key = func.hashtext(f"need-category:{code.value}")
    await session.execute(select(func.pg_advisory_xact_lock(key)))
    if await session.scalar(stmt) is not None:
        return
    data = CategoryIn.model_validate(definition(code))
    await create_category(session=session, actor=actor, data=data)
