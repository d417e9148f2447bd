"""Rules of visits: designated liaisons, proposals, the visit state machine, outcomes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.audit.service import record, record_row, snapshot
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.links.models import CapabilityLink
from coordinator.links.service import issue_link, revoke_for_subject
from coordinator.people.models import Person, Team, TeamKind, TeamMember
from coordinator.platform.db import sqlstate, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import (
    Conflict,
    FieldError,
    StateConflict,
    ValidationFailed,
    missing_reference,
)
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.registry.models import Building, Company, Contact, PartyBranch
from coordinator.visits.config import VisitSettings
from coordinator.visits.models import Need, Visit, VisitStatus
from coordinator.visits.needs import add_need
from coordinator.visits.schemas import BulkLiaisonIn, MoveIn, OutcomeIn, VisitIn

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


def _field_error(field: str, zh: str, en: str) -> ValidationFailed:
    message = Text(zh, en)
    return ValidationFailed(message, errors=[FieldError(field, message)])


def check_times(
    starts_at: datetime, ends_at: datetime, config: VisitSettings, now: datetime | None = None
) -> None:
    """End after start, not in the past, a sane length, not absurdly far ahead."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise _field_error("ends_at", "结束时间须晚于开始时间", "ends_at must be after starts_at")
    if starts_at <= now:
        raise _field_error("starts_at", "开始时间不能早于现在", "starts_at is in the past")
    if starts_at > now + config.max_ahead:
        raise _field_error("starts_at", "开始时间过远", "starts_at is too far ahead")
    length = ends_at - starts_at
    if length < config.min_length or length > config.max_length:
        raise _field_error(
            "ends_at",
            "走访时长应在 15 分钟到 8 小时之间",
            "a visit lasts between 15 minutes and 8 hours",
        )


async def liaison_team(session: AsyncSession, person_id: uuid.UUID) -> Team | None:
    """The liaison team a person belongs to (the one they lead first)."""
    stmt = (
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.person_id == person_id, Team.kind == TeamKind.liaison)
        .order_by(TeamMember.role_rank, Team.name)
        .limit(1)
    )
    return await session.scalar(stmt)


# Designated liaisons


async def assign_liaison(
    *, session: AsyncSession, actor: Principal, company_id: uuid.UUID, person_id: uuid.UUID
) -> dict[str, Any]:
    """Make a person the company's liaison (one to one); a change is an event."""
    company = await get_or_404(session, Company, company_id, COMPANY, lock=True)
    await ensure_exists(session, Person, person_id, "person_id", PERSON)
    previous = company.liaison_id
    team = await liaison_team(session, person_id)
    if previous != person_id:
        _set_liaison(session, actor, company, person_id, team)
    return {
        "company_id": company.id,
        "liaison_id": person_id,
        "previous_liaison_id": previous,
        "team_id": team.id if team else None,
    }


def _set_liaison(
    session: AsyncSession,
    actor: Principal,
    company: Company,
    person_id: uuid.UUID,
    team: Team | None,
) -> None:
    previous = company.liaison_id
    company.liaison_id = person_id
    data = {
        "company_id": str(company.id),
        "liaison_id": str(person_id),
        "previous_liaison_id": str(previous) if previous else None,
        "team_id": str(team.id) if team else None,
    }
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="company",
        entity_id=company.id,
        before={"liaison_id": data["previous_liaison_id"]},
        after={"liaison_id": data["liaison_id"]},
    )
    record_event(
        session,
        "company.liaison_assigned",
        data=data,
        subject_type="company",
        subject_id=company.id,
        actor=actor.name,
    )


async def bulk_assign(
    *, session: AsyncSession, actor: Principal, data: BulkLiaisonIn
) -> dict[str, Any]:
    """One liaison for every company of a building or of a party branch."""
    if (data.building_id is None) == (data.party_branch_id is None):
        raise _field_error(
            "building_id",
            "须且只能填写「building_id」或「party_branch_id」之一",
            "give exactly one of building_id and party_branch_id",
        )
    await ensure_exists(session, Person, data.person_id, "person_id", PERSON)
    stmt = select(Company).with_for_update().order_by(Company.id)
    if data.building_id is not None:
        await ensure_exists(
            session, Building, data.building_id, "building_id", Text("楼宇", "building")
        )
        stmt = stmt.where(Company.building_id == data.building_id)
    else:
        await ensure_exists(
            session,
            PartyBranch,
            data.party_branch_id,
            "party_branch_id",
            Text("党支部", "party branch"),
        )
        stmt = stmt.where(Company.party_branch_id == data.party_branch_id)
    team = await liaison_team(session, data.person_id)
    assigned = unchanged = 0
    for company in (await session.scalars(stmt)).all():
        if company.liaison_id == data.person_id:
            unchanged += 1
            continue
        _set_liaison(session, actor, company, data.person_id, team)
        assigned += 1
    return {"liaison_id": data.person_id, "assigned": assigned, "unchanged": unchanged}


