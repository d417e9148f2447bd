"""On the day: check-in and check-out, checklist ticks, the hours ledger and statements."""

from __future__ import annotations

import calendar
import csv
import io
import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.people.models import Person, Team
from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.registry.models import Company, PartyBranch
from coordinator.shifts.models import (
    ChecklistTick,
    HoursEntry,
    HoursStatus,
    Post,
    Shift,
    Signup,
    SignupStatus,
)
from coordinator.shifts.rules import CHECK_IN_EARLY, HOURS, PERSON, SIGNUP, closed, wrong_state
from coordinator.shifts.schemas import HoursOut, HoursQuery
from coordinator.shifts.signups import _audit, _event, _locked_signup, get_or_404_error
from coordinator.web.listing import paginate


def _own(signup: Signup, person_id: uuid.UUID | None) -> None:
    if person_id is not None and signup.person_id != person_id:
        raise get_or_404_error()


async def check_in(
    *,
    session: AsyncSession,
    signup_id: uuid.UUID,
    actor: str | None,
    person_id: uuid.UUID | None = None,
    caller: Principal | None = None,
) -> Signup:
    """From an hour before the start until the end; twice is harmless."""
    shift, signup = await _locked_signup(session, signup_id)
    _own(signup, person_id)
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
    _audit(session, caller, "check_in", signup, before)
    _event(session, "signup.checked_in", signup, actor)
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
    shift, signup = await _locked_signup(session, signup_id)
    _own(signup, person_id)
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
    _audit(session, caller, "check_out", signup, before)
    record_row(session=session, actor=caller, action="create", entity_type="hours", row=hours)
    _event(session, "signup.checked_out", signup, actor, minutes=minutes)
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
    _own(signup, person_id)
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


async def approve_hours(
    *,
    session: AsyncSession,
    actor: Principal,
    entry_id: uuid.UUID,
    approve: bool,
    approved_by_id: uuid.UUID | None,
) -> HoursEntry:
    entry = await get_or_404(session, HoursEntry, entry_id, HOURS, lock=True)
    await ensure_exists(session, Person, approved_by_id, "approved_by_id", PERSON)
    before = snapshot(entry)
    entry.status = HoursStatus.approved if approve else HoursStatus.rejected
    entry.approved_by_id = approved_by_id
    entry.approved_at = utcnow()
    entry.updated_at = utcnow()
    await session.flush()
    action = "approve" if approve else "reject"
    record_row(
        session=session, actor=actor, action=action, entity_type="hours", row=entry, before=before
    )
    return entry


def month_range(month: str) -> tuple[date, date]:
    """The first and last days of a month YYYY-MM (December 9999 has no month after it)."""
    year, number = (int(x) for x in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


async def list_hours(
    *,
    session: AsyncSession,
    query: HoursQuery,
) -> dict[str, Any]:
    """A page of the hours ledger, by the day served (then id)."""
    stmt = select(HoursEntry)
    if query.person_id:
        stmt = stmt.where(HoursEntry.person_id == query.person_id)
    if query.team_id:
        stmt = stmt.where(HoursEntry.team_id == query.team_id)
    if query.company_id:
        stmt = stmt.where(HoursEntry.company_id == query.company_id)
    if query.status:
        stmt = stmt.where(HoursEntry.status == query.status)
    if query.month:
        first, last = month_range(query.month)
        stmt = stmt.where(HoursEntry.served_on >= first, HoursEntry.served_on <= last)
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=HoursEntry.id,
        sortable={"served_on": HoursEntry.served_on},
        default_sort="served_on",
        serialize=HoursOut.model_validate,
    )


async def statement_csv(
    *,
    session: AsyncSession,
    month: str,
    by: str,
    status: HoursStatus | None,
    company_id: uuid.UUID | None = None,
) -> str:
    """Hours of a month per person, team, party branch or company, as CSV (UTF-8 with a
    BOM, so spreadsheet programs read the Chinese names right; header row). With
    company_id, only hours served while working for that company: the statement a company
    receives for its staff."""
    first, last = month_range(month)
    if by == "company":
        key, name = Company.id, Company.name
        stmt = select(key, name).join(HoursEntry, HoursEntry.company_id == Company.id)
    elif by == "person":
        key, name = Person.id, Person.name
        stmt = select(key, name).join(HoursEntry, HoursEntry.person_id == Person.id)
    elif by == "team":
        key, name = Team.id, Team.name
        stmt = select(key, name).join(HoursEntry, HoursEntry.team_id == Team.id)
    else:
        key, name = PartyBranch.id, PartyBranch.name
        stmt = (
            select(key, name)
            .join(Person, Person.party_branch_id == PartyBranch.id)
            .join(HoursEntry, HoursEntry.person_id == Person.id)
        )
    stmt = (
        stmt.add_columns(func.count(HoursEntry.id), func.sum(HoursEntry.minutes))
        .where(HoursEntry.served_on >= first, HoursEntry.served_on <= last)
        .group_by(key, name)
        .order_by(name, key)
    )
    if status is not None:
        stmt = stmt.where(HoursEntry.status == status)
    if company_id is not None:
        stmt = stmt.where(HoursEntry.company_id == company_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", f"{by}_id", "name", "shifts", "minutes", "hours"])
    for row in (await session.execute(stmt)).all():
        row_id, row_name, count, minutes = tuple(row)
        total = int(str(minutes or 0))
        writer.writerow(
            [month, str(row_id), _safe_cell(str(row_name)), count, total, f"{total / 60:.2f}"]
        )
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Names starting with = + - @ would run as formulas in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
