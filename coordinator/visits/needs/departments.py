"""Who a need is assigned to, as a department of the cases engine: a team is the
department linked to it (made, audited, the first time a need goes to the team); a "1+4"
department (urban management, city appearance, the housing office, the residential area)
is the active department of that kind, the one serving the need's area first (made the
first time if the subdistrict has none of the kind)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, nulls_last, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.auth.service import Principal
from coordinator.departments.models import Department, DepartmentKind
from coordinator.departments.schemas import DepartmentIn
from coordinator.departments.service import create_department
from coordinator.people.models import Team
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field, missing_reference
from coordinator.visits.models import Department as NeedDepartment
from coordinator.visits.needs.reading import NEED_DEPARTMENT_KINDS
from coordinator.visits.needs.schemas import AssignIn

TEAM = Text("团队", "team")


async def _lock(session: AsyncSession, key: str) -> None:
    """Two needs assigned at once to a team without a department make it once."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


async def _free_name(session: AsyncSession, wanted: str, tag: str) -> str:
    """The wanted name if no department has it, else the name tagged."""
    for name in (wanted, f"{wanted[:80]}（{tag}）"):
        if await session.scalar(select(Department.id).where(Department.name == name)) is None:
            return name
    return f"{wanted[:80]}（{uuid.uuid4().hex[:8]}）"


async def _made(session: AsyncSession, actor: Principal, data: DepartmentIn) -> Department:
    out = await create_department(session=session, actor=actor, data=data)
    department = await session.get(Department, out.id)
    assert department is not None
    return department


async def team_department(
    session: AsyncSession, actor: Principal, team_id: uuid.UUID
) -> Department:
    """The department that is the team (422 naming team_id if there is no such team, or
    its department is no longer active)."""
    team = await session.get(Team, team_id)
    if team is None:
        raise missing_reference("team_id", TEAM)
    found = await session.scalar(select(Department).where(Department.team_id == team_id))
    if found is None:
        await _lock(session, f"need-team-department:{team_id}")
        found = await session.scalar(select(Department).where(Department.team_id == team_id))
    if found is None:
        name = await _free_name(session, team.name, "团队")
        data = DepartmentIn(name=name, kind=DepartmentKind.other, team_id=team_id)
        found = await _made(session, actor, data)
    if not found.active:
        raise invalid_field(
            "team_id",
            Text("该团队对应的部门「{n}」已停用", "the team's department {n} is inactive").format(
                n=found.name
            ),
        )
    return found


async def kind_department(
    session: AsyncSession, actor: Principal, kind: NeedDepartment, area_id: uuid.UUID | None
) -> Department:
    """The active department of the "1+4" kind, the one of the need's area first, else one
    serving everywhere, else the oldest (made if the kind has no department at all)."""
    wanted = DepartmentKind(NEED_DEPARTMENT_KINDS[kind])
    stmt = (
        select(Department)
        .where(Department.kind == wanted)
        .order_by(
            Department.active.desc(),
            Department.team_id.is_not(None),
            nulls_last((Department.area_id == area_id).desc()),
            Department.area_id.is_not(None),
            Department.created_at,
            Department.id,
        )
        .limit(1)
    )
    found = await session.scalar(stmt)
    if found is None:
        await _lock(session, f"need-kind-department:{wanted.value}")
        found = await session.scalar(stmt)
    if found is None:
        word = labels.label(kind).zh
        name = await _free_name(session, word, labels.label(wanted).zh)
        found = await _made(session, actor, DepartmentIn(name=name, kind=wanted))
    if not found.active:
        raise invalid_field(
            "department",
            Text("没有在用的{zh}部门", "no active {en} department").format(
                zh=labels.label(kind).zh, en=labels.label(kind).en
            ),
        )
    return found


async def department_for(
    session: AsyncSession, actor: Principal, data: AssignIn, area_id: uuid.UUID | None
) -> Department:
    if data.team_id is not None:
        return await team_department(session, actor, data.team_id)
    assert data.department is not None
    return await kind_department(session, actor, data.department, area_id)
