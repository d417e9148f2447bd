"""Who still refers to a row: named in the 409 answer to a delete."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.db import Base
from coordinator.i18n import Text
from coordinator.problems import StillReferenced

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
}


async def referrers(session: AsyncSession, table: Table, row_id: uuid.UUID) -> list[dict[str, Any]]:
    """Rows that block deleting row_id: every restricting foreign key, with a count."""
    found: list[dict[str, Any]] = []
    for other in Base.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table or (fk.ondelete or "").upper() in (
                "CASCADE",
                "SET NULL",
            ):
                continue
            count = await session.scalar(
                select(func.count()).select_from(other).where(fk.parent == row_id)
            )
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
