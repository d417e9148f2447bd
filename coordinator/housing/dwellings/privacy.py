"""Residents' personal data (PIPL, 个人信息保护法): a dwelling's contact name and phone are
masked wherever dwellings are listed or logged (138****5678, 王**), and read whole only by
the coordinators of the dwelling's area (the API tokens an admin named in its survey
settings) and by admins, each such read leaving an audit row `read`."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import Principal, Role
from coordinator.housing.places.models import AreaCoordinator
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Forbidden

PERSONAL = ("contact_name", "contact_phone")


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and last four digits, whatever the length between."""
    if phone is None:
        return None
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str | None) -> str | None:
    """王**: the first character (the family name, most often), the rest starred."""
    if name is None:
        return None
    return name[:1] + "*" * (len(name) - 1)


def masked(values: dict[str, Any]) -> dict[str, Any]:
    """A dwelling's columns (a snapshot) with its contact masked: for lists, audit rows."""
    out = dict(values)
    if "contact_phone" in out:
        out["contact_phone"] = mask_phone(out["contact_phone"])
    if "contact_name" in out:
        out["contact_name"] = mask_name(out["contact_name"])
    return out


# The same masks in SQL, for lists PostgreSQL renders (already JSON).
PHONE_SQL = (
    "COALESCE(to_json(CASE WHEN length(dwellings.contact_phone) >= 7"
    " THEN left(dwellings.contact_phone, 3) || '****' || right(dwellings.contact_phone, 4)"
    " ELSE repeat('*', length(dwellings.contact_phone)) END)::text, 'null')"
)
NAME_SQL = (
    "COALESCE(to_json(left(dwellings.contact_name, 1)"
    " || repeat('*', length(dwellings.contact_name) - 1))::text, 'null')"
)


async def ensure_area_coordinator(
    session: AsyncSession, actor: Principal, area_id: uuid.UUID
) -> None:
    """Admins, and the tokens named coordinators of the area; anyone else 403."""
    if actor.role.allows(Role.admin):
        return
    if actor.token_id is not None and actor.role.allows(Role.coordinator):
        named = await session.scalar(
            select(AreaCoordinator.token_id).where(
                AreaCoordinator.area_id == area_id, AreaCoordinator.token_id == actor.token_id
            )
        )
        if named is not None:
            return
    raise Forbidden(
        Text(
            "住户联系方式仅向本居民区的协调员展示",
            "residents' contacts are shown only to the coordinators of their area",
        )
    )
