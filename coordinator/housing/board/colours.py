"""The board's legend (dwelling_state_colours): which colour marks each state, in which
order the legend lists them. One legend for the subdistrict; replaced whole, audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.models import Principal
from coordinator.housing.board.layout import ink
from coordinator.housing.board.schemas import ColourIn
from coordinator.housing.models import DwellingState, StateColour
from coordinator.labels import label
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field

# The id the legend's audit entries carry (GET /api/v1/audit-log?entity_id=…).
LEGEND_ID = uuid.uuid5(uuid.NAMESPACE_URL, "https://fumin.example/dwelling-state-colours")
ENTITY = "dwelling_state_colours"


async def colours(session: AsyncSession) -> list[dict[str, Any]]:
    """The legend in its order, every state with its words in both languages."""
    rows = await session.scalars(select(StateColour).order_by(StateColour.position))
    return [_out(row.state, row.colour, row.position) for row in rows]


def _out(state: DwellingState, colour: str, position: int) -> dict[str, Any]:
    words = label(state)
    return {
        "state": state.value,
        "label": words.zh,
        "label_en": words.en,
        "colour": colour,
        "ink": ink(colour),
        "position": position,
    }


def _check(items: list[ColourIn]) -> None:
    seen: set[DwellingState] = set()
    for index, item in enumerate(items):
        if item.state in seen:
            raise invalid_field(
                f"items.{index}.state", Text("每种状态只能出现一次", "each state only once")
            )
        seen.add(item.state)
    missing = [state for state in DwellingState if state not in seen]
    if missing:
        raise invalid_field(
            "items",
            Text("缺少状态：{zh}", "states missing: {en}").format(
                zh="、".join(label(s).zh for s in missing),
                en=", ".join(label(s).en for s in missing),
            ),
        )


async def set_colours(
    session: AsyncSession, items: list[ColourIn], *, actor: Principal
) -> list[dict[str, Any]]:
    """Replace the legend: every state once, the list's order the legend's order."""
    _check(items)
    before = {row["state"]: row["colour"] for row in await colours(session)}
    rows: list[dict[str, Any]] = [
        {"state": item.state, "colour": item.colour.lower(), "position": n}
        for n, item in enumerate(items)
    ]
    stmt = insert(StateColour).values(rows)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[StateColour.state],
            set_={"colour": stmt.excluded.colour, "position": stmt.excluded.position},
        )
    )
    after = {row["state"].value: row["colour"] for row in rows}
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type=ENTITY,
        entity_id=LEGEND_ID,
        before=before,
        after=after,
    )
    return [_out(row["state"], row["colour"], row["position"]) for row in rows]
