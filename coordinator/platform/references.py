"""Who still refers to a row: named in the 409 answer to a delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.platform.db import Base
from coordinator.platform.i18n import Text
from coordinator.platform.problems import StillReferenced

# Names of referring tables as the API calls them.
RESOURCE_NAMES: dict[str, Text] = {
    "areas": Text("片区", "areas"),
    "buildings": Text("楼宇", "buildings"),
    "companies": Text("企业", "companies"),
    "contacts": Text("联系人", "contacts"),
    "party_branches": Text("党支部", "party branches"),
    "party_branch_buildings": Text("党支部覆盖的楼宇", "party branch coverage"),
    "people": Text("人员", "people"),
    "teams": Text("团队", "teams"),
    "team_members": Text("团队成员", "team memberships"),
    "visits": Text("走访", "visits"),
    "needs": Text("诉求", "needs"),
    "posts": Text("岗位", "posts"),
    "shifts": Text("班次", "shifts"),
    "shift_series": Text("排班计划", "shift series"),
    "signups": Text("报名", "signups"),
    "hours_entries": Text("服务时长记录", "hours entries"),
    "feed_tokens": Text("日历订阅", "calendar feeds"),
    "campaign_liaisons": Text("走访行动的联络员", "campaign liaisons"),
    "campaign_plan_items": Text("走访计划条目", "campaign plan items"),
    "departments": Text("部门", "departments"),
    "department_members": Text("部门成员", "department memberships"),
    "case_categories": Text("事项类型", "case categories"),
    "case_routes": Text("派单规则", "routing rules"),
    "case_route_helpers": Text("派单规则的协办部门", "routing rules' co-handlers"),
    "cases": Text("案件", "cases"),
    "case_tasks": Text("案件任务", "case tasks"),
    "case_notes": Text("案件进展", "case notes"),
    "case_photos": Text("案件照片", "case photos"),
    "compounds": Text("小区", "compounds"),
    "housing_buildings": Text("楼栋", "housing buildings"),
    "blocks": Text("块", "blocks"),
    "block_units": Text("块所覆盖的单元", "block units"),
    "dwellings": Text("房屋", "dwellings"),
}

# Rows that go with a deleted row (CASCADE) or lose their reference (SET NULL) in the
# database, yet still stop the delete through the API: a team's members, its visits and
# its live calendar feeds (whose URLs would die), a person's live feeds, a place's
# routing rules. Each with the
# condition a referring row must meet to count.
HOLDING: dict[tuple[str, str], Callable[[Table], ColumnElement[bool]] | None] = {
    ("team_members", "team_id"): None,
    ("visits", "team_id"): None,
    ("feed_tokens", "team_id"): lambda feeds: feeds.c.revoked_at.is_(None),
    ("feed_tokens", "person_id"): lambda feeds: feeds.c.revoked_at.is_(None),
    # A place's routing rules would vanish with it, and cases of the place go elsewhere.
    ("case_routes", "area_id"): None,
    ("case_routes", "building_id"): None,
}


async def referrers(session: AsyncSession, table: Table, row_id: uuid.UUID) -> list[dict[str, Any]]:
    """Rows that block deleting row_id: every restricting foreign key, with a count."""
    found: list[dict[str, Any]] = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            holding = (other.name, fk.parent.name)
            if holding not in HOLDING and (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            stmt = select(func.count()).select_from(other).where(fk.parent == row_id)
            if (condition := HOLDING.get(holding)) is not None:
                stmt = stmt.where(condition(other))
            count = await session.scalar(stmt)
            if count:
                found.append(
                    {
                        "resource": other.name.replace("_", "-"),
                        "field": fk.parent.name,
                        "count": count,
                    }
                )
    return found


def _label(resource: str) -> Text:
    return RESOURCE_NAMES.get(resource.replace("-", "_"), Text(resource, resource))


async def ensure_unreferenced(
    session: AsyncSession, table: Table, row_id: uuid.UUID, what: Text
) -> None:
    """Raise a 409 naming each kind of row that still refers to row_id."""
    found = await referrers(session, table, row_id)
    if not found:
        return
    labels = [(_label(f["resource"]), f["count"]) for f in found]
    names_zh = "、".join(f"{label.zh}（{count}）" for label, count in labels)
    names_en = ", ".join(f"{count} {label.en}" for label, count in labels)
    raise StillReferenced(
        Text(
            "{what_zh}仍被引用，不能删除：{names_zh}",
            "The {what_en} is still referenced and cannot be deleted: {names_en}",
        ).format(what_zh=what.zh, what_en=what.en, names_zh=names_zh, names_en=names_en),
        extra={"referenced_by": found},
    )
