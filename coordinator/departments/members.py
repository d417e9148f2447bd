"""Rules of a department's members and its one lead.

Making someone lead moves the lead in one transaction: the former lead's row is locked and
stays on as a member, then the new lead is marked. Two people named lead at once cannot
both win: the unique index on the lead (uq_department_members_one_lead) refuses the
second, answered 409, and the first stands."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.departments.models import DEPARTMENT, Department, DepartmentMember
from coordinator.departments.schemas import (
    DepartmentMemberIn,
    DepartmentMemberOut,
    DepartmentMemberQuery,
)
from coordinator.departments.service import lead_changed, member_state
from coordinator.events.service import record_event
from coordinator.people.models import MemberRole, Person, TeamMember
from coordinator.platform.db import Database, pg_error
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, FieldError, NotFound, missing_reference
from coordinator.platform.resources import get_or_404

PERSON = Text("人员", "person")
LEAD_INDEX = "uq_department_members_one_lead"

MEMBERS = Listing(
    DepartmentMember,
    DepartmentMemberOut,
    source=DepartmentMember.__table__.join(
        Person.__table__, Person.id == DepartmentMember.person_id
    ),
    columns={"name": Person.name},
    sorts={"name": Person.name, "created_at": DepartmentMember.created_at},
    filters={"department_id": DepartmentMember.department_id, "is_lead": DepartmentMember.is_lead},
    search=(Person.name,),
)
# The members of a department that is a team: the team's.
_is_team_lead = TeamMember.role == MemberRole.lead
TEAM_MEMBERS = Listing(
    TeamMember,
    DepartmentMemberOut,
    source=TeamMember.__table__.join(Person.__table__, Person.id == TeamMember.person_id).join(
        Department.__table__, Department.team_id == TeamMember.team_id
    ),
    columns={"name": Person.name, "department_id": Department.id, "is_lead": _is_team_lead},
    sorts={"name": Person.name, "created_at": TeamMember.created_at},
    filters={"department_id": Department.id, "is_lead": lambda value: _is_team_lead == value},
    search=(Person.name,),
)


async def list_members(
    *, database: Database, department_id: uuid.UUID, query: DepartmentMemberQuery
) -> JsonBody:
    """A department's members (its team's, for a team), by name or created_at."""
    async with database.session() as session:
        department = await get_or_404(session, Department, department_id, DEPARTMENT)
    listing = MEMBERS if department.team_id is None else TEAM_MEMBERS
    return await listing.page(database, query, department_id=department_id)


async def get_member(
    *, session: AsyncSession, department_id: uuid.UUID, person_id: uuid.UUID
) -> DepartmentMemberOut:
    department = await get_or_404(session, Department, department_id, DEPARTMENT)
    if department.team_id is not None:
        found = await session.execute(
            select(Person.name, _is_team_lead, TeamMember.created_at, TeamMember.updated_at)
            .select_from(TeamMember)
            .join(Person, Person.id == TeamMember.person_id)
            .where(TeamMember.team_id == department.team_id, TeamMember.person_id == person_id)
        )
        row = found.one_or_none()
        if row is None:
            raise _not_a_member()
        name, is_lead, created_at, updated_at = row
        return DepartmentMemberOut(
            department_id=department.id,
            person_id=person_id,
            name=name,
            is_lead=is_lead,
            created_at=created_at,
            updated_at=updated_at,
        )
    member = await _member_or_404(session, department_id, person_id)
    return await _out(session, member)


async def add_member(
    *, session: AsyncSession, actor: Principal, department_id: uuid.UUID, data: DepartmentMemberIn
) -> DepartmentMemberOut:
    """Add a person to a department; is_lead makes them its lead."""
    department = await _own_department(session, department_id)
    if await session.get(Person, data.person_id) is None:
        raise missing_reference("person_id", PERSON)
    if await _member(session, department_id, data.person_id) is not None:
        message = Text("此人已是该部门成员", "this person is already a member of the department")
        raise Conflict(message, errors=[FieldError("person_id", message)])
    member = DepartmentMember(department_id=department_id, person_id=data.person_id)
    session.add(member)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="department_member",
        entity_id=member.id,
        after=member_state(member),
    )
    if data.is_lead:
        await _make_lead(session, actor, department, member)
    _member_event(session, actor, "department.member_added", member)
    return await _out(session, member)


async def update_member(
    *,
    session: AsyncSession,
    actor: Principal,
    department_id: uuid.UUID,
    person_id: uuid.UUID,
    is_lead: bool,
) -> DepartmentMemberOut:
    """Make a member the lead (the former lead stays a member), or no longer the lead."""
    department = await _own_department(session, department_id)
    member = await _member_or_404(session, department_id, person_id)
    if is_lead and not member.is_lead:
        await _make_lead(session, actor, department, member)
    elif not is_lead and member.is_lead:
        await _set_lead(session, actor, member, False)
        lead_changed(session, actor, department, member.person_id, None)
    return await _out(session, member)


async def remove_member(
    *, session: AsyncSession, actor: Principal, department_id: uuid.UUID, person_id: uuid.UUID
) -> None:
    """Take a person off a department; removing the lead leaves it without one."""
    department = await _own_department(session, department_id)
    member = await _member_or_404(session, department_id, person_id, lock=True)
    state = member_state(member)
    _member_event(session, actor, "department.member_removed", member)
    if member.is_lead:
        lead_changed(session, actor, department, member.person_id, None)
    await session.delete(member)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="department_member",
        entity_id=member.id,
        before=state,
    )


async def _make_lead(
    session: AsyncSession, actor: Principal, department: Department, member: DepartmentMember
) -> None:
    """Move the lead to member. The former lead's row is locked first: a second move
    waiting on it then finds no lead to move and meets the new one in the unique index."""
    former = (
        await session.scalars(
            select(DepartmentMember)
            .where(
                DepartmentMember.department_id == department.id,
                DepartmentMember.is_lead,
                DepartmentMember.id != member.id,
            )
            .with_for_update()
        )
    ).all()
    for old in former:
        await _set_lead(session, actor, old, False)
    await _set_lead(session, actor, member, True)
    lead_changed(
        session, actor, department, former[0].person_id if former else None, member.person_id
    )


async def _set_lead(
    session: AsyncSession, actor: Principal, member: DepartmentMember, is_lead: bool
) -> None:
    before = member_state(member)
    member.is_lead = is_lead
    try:
        await session.flush()
    except IntegrityError as exc:
        if getattr(pg_error(exc), "constraint_name", None) != LEAD_INDEX:
            raise
        message = Text(
            "该部门刚刚有了另一位负责人，请刷新后再试",
            "another lead of the department was named at the same time: read it again and retry",
        )
        raise Conflict(message, errors=[FieldError("is_lead", message)]) from None
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="department_member",
        entity_id=member.id,
        before=before,
        after=member_state(member),
    )


async def _own_department(session: AsyncSession, department_id: uuid.UUID) -> Department:
    """The department, if it keeps its own members (a team's are kept on the team)."""
    department = await get_or_404(session, Department, department_id, DEPARTMENT)
    if department.team_id is not None:
        raise Conflict(
            Text(
                "该部门即团队，成员取自团队，请在「/api/v1/teams/{team}/members」中维护",
                "the department is a team and its members are the team's: change them at"
                " /api/v1/teams/{team}/members",
            ).format(team=department.team_id)
        )
    return department


async def _member(
    session: AsyncSession, department_id: uuid.UUID, person_id: uuid.UUID, *, lock: bool = False
) -> DepartmentMember | None:
    stmt = select(DepartmentMember).where(
        DepartmentMember.department_id == department_id, DepartmentMember.person_id == person_id
    )
    return await session.scalar(stmt.with_for_update() if lock else stmt)


async def _member_or_404(
    session: AsyncSession, department_id: uuid.UUID, person_id: uuid.UUID, *, lock: bool = False
) -> DepartmentMember:
    member = await _member(session, department_id, person_id, lock=lock)
    if member is None:
        raise _not_a_member()
    return member


def _not_a_member() -> NotFound:
    return NotFound(Text("此人不是该部门成员", "This person is not a member of the department"))


async def _out(session: AsyncSession, member: DepartmentMember) -> DepartmentMemberOut:
    name = await session.scalar(select(Person.name).where(Person.id == member.person_id))
    return DepartmentMemberOut(
        department_id=member.department_id,
        person_id=member.person_id,
        name=name or "",
        is_lead=member.is_lead,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )


def _member_event(
    session: AsyncSession, actor: Principal, kind: str, member: DepartmentMember
) -> None:
    """department.member_added / department.member_removed."""
    record_event(
        session,
        kind,
        data={
            "department_id": str(member.department_id),
            "person_id": str(member.person_id),
            "is_lead": member.is_lead,
        },
        subject_type="department",
        subject_id=member.department_id,
        actor=actor.name,
    )
