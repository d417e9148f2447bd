"""From rows to the planner's problem, and the planner's days and minutes back to times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.campaigns.models import Campaign, CampaignLiaison, CampaignPlanItem
from coordinator.campaigns.problem import (
    Building,
    Company,
    DayWindow,
    Liaison,
    Pin,
    Problem,
    Travel,
    Window,
)
from coordinator.registry import models as registry
from coordinator.visits.models import Visit, VisitStatus


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def working_days(campaign: Campaign) -> list[date]:
    days = []
    day = campaign.starts_on
    while day <= campaign.ends_on:
        if day.isoweekday() in campaign.weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Frame:
    """How the planner's plain values map back to rows and times."""

    days: list[date]
    zone: ZoneInfo
    buildings: dict[uuid.UUID, str | None] = field(default_factory=dict)  # company -> building

    def day_index(self, when: datetime) -> tuple[int, int] | None:
        local = when.astimezone(self.zone)
        if local.date() not in self.days:
            return None
        return self.days.index(local.date()), local.hour * 60 + local.minute

    def at(self, day: int, minute: int) -> datetime:
        clock = time(minute // 60, minute % 60)
        return datetime.combine(self.days[day], clock, tzinfo=self.zone)


def _company_filter(campaign: Campaign) -> list[Any]:
    f = campaign.filters or {}
    c = registry.Company
    where: list[Any] = [c.status != registry.CompanyStatus.closed]
    if f.get("statuses"):
        where.append(c.status.in_(f["statuses"]))
    if f.get("building_ids"):
        where.append(c.building_id.in_([uuid.UUID(x) for x in f["building_ids"]]))
    if f.get("area_ids"):
        where.append(
            c.building_id.in_(
                select(registry.Building.id).where(
                    registry.Building.area_id.in_([uuid.UUID(x) for x in f["area_ids"]])
                )
            )
        )
    if f.get("party_branch_ids"):
        where.append(c.party_branch_id.in_([uuid.UUID(x) for x in f["party_branch_ids"]]))
    if f.get("industries"):
        where.append(c.industry.in_(f["industries"]))
    if f.get("not_visited_since"):
        since = date.fromisoformat(f["not_visited_since"])
        where.append(
            ~exists().where(
                Visit.company_id == c.id,
                Visit.starts_at >= datetime.combine(since, time(), tzinfo=ZoneInfo("UTC")),
                Visit.status.in_(
                    [VisitStatus.proposed, VisitStatus.confirmed, VisitStatus.completed]
                ),
            )
        )
    return where


async def load_problem(
    session: AsyncSession, campaign: Campaign, zone: ZoneInfo
) -> tuple[Problem, Frame]:
    """The campaign's companies, buildings, pool and pins as a planning problem."""
    frame = Frame(days=working_days(campaign), zone=zone)
    items = (
        await session.scalars(
            select(CampaignPlanItem).where(CampaignPlanItem.campaign_id == campaign.id)
        )
    ).all()
    kept = [i for i in items if i.pinned or i.visit_id is not None]
    rows = (
        await session.execute(
            select(registry.Company.id, registry.Company.building_id, registry.Company.liaison_id)
            .where(*_company_filter(campaign))
            .order_by(registry.Company.id)
        )
    ).all()
    chosen = {r.id: r for r in rows}
    extra = [i.company_id for i in kept if i.company_id not in chosen]
    if extra:  # pinned or approved before the filter changed: still part of the plan
        for r in (
            await session.execute(
                select(
                    registry.Company.id, registry.Company.building_id, registry.Company.liaison_id
                ).where(registry.Company.id.in_(extra))
            )
        ).all():
            chosen[r.id] = r
    building_ids = {r.building_id for r in chosen.values() if r.building_id}
    buildings = [
        Building(str(b.id), str(b.area_id) if b.area_id else None, b.latitude, b.longitude)
        for b in (
            await session.scalars(
                select(registry.Building).where(registry.Building.id.in_(building_ids))
            )
        ).all()
    ]
    windows: dict[str, dict[str, list[DayWindow]]] = {}
    for w in campaign.company_windows or []:
        day = None
        if w.get("day"):
            d = date.fromisoformat(w["day"])
            if d not in frame.days:
                continue
            day = frame.days.index(d)
        entry = windows.setdefault(w["company_id"], {"unavailable": [], "preferred": []})
        entry[w["kind"]].append(DayWindow(day, minutes(w["start"]), minutes(w["end"])))
    companies = []
    for r in chosen.values():
        frame.buildings[r.id] = str(r.building_id) if r.building_id else None
        own = windows.get(str(r.id), {"unavailable": [], "preferred": []})
        companies.append(
            Company(
                str(r.id),
                str(r.building_id) if r.building_id else f"street:{r.id}",
                str(r.liaison_id) if r.liaison_id else None,
                tuple(own["unavailable"]),
                tuple(own["preferred"]),
            )
        )
    pool = (
        await session.scalars(
            select(CampaignLiaison)
            .where(CampaignLiaison.campaign_id == campaign.id)
            .order_by(CampaignLiaison.person_id)
        )
    ).all()
    liaisons = [
        Liaison(
            str(x.person_id),
            frozenset(i for i, d in enumerate(frame.days) if d.isoweekday() in x.weekdays),
            x.start_time.hour * 60 + x.start_time.minute,
            x.end_time.hour * 60 + x.end_time.minute,
            x.max_per_day,
            await _busy(session, frame, x.person_id, [i.visit_id for i in kept if i.visit_id]),
        )
        for x in pool
    ]
    pins = []
    for item in kept:
        at = frame.day_index(item.starts_at)
        if at is not None:
            pins.append(Pin(str(item.company_id), str(item.liaison_id), at[0], at[1]))
    travel = campaign.travel or {}
    problem = Problem(
        days=len(frame.days),
        windows=tuple(Window(minutes(w["start"]), minutes(w["end"])) for w in campaign.windows),
        visit_minutes=campaign.visit_minutes,
        buildings=tuple(buildings),
        companies=tuple(companies),
        liaisons=tuple(liaisons),
        pins=tuple(pins),
        travel=Travel(
            same_area=travel.get("same_area_minutes", 10),
            other_area=travel.get("other_area_minutes", 25),
        ),
    )
    return problem, frame


async def _busy(
    session: AsyncSession, frame: Frame, person_id: uuid.UUID, ours: list[uuid.UUID]
) -> tuple[DayWindow, ...]:
    """The person's proposed or confirmed visits in the period (not this campaign's)."""
    if not frame.days:
        return ()
    first = frame.at(0, 0)
    last = frame.at(len(frame.days) - 1, 0) + timedelta(days=1)
    stmt = select(Visit.starts_at, Visit.ends_at).where(
        Visit.liaison_id == person_id,
        Visit.active.is_(True),
        Visit.starts_at < last,
        Visit.ends_at > first,
    )
    if ours:
        stmt = stmt.where(Visit.id.not_in(ours))
    out = []
    for starts_at, ends_at in (await session.execute(stmt)).all():
        at = frame.day_index(starts_at)
        if at is not None:
            out.append(
                DayWindow(at[0], at[1], at[1] + int((ends_at - starts_at).total_seconds() // 60))
            )
    return tuple(out)
