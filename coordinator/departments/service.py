"""Rules of departments (部门/力量): the forces that lead and co-handle cases.

A department linked to a Fumin team (team_id) takes its people from the team: its members
are the team's members and its lead the team's lead, kept on the team (/teams/{id}/members);
a department of its own keeps its members here (department_members, one lead at most)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.audit.writes import apply_update, audit_created, delete_row, raise_change
from coordinator.auth.service import Principal
from coordinator.departments.models import DEPARTMENT, Department, DepartmentMember
from coordinator.departments.schemas import (
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    DepartmentQuery,
)
from coordinator.people.models import Team
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, FieldError
from coordinator.platform.references import ensure_unreferenced
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import AREA, Area

TEAM = Text("团队", "team")

# The lead as listed: the team's lead for a team, else the member marked lead.
_LEAD_SQL = (
    "CASE WHEN departments.team_id IS NULL"
    " THEN (SELECT lead.person_id FROM department_members AS lead"
    " WHERE lead.department_id = departments.id AND lead.is_lead)"
    " ELSE (SELECT team.lead_id FROM teams AS team WHERE team.id = departments.team_id) END"
)

DEPARTMENTS = Listing(
    Department,
    DepartmentOut,
    sorts={
        "name": Department.name,
        "created_at": Department.created_at,
        "updated_at": Department.updated_at,
    },
    filters={
        "kind": Department.kind,
        "active": Department.active,
        "team_id": Department.team_id,
        "area_id": Department.area_id,
    },
    search=(Department.name,),
    json={"lead_id": f"COALESCE('\"' || ({_LEAD_SQL})::text || '\"', 'null')"},
)


async def list_departments(*, database: Database, query: DepartmentQuery) -> JsonBody:
    """Departments, filtered by kind, active, team or area; q searches the name."""
    return await DEPARTMENTS.page(database, query)


async def lead_of(session: AsyncSession, department: Department) -> uuid.UUID | None:
    """The department's lead: its team's lead for a team, else its member marked lead."""
    if department.team_id is not None:
        return await session.scalar(select(Team.lead_id).where(Team.id == department.team_id))
    return await session.scalar(
        select(DepartmentMember.person_id).where(
            DepartmentMember.department_id == department.id, DepartmentMember.is_lead
        )
    )


def _columns(department: Department) -> dict[str, Any]:
    return {
        name: getattr(department, name) for name in DepartmentOut.model_fields if name != "lead_id"
    }


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


async def department_out(session: AsyncSession, department: Department) -> DepartmentOut:
    """A department as the API shows it, with its lead."""
    return DepartmentOut(**_columns(department), lead_id=await lead_of(session, department))


async def _ensure_references(session: AsyncSession, values: dict[str, Any]) -> None:
    await ensure_exists(session, Team, values.get("team_id"), "team_id", TEAM)
    await ensure_exists(session, Area, values.get("area_id"), "area_id", AREA)


async def create_department(
    *, session: AsyncSession, actor: Principal, data: DepartmentIn
) -> DepartmentOut:
    """Register a department (name unique; one department per team)."""
    values = data.model_dump()
    await _ensure_references(session, values)
    department = Department(**values)
    session.add(department)
    await audit_created(session, actor, department, "department")
    return await department_out(session, department)


async def get_department(*, session: AsyncSession, department_id: uuid.UUID) -> DepartmentOut:
    department = await get_or_404(session, Department, department_id, DEPARTMENT)
    return await department_out(session, department)


async def update_department(
    *, session: AsyncSession, actor: Principal, department_id: uuid.UUID, patch: DepartmentPatch
) -> DepartmentOut:
    """Change a department; linking it to a team needs it to have no members of its own."""
    department = await get_or_404(session, Department, department_id, DEPARTMENT, lock=True)
    values = patch_values(patch, required={"name", "kind", "active"})
    await _ensure_references(session, values)
    if values.get("team_id") is not None and values["team_id"] != department.team_id:
        own = await session.scalar(
            select(func.count())
            .select_from(DepartmentMember)
            .where(DepartmentMember.department_id == department.id)
        )
        if own:
            message = Text(
                "该部门已有自己的成员，须先移除（{n} 人）才能关联团队，关联后成员取自团队",
                "the department has {n} members of its own: remove them before linking it to a"
                " team (its members then come from the team)",
            ).format(n=own)
            raise Conflict(message, errors=[FieldError("team_id", message)])
    lead_before = await lead_of(session, department)
    lead_after = lead_before
    if "team_id" in values and values["team_id"] != department.team_id:
        # A team's lead is the team's; a department unlinked from one has no members yet.
        team_id = values["team_id"]
        lead_after = (
            None
            if team_id is None
            else await session.scalar(select(Team.lead_id).where(Team.id == team_id))
        )
    await apply_update(
        session,
        actor,
        department,
        values,
        "department",
        extra_before={"lead_id": _text(lead_before)},
        extra_after={"lead_id": _text(lead_after)},
    )
    return DepartmentOut(**_columns(department), lead_id=lead_after)


def lead_changed(
    session: AsyncSession,
    actor: Principal,
    department: Department,
    before: uuid.UUID | None,
    after: uuid.UUID | None,
) -> None:
    """department.updated naming the lead that changed (its members' rows are audited)."""
    raise_change(
        session,
        actor,
        "department",
        "updated",
        department.id,
        {
            "id": str(department.id),
            "name": department.name,
            "kind": department.kind.value,
            "lead_id": _text(after),
            "former_lead_id": _text(before),
            "changed": ["lead_id"],
        },
    )


async def delete_department(
    *, session: AsyncSession, actor: Principal, department_id: uuid.UUID
) -> None:
    """Delete a department no case, task or routing rule names; its members go with it."""
    department = await get_or_404(session, Department, department_id, DEPARTMENT, lock=True)
    await ensure_unreferenced(session, Department.__table__, department.id, DEPARTMENT)  # type: ignore[arg-type]
    members = (
        await session.scalars(
            select(DepartmentMember)
            .where(DepartmentMember.department_id == department.id)
            .with_for_update()
        )
    ).all()
    for member in members:
        state = member_state(member)
        await session.delete(member)
        record(
            session=session,
            actor=actor,
            action="delete",
            entity_type="department_member",
            entity_id=member.id,
            before=state,
        )
    await delete_row(session, actor, department, "department", DEPARTMENT)


def member_state(member: DepartmentMember) -> dict[str, Any]:
    """A membership as the audit log and events show it."""
    return {
        "id": str(member.id),
        "department_id": str(member.department_id),
        "person_id": str(member.person_id),
        "is_lead": member.is_lead,
    }
