"""The board of an area read in one statement: the area and its stale days, the legend,
the area's blocks, and every dwelling with its place, state, block and whether it is
stale or matches the filters, as JSON arrays PostgreSQL writes. `layout` lays it out.

Stale: a dwelling whose state is known but that nobody has seen (`surveyed_at`) for the
area's `stale_days` (a dwelling never surveyed has its own colour instead). "Not surveyed
for N days" matches a dwelling last seen before then, or never."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.board import layout
from coordinator.housing.models import DwellingState
from coordinator.platform.db import utcnow
from coordinator.registry.models import Area


@dataclass(frozen=True)
class Filters:
    """What the board is narrowed to; None for each filter not asked for."""

    state: DwellingState | None = None
    block_id: uuid.UUID | None = None
    not_surveyed_days: int | None = None

    @property
    def any(self) -> bool:
        return (self.state, self.block_id, self.not_surveyed_days) != (None, None, None)

    def asked(self) -> dict[str, Any]:
        return {
            "state": self.state.value if self.state else None,
            "block_id": str(self.block_id) if self.block_id else None,
            "not_surveyed_days": self.not_surveyed_days,
        }


# An area without survey settings: area_surveys' own default.
STALE_DAYS = 30

BOARD = text(
    """
SELECT a.name AS area_name,
       coalesce(s.stale_days, :default_stale) AS stale_days,
       (SELECT json_agg(json_build_array(c.state, c.colour) ORDER BY c.position, c.state)
          FROM dwelling_state_colours c) AS legend,
       (SELECT json_agg(json_build_array(b.id, b.name) ORDER BY b.name)
          FROM blocks b WHERE b.area_id = a.id) AS blocks,
       (SELECT json_agg(json_build_array(
                 cp.id, cp.name, cp.kind, hb.id, hb.name,
                 d.id, d.unit, d.floor, d.room, d.use, d.state, d.occupants, d.surveyed_at,
                 bu.block_id,
                 d.state <> 'unsurveyed'
                   AND (d.surveyed_at IS NULL OR d.surveyed_at < t.stale_before),
                 (CAST(:state AS text) IS NULL OR d.state::text = :state)
                   AND (CAST(:block AS uuid) IS NULL OR bu.block_id = :block)
                   AND (CAST(:seen_before AS timestamptz) IS NULL OR d.surveyed_at IS NULL
                        OR d.surveyed_at < CAST(:seen_before AS timestamptz)),
                 cp.position, hb.position)
                 -- Each building's rows together; layout orders names and rooms naturally.
                 ORDER BY cp.position, cp.id, hb.position, hb.id)
          FROM dwellings d
          JOIN housing_buildings hb ON hb.id = d.building_id
          JOIN compounds cp ON cp.id = hb.compound_id
          JOIN block_units bu ON bu.building_id = d.building_id AND bu.unit = d.unit
         WHERE d.area_id = a.id) AS cells
  FROM areas a
  LEFT JOIN area_surveys s ON s.area_id = a.id
 CROSS JOIN LATERAL (
       SELECT CAST(:now AS timestamptz)
              - make_interval(days => coalesce(s.stale_days, :default_stale)) AS stale_before
       ) t
 WHERE a.id = :area
"""
)


async def board(
    session: AsyncSession,
    area_id: uuid.UUID,
    filters: Filters = Filters(),
    *,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """The area's board laid out compound → building → floor × unit and room; None if
    there is no such area."""
    now = now or utcnow()
    days = filters.not_surveyed_days
    params = {
        "area": area_id,
        "now": now,
        "default_stale": STALE_DAYS,
        "state": filters.state.value if filters.state else None,
        "block": filters.block_id,
        "seen_before": now - timedelta(days=days) if days is not None else None,
    }
    row = (await session.execute(BOARD, params)).one_or_none()
    if row is None:
        return None
    return layout.lay_out(
        area={"id": str(area_id), "name": row.area_name},
        stale_days=row.stale_days,
        legend=_json(row.legend),
        blocks=_json(row.blocks),
        cells=_json(row.cells),
        filters=filters.asked(),
        filtered=filters.any,
        as_of=now,
    )


def _json(value: Any) -> list[Any]:
    """asyncpg hands json over as text (nothing decodes it on the way)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


async def board_area(session: AsyncSession, area_id: uuid.UUID) -> str | None:
    """The name of the area, None if there is none."""
    return await session.scalar(select(Area.name).where(Area.id == area_id))
