"""Periodic checks: shifts short of people close to their start, and reminders due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.events.service import record_event
from coordinator.shifts.events import reminder_data, shift_event
from coordinator.shifts.models import Shift, ShiftReminder, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import REMINDERS, UNDERSTAFFED_WINDOW


async def flag_understaffed(
    *, session: AsyncSession, now: datetime, window: timedelta = UNDERSTAFFED_WINDOW
) -> int:
    """Shifts starting within the window below their minimum raise shift.understaffed once."""
    shifts = (
        await session.scalars(
            select(Shift)
            .where(
                Shift.status == ShiftStatus.scheduled,
                Shift.starts_at > now,
                Shift.starts_at <= now + window,
                Shift.filled < Shift.min_people,
                Shift.understaffed_at.is_(None),
            )
            .order_by(Shift.starts_at)
            .limit(500)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for shift in shifts:
        shift.understaffed_at = now
        shift_event(
            session, "shift.understaffed", shift, "cron", missing=shift.min_people - shift.filled
        )
    return len(shifts)


async def raise_reminders(*, session: AsyncSession, now: datetime) -> int:
    """shift.reminder_due for each place whose reminder time has come; at most once per
    signup, kind and version of the signup (a moved shift is reminded of again)."""
    total = 0
    for index, (kind, lead) in enumerate(REMINDERS):
        # Only the nearest reminder: a sign-up 30 minutes ahead gets no "tomorrow" mail.
        later = REMINDERS[index + 1][1] if index + 1 < len(REMINDERS) else timedelta(0)
        due = (
            select(Signup.id, literal(kind), Signup.sequence)
            .join(Shift, Shift.id == Signup.shift_id)
            .where(
                Signup.status == SignupStatus.signed_up,
                Shift.status == ShiftStatus.scheduled,
                Signup.starts_at - lead <= now,
                Signup.starts_at - later > now,
                Signup.created_at < Signup.starts_at - later,
            )
        )
        rows = (
            await session.execute(
                insert(ShiftReminder)
                .from_select(["signup_id", "kind", "sequence"], due)
                .on_conflict_do_nothing(constraint="uq_shift_reminders_once")
                .returning(ShiftReminder.signup_id, ShiftReminder.sequence)
            )
        ).all()
        for signup_id, sequence in rows:
            record_event(
                session,
                "shift.reminder_due",
                data=reminder_data(signup_id, kind, sequence),
                subject_type="signup",
                subject_id=signup_id,
                actor="cron",
            )
        total += len(rows)
    return total