# Visits


def _place(company: Company, building: Building | None) -> str:
    if building is None:
        return company.street_address or company.name
    floor = f" {labels.floor(company.floor, 'zh')}" if company.floor else ""
    unit = f" {company.unit}" if company.unit else ""
    return f"{building.name}{floor}{unit}（{building.address}）"


def _visit_event(visit: Visit, **extra: Any) -> dict[str, Any]:
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


async def _issue_visit_link(
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
        raise _field_error(
            "contact_id", "联系人不属于该企业", "the contact does not belong to the company"
        )
    liaison_id = data.liaison_id or company.liaison_id
    if liaison_id is None:
        raise _field_error(
            "liaison_id",
            "该企业尚无指定联络员，请填写「liaison_id」",
            "the company has no designated liaison; give liaison_id",
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
    link = await _issue_visit_link(session, visit, config, base_url)
    record_event(
        session,
        "visit.proposed",
        data=_visit_event(visit, link=link, contact_mobile=contact.mobile),
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
    link = await _issue_visit_link(session, visit, config, base_url)
    contact = await session.get(Contact, visit.contact_id)
    record_event(
        session,
        "visit.rescheduled",
        data=_visit_event(
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
        data=_visit_event(visit, reason=reason),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    return visit


async def record_outcome(
    *, session: AsyncSession, actor: Principal, visit_id: uuid.UUID, data: OutcomeIn
) -> tuple[Visit, list[Need]]:
    """Completed (with notes and the needs raised) or no-show."""
    visit = await get_visit(session=session, visit_id=visit_id, lock=True)
    action = "complete" if data.status == "completed" else "no_show"
    target = ensure_transition(visit, action)
    if visit.starts_at > utcnow():
        # Nothing has happened yet: only what a visit to come can do is allowed.
        raise VisitStateConflict(
            Text(
                "走访尚未开始，不能登记结果",
                "The visit has not started yet; its outcome cannot be recorded",
            ),
            current=visit.status.value,
            allowed=[
                t.value
                for a, t in TRANSITIONS[visit.status].items()
                if a not in ("complete", "no_show")
            ],
        )
    before = snapshot(visit)
    visit.status = target
    if action == "no_show" and data.needs:
        raise _field_error("needs", "未到访的走访不能登记诉求", "a no-show visit raises no needs")
    visit.outcome_notes = data.notes
    visit.outcome_at = utcnow()
    visit.sequence += 1
    await session.flush()
    record_row(
        session=session, actor=actor, action=action, entity_type="visit", row=visit, before=before
    )
    record_event(
        session,
        "visit.completed" if action == "complete" else "visit.no_show",
        data=_visit_event(visit, needs=len(data.needs)),
        subject_type="visit",
        subject_id=visit.id,
        actor=actor.name,
    )
    needs = [
        await add_need(session=session, actor=actor, visit=visit, data=need) for need in data.needs
    ]
    return visit, needs


async def answer(
    *,
    session: AsyncSession,
    link: CapabilityLink,
    action: str,
    reason: str | None = None,
    windows: list[dict[str, str]] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[Visit, VisitStatus, bool]:
    """The contact's answer through the link: (visit, old status, changed?).

    Repeating the answer already given changes nothing; any other answer after the
    contact's or the office's last word raises VisitStateConflict.
    """
    visit = await get_visit(session=session, visit_id=link.subject_id, lock=True)
    old = visit.status
    target = {
        "confirm": S.confirmed,
        "decline": S.declined,
        "reschedule": S.reschedule_requested,
    }[action]
    if old == target:
        return visit, old, False
    if (now or utcnow()) >= visit.starts_at:
        raise VisitStateConflict(
            Text("走访已开始，无法再答复", "The visit has started; it can no longer be answered"),
            current=old.value,
        )
    visit.status = ensure_transition(visit, action)
    visit.answered_at = utcnow()
    if action == "decline":
        visit.decline_reason = reason
    elif action == "reschedule":
        visit.reschedule_windows = windows or []
        visit.reschedule_note = note
    visit.sequence += 1
    await session.flush()
    event = {
        "confirm": "visit.confirmed",
        "decline": "visit.declined",
        "reschedule": "visit.reschedule_requested",
    }[action]
    extra: dict[str, Any] = {}
    if action == "decline":
        extra["reason"] = reason
    if action == "reschedule":
        extra["windows"] = windows or []
        extra["note"] = note
    record_event(
        session,
        event,
        data=_visit_event(visit, **extra),
        subject_type="visit",
        subject_id=visit.id,
        actor=f"contact:{visit.contact_id}",
    )
    return visit, old, True
