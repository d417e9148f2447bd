"""Rules of visits: proposals, the visit state machine, moves, cancellations, outcomes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.audit.service import record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.links.service import issue_link, revoke_for_subject
from coordinator.people.models import Person
from coordinator.platform.db import sqlstate, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, StateConflict, invalid_field, missing_reference
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.platform.settings import VisitSettings
from coordinator.registry.models import Building, Company, Contact
from coordinator.visits.liaisons.service import liaison_team
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.schemas import MoveIn, VisitIn

VISIT = Text("走访", "visit")
COMPANY = Text("企业", "company")
PERSON = Text("人员", "person")
LINK_PURPOSE = "visit"
LINK_ACTIONS = ("view", "confirm", "decline", "reschedule", "view_needs")

S = VisitStatus
# Every change a visit can go through, from each state. "move" is a new time (a new
# proposal): from proposed, confirmed, or after the contact asked for another time.
TRANSITIONS: dict[VisitStatus, dict[str, VisitStatus]] = {
    S.proposed: {
        "confirm": S.confirmed,
        "decline": S.declined,
        "reschedule": S.reschedule_requested,
        "move": S.proposed,
        "cancel": S.cancelled,
    },
    S.reschedule_requested: {"move": S.proposed},
    S.confirmed: {
        "move": S.proposed,
        "cancel": S.cancelled,
        "complete": S.completed,
        "no_show": S.no_show,
    },
    S.declined: {},
    S.cancelled: {},
    S.completed: {},
    S.no_show: {},
}


class VisitStateConflict(StateConflict):
    title = Text("走访当前状态不允许此操作", "Not allowed in the visit's current state")


class DoubleBooked(Conflict):
    slug = "double-booked"
    title = Text("联络员在该时段已有走访", "The liaison already has a visit at that time")


def allowed(status: VisitStatus) -> list[str]:
    return sorted({target.value for target in TRANSITIONS[status].values()})


def ensure_transition(visit: Visit, action: str) -> VisitStatus:
    """The state `action` leads to, or 409 naming the current state and the allowed ones."""
    target = TRANSITIONS[visit.status].get(action)
    if target is None:
        raise VisitStateConflict(
            Text(
                "走访当前状态为{s}，不能{a}",
                "The visit is {s}; it cannot {a}",
            ).format(s=labels.label(visit.status), a=labels.action(action)),
            current=visit.status.value,
            allowed=allowed(visit.status),
            extra={"allowed_actions": sorted(TRANSITIONS[visit.status])},
        )
    return target


def check_times(
    starts_at: datetime, ends_at: datetime, config: VisitSettings, now: datetime | None = None
) -> None:
    """End after start, not in the past, a sane length, not absurdly far ahead."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise invalid_field(
            "ends_at", Text("结束时间须晚于开始时间", "ends_at must be after starts_at")
        )
    if starts_at <= now:
        message = Text("开始时间不能早于现在", "starts_at is in the past")
        raise invalid_field("starts_at", message)
    if starts_at > now + config.max_ahead:
        raise invalid_field("starts_at", Text("开始时间过远", "starts_at is too far ahead"))
    length = ends_at - starts_at
    if length < config.min_length or length > config.max_length:
        message = Text(
            "走访时长应在 15 分钟到 8 小时之间", "a visit lasts between 15 minutes and 8 hours"
        )
        raise invalid_field("ends_at", message)


def _place(company: Company, building: Building | None) -> str:
    if building is None:
        return company.street_address or company.name
    floor = f" {labels.floor(company.floor, 'zh')}" if company.floor else ""
    unit = f" {company.unit}" if company.unit else ""
    return f"{building.name}{floor}{unit}（{building.address}）"


def visit_event(visit: Visit, **extra: Any) -> dict[str, Any]:
    return {
        "visit_id": str(visit.id),
        "company_id": str(visit.company_id),
        "contact_id": str(visit.contact_id),
        "liaison_id": str(visit.liaison_id),
        "team_id": str(visit.team_id) if visit.team_id else None,
        "starts_at": visit.starts_at.isoformat(),
        "ends_at": visit.ends_at.isoformat(),
        "place": visit.place,
        "status": visit.status.value,
        "sequence": visit.sequence,
        **extra,
    }


