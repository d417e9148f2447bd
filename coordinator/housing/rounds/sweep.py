"""Overdue rounds, swept every minute (jobs.py): a block whose area's window is open, no
round under way, and unwalked longer than the area allows (since its last round of the
day ended, or the window opened) reminds its leader; as long again, the area's lead. Each
step once per block, day, kind and gap (`round_steps`), so a repeated or concurrent sweep
tells nobody twice; a round started meanwhile ends the gap (the next one is a new
sequence). The state is read afresh in the sweep's own transaction, and once more when the
mail is planned (notify.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.housing.models import Block
from coordinator.housing.rounds.events import overdue_event
from coordinator.housing.rounds.window import Window, steps_due
from coordinator.platform.db import utcnow
from coordinator.platform.settings import Settings

ACTOR = "sweep"

# Every block of an area that asks for rounds, whose window holds now, with nothing under
# way and unwalked for at least the allowed gap: when it was last walked today, and how
# many rounds of it have ended today (the gap's sequence). An open round left from an
# earlier day does not hold off today's reminders.
_DUE = text("""
    WITH b AS (
        SELECT k.id, s.max_gap_minutes,
               (CAST(:now AS timestamptz) AT TIME ZONE :zone)::date AS day,
               (((CAST(:now AS timestamptz) AT TIME ZONE :zone)::date + s.rounds_from)
                   AT TIME ZONE :zone) AS opens,
               (((CAST(:now AS timestamptz) AT TIME ZONE :zone)::date + s.rounds_until)
                   AT TIME ZONE :zone) AS closes
        FROM blocks k JOIN area_surveys s ON s.area_id = k.area_id
        WHERE s.rounds_per_day > 0
    )
    SELECT b.id, b.day, b.opens, b.closes, b.max_gap_minutes,
           r.under_way, r.ended, r.last_ended
    FROM b
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE x.ended_at IS NULL) AS under_way,
               count(*) FILTER (WHERE x.ended_at IS NOT NULL) AS ended,
               max(x.ended_at) AS last_ended
        FROM block_rounds x
        WHERE x.block_id = b.id AND x.started_at < :now
          AND ((x.ended_at IS NULL AND x.started_at >= b.opens - interval '1 day')
               OR (x.ended_at >= b.opens AND x.ended_at <= :now))
    ) r
    WHERE b.opens <= :now AND :now < b.closes AND r.under_way = 0
      AND greatest(b.opens, r.last_ended) + b.max_gap_minutes * interval '1 minute' <= :now
""")

_TAKE = text("""
    INSERT INTO round_steps (id, block_id, day, kind, sequence, since, due_at, created_at)
    SELECT gen_random_uuid(), s.block_id, s.day, s.kind, s.sequence, s.since, s.due_at, :now
    FROM unnest(CAST(:blocks AS uuid[]), CAST(:days AS date[]), CAST(:kinds AS text[]),
                CAST(:sequences AS int[]), CAST(:sinces AS timestamptz[]),
                CAST(:dues AS timestamptz[]))
         AS s(block_id, day, kind, sequence, since, due_at)
    ON CONFLICT ON CONSTRAINT uq_round_steps_step DO NOTHING
    RETURNING block_id, kind
""")


@dataclass
class SweepResult:
    found: int = 0  # blocks overdue now
    leaders: int = 0  # reminders to leaders newly taken
    leads: int = 0  # reminders to areas' leads newly taken


async def sweep(
    session: AsyncSession, *, settings: Settings, now: datetime | None = None
) -> SweepResult:
    """One pass over every block; safe to run twice or at once."""
    now = now or utcnow()
    rows = (await session.execute(_DUE, {"now": now, "zone": settings.timezone})).all()
    result = SweepResult(found=len(rows))
    taking = []
    for row in rows:
        window = Window(row.day, row.opens, row.closes)
        for step in steps_due(
            window,
            now,
            last_walked=row.last_ended,
            open_rounds=row.under_way,
            max_gap=row.max_gap_minutes,
        ):
            since = max(row.opens, row.last_ended or row.opens)
            taking.append((row, step, since))
    if not taking:
        return result
    taken = await session.execute(
        _TAKE,
        {
            "now": now,
            "blocks": [row.id for row, _, _ in taking],
            "days": [row.day for row, _, _ in taking],
            "kinds": [step.to for _, step, _ in taking],
            "sequences": [row.ended for row, _, _ in taking],
            "sinces": [since for _, _, since in taking],
            "dues": [step.due_at for _, step, _ in taking],
        },
    )
    new = {(r.block_id, r.kind) for r in taken}
    for row, step, since in taking:
        if (row.id, step.to) not in new:
            continue
        block = await session.get(Block, row.id)
        assert block is not None  # read in this transaction
        overdue_event(
            session,
            block,
            day=row.day,
            to=step.to,
            sequence=row.ended,
            since=since,
            due_at=step.due_at,
            max_gap=row.max_gap_minutes,
            actor=ACTOR,
        )
        if step.to == "leader":
            result.leaders += 1
        else:
            result.leads += 1
    return result
