"""A campaign's progress, per block, per area and in all, in one statement: every dwelling
of its areas, by its latest result in the campaign (covered: anything but nobody home)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.surveys.models import COVERING, SURVEY_CAMPAIGN, ResultCode, SurveyCampaign
from coordinator.housing.surveys.schemas import AreaProgress, BlockProgress, ProgressOut, Tally
from coordinator.platform.problems import not_found

_CODES = [code.value for code in ResultCode]
_COUNTS = ",\n  ".join(f"count(*) FILTER (WHERE l.code = '{code}') AS {code}" for code in _CODES)
_COVERING = ", ".join(f"'{code.value}'" for code in COVERING)

PROGRESS = text(
    f"""
WITH latest AS (
  SELECT DISTINCT ON (r.dwelling_id) r.dwelling_id, r.code
  FROM survey_results r
  WHERE r.campaign_id = :campaign_id
  ORDER BY r.dwelling_id, r.recorded_at DESC, r.received_at DESC
), tallies AS (
  SELECT d.area_id, bu.block_id, GROUPING(d.area_id, bu.block_id) AS level,
    count(*) AS total,
    count(*) FILTER (WHERE l.code IN ({_COVERING})) AS covered,
    {_COUNTS}
  FROM dwellings d
  JOIN block_units bu ON bu.building_id = d.building_id AND bu.unit = d.unit
  LEFT JOIN latest l ON l.dwelling_id = d.id
  WHERE d.area_id IN (
    SELECT ca.area_id FROM survey_campaign_areas ca WHERE ca.campaign_id = :campaign_id
  )
  AND (CAST(:block_ids AS uuid[]) IS NULL OR bu.block_id = ANY(CAST(:block_ids AS uuid[])))
  GROUP BY GROUPING SETS ((d.area_id, bu.block_id), (d.area_id), ())
)
SELECT t.*, a.name AS area_name, b.name AS block_name
FROM tallies t
LEFT JOIN areas a ON a.id = t.area_id
LEFT JOIN blocks b ON b.id = t.block_id
ORDER BY t.level DESC, a.name, b.name
"""
).bindparams(bindparam("block_ids", value=None))


def _tally(row: Any) -> dict[str, Any]:
    by_result = {code: getattr(row, code) for code in _CODES}
    return {
        "total": row.total,
        "covered": row.covered,
        "revisits": by_result["nobody_home"],
        "by_result": by_result,
    }


async def progress(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    *,
    block_ids: Sequence[uuid.UUID] | None = None,
) -> ProgressOut:
    """The campaign's progress (only the given blocks', for a walk list)."""
    if await session.get(SurveyCampaign, campaign_id) is None:
        raise not_found(SURVEY_CAMPAIGN)
    rows = await session.execute(
        PROGRESS,
        {
            "campaign_id": campaign_id,
            "block_ids": list(block_ids) if block_ids is not None else None,
        },
    )
    overall = Tally(total=0, covered=0, revisits=0, by_result=dict.fromkeys(_CODES, 0))
    areas: list[AreaProgress] = []
    blocks: list[BlockProgress] = []
    for row in rows:
        if row.level == 3:
            overall = Tally(**_tally(row))
        elif row.level == 1:
            areas.append(AreaProgress(area_id=row.area_id, name=row.area_name, **_tally(row)))
        else:
            blocks.append(
                BlockProgress(
                    block_id=row.block_id,
                    area_id=row.area_id,
                    name=row.block_name,
                    **_tally(row),
                )
            )
    return ProgressOut(campaign_id=campaign_id, overall=overall, areas=areas, blocks=blocks)
