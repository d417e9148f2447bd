"""The hours ledger: approval, the ledger's pages and the monthly statements."""

from __future__ import annotations

import calendar
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.people.models import Person, Team
from coordinator.platform.csv_text import csv_text
from coordinator.platform.db import Database, utcnow
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.registry.models import Company, PartyBranch
from coordinator.shifts.duty.schemas import HoursOut, HoursQuery
from coordinator.shifts.models import HoursEntry, HoursStatus
from coordinator.shifts.rules import HOURS, PERSON

HOURS_LEDGER = Listing(
    HoursEntry,
    HoursOut,
    sorts={"served_on": HoursEntry.served_on},
    default_sort="served_on",
    filters={
        "person_id": HoursEntry.person_id,
        "team_id": HoursEntry.team_id,
        "company_id": HoursEntry.company_id,
        "status": HoursEntry.status,
        "served_from": lambda day: HoursEntry.served_on >= day,
        "served_until": lambda day: HoursEntry.served_on <= day,
    },
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


async def list_hours(*, database: Database, query: HoursQuery) -> JsonBody:
    """A page of the hours ledger, by the day served (then id); `month` is the days from
    its first to its last."""
    first, last = month_range(query.month) if query.month else (None, None)
    return await HOURS_LEDGER.page(database, query, served_from=first, served_until=last)


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
    rows = []
    for row in (await session.execute(stmt)).all():
        row_id, row_name, count, minutes = tuple(row)
        total = int(str(minutes or 0))
        rows.append((month, row_id, row_name, count, total, f"{total / 60:.2f}"))
    return csv_text(("month", f"{by}_id", "name", "shifts", "minutes", "hours"), rows)
