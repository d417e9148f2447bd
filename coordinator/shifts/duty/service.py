"""On the day: check-in and check-out (which books the hours), checklist ticks."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.people.models import Person
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import get_or_404
from coordinator.shifts.events import signup_event
from coordinator.shifts.models import (
    ChecklistTick,
    HoursEntry,
    HoursStatus,
    Post,
    Shift,
    Signup,
    SignupStatus,
)
from coordinator.shifts.rules import CHECK_IN_EARLY, SIGNUP, closed, wrong_state
from coordinator.shifts.signups.places import audit, locked_signup, own


async def check_in(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """From an hour before the start until the end; twice is harmless."""
    shift, signup = await locked_signup(session, signup_id)
    own(signup, person_id)
    if signup.status == SignupStatus.checked_in:
        return signup
    if signup.status != SignupStatus.signed_up:
        raise wrong_state(signup.status.value)
    now = utcnow()
    if not (shift.starts_at - CHECK_IN_EARLY <= now < shift.ends_at):
        raise closed()
    before = snapshot(signup)
    signup.status = SignupStatus.checked_in
    signup.checked_in_at = now
    signup.sequence += 1
    signup.updated_at = now
    await session.flush()
    audit(session, caller, "check_in", signup, before)
    signup_event(session, "signup.checked_in", signup, actor)
    return signup


async def check_out(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    zone: ZoneInfo,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """Ends the duty and books its hours (pending the lead's approval); twice is harmless."""
    shift, signup = await locked_signup(session, signup_id)
    own(signup, person_id)
    if signup.status == SignupStatus.completed:
        return signup
    if signup.status != SignupStatus.checked_in or signup.checked_in_at is None:
        raise wrong_state(signup.status.value)
    now = utcnow()
    before = snapshot(signup)
    signup.status = SignupStatus.completed
    signup.checked_out_at = now
    signup.updated_at = now
    minutes = max(0, int((now - signup.checked_in_at).total_seconds() // 60))
    team_id = await session.scalar(select(Post.team_id).where(Post.id == shift.post_id))
    company_id = await session.scalar(
        select(Person.company_id).where(Person.id == signup.person_id)
    )
    hours = HoursEntry(
        signup_id=signup.id,
        person_id=signup.person_id,
        shift_id=shift.id,
        team_id=team_id,
        company_id=company_id,
        served_on=signup.checked_in_at.astimezone(zone).date(),
        minutes=minutes,
        status=HoursStatus.pending,
    )
    session.add(hours)
    await session.flush()
    audit(session, caller, "check_out", signup, before)
    record_row(session=session, actor=caller, action="create", entity_type="hours", row=hours)
    signup_event(session, "signup.checked_out", signup, actor, minutes=minutes)
    return signup


async def tick(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    step: int,
    note: str | None,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> ChecklistTick:
    """Tick a checklist step of the post (again: the note is replaced)."""
    signup = await get_or_404(session, Signup, signup_id, SIGNUP)
    own(signup, person_id)
    if signup.status not in (SignupStatus.checked_in, SignupStatus.completed):
        raise wrong_state(signup.status.value)
    checklist = await session.scalar(
        select(Post.checklist)
        .join(Shift, Shift.post_id == Post.id)
        .where(Shift.id == signup.shift_id)
    )
    steps = list(checklist or [])
    if step >= len(steps):
        message = Text("岗位清单共 {n} 步", "the post's checklist has {n} steps").format(
            n=len(steps)
        )
        raise ValidationFailed(message, errors=[FieldError("step", message)])
    row = await session.scalar(
        insert(ChecklistTick)
        .values(id=uuid.uuid4(), signup_id=signup.id, step=step, label=steps[step], note=note)
        .on_conflict_do_update(
            constraint="uq_checklist_ticks_step", set_={"note": note, "ticked_at": func.now()}
        )
        .returning(ChecklistTick)
    )
    assert row is not None
    record_row(session=session, actor=caller, action="tick", entity_type="checklist_tick", row=row)
    return row


async def ticks(*, session: AsyncSession, signup_id: uuid.UUID) -> list[ChecklistTick]:
    return list(
        (
            await session.scalars(
                select(ChecklistTick)
                .where(ChecklistTick.signup_id == signup_id)
                .order_by(ChecklistTick.step)
            )
        ).all()
    )