async def _flush_visit(session: AsyncSession) -> None:
    """Flush, turning the overlap exclusion into a clear 409."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if sqlstate(exc) == "23P01":
            raise DoubleBooked(
                Text(
                    "该联络员在此时段已有待确认或已确认的走访",
                    "The liaison already holds a proposed or confirmed visit overlapping this time",
                ),
                extra={"constraint": "ex_visits_liaison_overlap"},
            ) from None
        raise


async def issue_visit_link(
    session: AsyncSession, visit: Visit, config: VisitSettings, base_url: str
) -> str:
    _, token = await issue_link(
        session,
        purpose=LINK_PURPOSE,
        subject_type="visit",
        subject_id=visit.id,
        holder_type="contact",
        holder_id=visit.contact_id,
        actions=LINK_ACTIONS,
        expires_at=visit.starts_at + config.follow_up,
    )
    return f"{base_url}/v/{token}"


async def propose_visit(
    *,
    session: AsyncSession,
    actor: Principal,
    data: VisitIn,
    config: VisitSettings,
    base_url: str,
) -> Visit:
    """Propose a visit to a company contact; the contact hears of it through a link."""
    check_times(data.starts_at, data.ends_at, config)
    company = await session.get(Company, data.company_id)
    if company is None:
        raise missing_reference("company_id", COMPANY)
    contact = await session.get(Contact, data.contact_id)
    if contact is None or contact.company_id != company.id:
        raise invalid_field(
            "contact_id", Text("联系人不属于该企业", "the contact does not belong to the company")
        )
    liaison_id = data.liaison_id or company.liaison_id
    if liaison_id is None:
        raise invalid_field(
            "liaison_id",
            Text(
                "该企业尚无指定联络员，请填写「liaison_id」",
                "the company has no designated liaison; give liaison_id",
            ),
        )
    if data.liaison_id is not None:
        await ensure_exists(session, Person, liaison_id, "liaison_id", PERSON)
    building = await session.get(Building, company.building_id) if company.building_id else None
    team = await liaison_team(session, liaison_id)
    visit = Visit(
        id=uuid.uuid4(),
        company_id=company.id,
        contact_id=contact.id,
        liaison_id=liaison_id,
        team_id=team.id if team else None,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place or _place(company, building),
        purpose=data.purpose,
        status=VisitStatus.proposed,
        sequence=0,
        proposed_at=utcnow(),
    )
    session.add(visit)
    await _flush_visit(session)
    record_row(session=session, actor=actor, action="propose", entity_type="visit", row=visit)
    link = await issue_visit_link(session, visit, config, base_url)
    record_event(
        session,
        "visit.proposed",
        data=visit_event(visit, link=link, contact_mobile=contact.mobile),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    return visit


async def get_visit(*, session: AsyncSession, visit_id: uuid.UUID, lock: bool = False) -> Visit:
    return await get_or_404(session, Visit, visit_id, VISIT, lock=lock)


async def move_visit(
    *,
    session: AsyncSession,
    actor: Principal,
    visit_id: uuid.UUID,
    data: MoveIn,
    config: VisitSettings,
    base_url: str,
) -> Visit:
    """A new time (a new proposal): the old link is revoked and a new one sent."""
    visit = await get_visit(session=session, visit_id=visit_id, lock=True)
    ensure_transition(visit, "move")
    check_times(data.starts_at, data.ends_at, config)
    before = {"starts_at": visit.starts_at.isoformat(), "ends_at": visit.ends_at.isoformat()}
    audited = snapshot(visit)
    previous_status = visit.status
    visit.starts_at = data.starts_at
    visit.ends_at = data.ends_at
    if data.place:
        visit.place = data.place
    visit.status = VisitStatus.proposed
    visit.sequence += 1
    visit.proposed_at = utcnow()
    visit.answered_at = None
    await _flush_visit(session)
    record_row(
        session=session, actor=actor, action="move", entity_type="visit", row=visit, before=audited
    )
    await revoke_for_subject(session, subject_type="visit", subject_id=visit.id)
    link = await issue_visit_link(session, visit, config, base_url)
    contact = await session.get(Contact, visit.contact_id)
    record_event(
        session,
        "visit.rescheduled",
        data=visit_event(
            visit,
            link=link,
            contact_mobile=contact.mobile if contact else None,
            previous=before,
            previous_status=previous_status.value,
        ),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    return visit


async def cancel_visit(
    *, session: AsyncSession, actor: Principal, visit_id: uuid.UUID, reason: str | None
) -> Visit:
    visit = await get_visit(session=session, visit_id=visit_id, lock=True)
    before = snapshot(visit)
    visit.status = ensure_transition(visit, "cancel")
    visit.cancel_reason = reason
    visit.sequence += 1
    await session.flush()
    record_row(
        session=session, actor=actor, action="cancel", entity_type="visit", row=visit, before=before
    )
    await revoke_for_subject(session, subject_type="visit", subject_id=visit.id)
    record_event(
        session,
        "visit.cancelled",
        data=visit_event(visit, reason=reason),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    return visit
