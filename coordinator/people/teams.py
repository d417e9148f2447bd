"""Rules of teams: members with roles, and a lead who is always the member with role lead."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.auth.service import Principal
from coordinator.crud import ensure_exists, get_or_404, patch_values
from coordinator.i18n import Text
from coordinator.listing import paginate, search
from coordinator.people.models import MemberRole, Person, Team, TeamMember
from coordinator.people.schemas import (
    MemberIn,
    MemberOut,
    MemberQuery,
    MembershipOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TeamQuery,
)
from coordinator.problems import Conflict, FieldError, NotFound, ValidationFailed, missing_reference
from coordinator.references import ensure_unreferenced

TEAM = Text("团队", "team")
PERSON = Text("人员", "person")
MEMBER = Text("团队成员", "team member")


# Reading


async def members_of(
    session: AsyncSession, team_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MemberOut]]:
    """Members of several teams in one query: lead, deputies, members, each by name."""
    found: dict[uuid.UUID, list[MemberOut]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return found
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.person_id, Person.name, TeamMember.role)
        .join(Person, Person.id == TeamMember.person_id)
        .where(TeamMember.team_id.in_(team_ids))
        .order_by(TeamMember.role_rank, Person.name, Person.id)
    )
    for team_id, person_id, name, role in rows:
        found[team_id].append(MemberOut(person_id=person_id, name=name, role=role))
    return found


async def describe(session: AsyncSession, team: Team) -> TeamOut:
    """A team with its members."""
    out = TeamOut.model_validate(team)
    out.members = (await members_of(session, [team.id]))[team.id]
    return out


async def get_team(*, session: AsyncSession, team_id: uuid.UUID) -> TeamOut:
    return await describe(session, await get_or_404(session, Team, team_id, TEAM))


async def list_teams(*, session: AsyncSession, query: TeamQuery) -> dict[str, Any]:
    stmt = select(Team)
    if query.kind:
        stmt = stmt.where(Team.kind == query.kind)
    if query.person_id:
        stmt = stmt.where(
            exists().where(TeamMember.team_id == Team.id, TeamMember.person_id == query.person_id)
        )
    if (match := search([Team.name], query.q)) is not None:
        stmt = stmt.where(match)
    page = await paginate(
        session,
        stmt,
        query=query,
        id_column=Team.id,
        sortable={"name": Team.name, "created_at": Team.created_at, "updated_at": Team.updated_at},
        default_sort="name",
        serialize=TeamOut.model_validate,
    )
    members = await members_of(session, [uuid.UUID(item["id"]) for item in page["items"]])
    for item in page["items"]:
        item["members"] = [m.model_dump(mode="json") for m in members[uuid.UUID(item["id"])]]
    return page


async def list_members(
    *, session: AsyncSession, team_id: uuid.UUID, query: MemberQuery
) -> dict[str, Any]:
    await get_or_404(session, Team, team_id, TEAM)
    stmt = select(TeamMember).where(TeamMember.team_id == team_id)
    if query.role:
        stmt = stmt.where(TeamMember.role == query.role)
    if (match := search([Person.name], query.q)) is not None:
        stmt = stmt.where(exists().where(Person.id == TeamMember.person_id, match))
    return await paginate(
        session,
        stmt,
        query=query,
        id_column=TeamMember.id,
        sortable={
            "name": TeamMember.person_name,
            "role": TeamMember.role_rank,
            "created_at": TeamMember.created_at,
        },
        default_sort="name",
        serialize=lambda m: _membership_out(m, m.person_name),
    )


async def get_member(
    *, session: AsyncSession, team_id: uuid.UUID, person_id: uuid.UUID
) -> MembershipOut:
    await get_or_404(session, Team, team_id, TEAM)
    member = await _membership_or_404(session, team_id, person_id)
    return _membership_out(member, member.person_name)


# Writing


async def create_team(*, session: AsyncSession, actor: Principal, data: TeamIn) -> TeamOut:
    """Form a team; its lead becomes a member with role lead."""
    roles, lead_id = _resolve_roles(data)
    await _ensure_people(session, data)
    await _ensure_name_free(session, data.name)
    team = Team(name=data.name, kind=data.kind, lead_id=lead_id)
    session.add(team)
    await session.flush()
    session.add_all(
        TeamMember(team_id=team.id, person_id=person_id, role=role)
        for person_id, role in roles.items()
    )
    await session.flush()
    out = await describe(session, team)
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="team",
        entity_id=team.id,
        after=_state(out),
    )
    return out


async def update_team(
    *, session: AsyncSession, actor: Principal, team_id: uuid.UUID, patch: TeamPatch
) -> TeamOut:
    """Rename, change the kind, or hand the lead to someone else."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    values = patch_values(patch, required={"name", "kind"})
    if "name" in values and values["name"] != team.name:
        await _ensure_name_free(session, values["name"])
    before = snapshot(team)
    if "lead_id" in values and values["lead_id"] != team.lead_id:
        await ensure_exists(session, Person, values["lead_id"], "lead_id", PERSON)
        await _hand_lead(session, actor, team, values.pop("lead_id"))
    for name, value in values.items():
        setattr(team, name, value)
    await session.flush()
    _record_team_update(session, actor, team, before)
    return await describe(session, team)


async def delete_team(*, session: AsyncSession, actor: Principal, team_id: uuid.UUID) -> None:
    """Delete a team unless something still refers to it; its memberships go with it."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    await ensure_unreferenced(session, cast(Table, Team.__table__), team.id, TEAM)
    before = _state(await describe(session, team))
    await session.delete(team)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="team",
        entity_id=team_id,
        before=before,
    )


async def add_member(
    *, session: AsyncSession, actor: Principal, team_id: uuid.UUID, data: MemberIn
) -> MembershipOut:
    """Add a person to a team; adding the role lead makes them the team's lead."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    person = await session.get(Person, data.person_id)
    if person is None:
        raise missing_reference("person_id", PERSON)
    if await _membership(session, team_id, data.person_id) is not None:
        message = Text("此人已是该团队成员", "this person is already a member of the team")
        raise Conflict(message, errors=[FieldError("person_id", message)])
    if data.role == MemberRole.lead:
        before = snapshot(team)
        await _hand_lead(session, actor, team, person.id)
        _record_team_update(session, actor, team, before)
        member = await _membership_or_404(session, team_id, person.id)
    else:
        member = await _set_role(session, actor, team_id, person.id, data.role)
    return _membership_out(member, person.name)


async def update_member(
    *,
    session: AsyncSession,
    actor: Principal,
    team_id: uuid.UUID,
    person_id: uuid.UUID,
    role: MemberRole,
) -> MembershipOut:
    """Change a member's role; the lead role moves the team's lead with it."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    member = await _membership_or_404(session, team_id, person_id)
    name = member.person_name
    if role != member.role:
        before = snapshot(team)
        if role == MemberRole.lead:
            await _hand_lead(session, actor, team, person_id)
        else:
            if team.lead_id == person_id:
                team.lead_id = None
            await _set_role(session, actor, team_id, person_id, role)
        await session.flush()
        if snapshot(team) != before:
            _record_team_update(session, actor, team, before)
    return _membership_out(member, name)


async def remove_member(
    *, session: AsyncSession, actor: Principal, team_id: uuid.UUID, person_id: uuid.UUID
) -> None:
    """Take a person off a team; removing the lead leaves the team without one."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    member = await _membership_or_404(session, team_id, person_id)
    if team.lead_id == person_id:
        before = snapshot(team)
        team.lead_id = None
        await session.flush()
        _record_team_update(session, actor, team, before)
    state = _member_state(member)
    await session.delete(member)
    await session.flush()
    record(
        session=session,
        actor=actor,
        action="delete",
        entity_type="team_member",
        entity_id=member.id,
        before=state,
    )


# Helpers


def _resolve_roles(data: TeamIn) -> tuple[dict[uuid.UUID, MemberRole], uuid.UUID | None]:
    """Each member's role, and the lead: lead_id, or else the one member named lead."""
    roles: dict[uuid.UUID, MemberRole] = {}
    errors: list[FieldError] = []
    lead_id = data.lead_id
    for index, member in enumerate(data.members):
        if member.person_id in roles:
            errors.append(
                FieldError(
                    f"members.{index}.person_id",
                    Text("同一人重复列出", "the same person is listed twice"),
                )
            )
            continue
        if member.role == MemberRole.lead and member.person_id != lead_id:
            if lead_id is None:
                lead_id = member.person_id
            else:
                errors.append(
                    FieldError(
                        f"members.{index}.role",
                        Text(
                            "团队只有一名负责人（lead_id）",
                            "a team has one lead (lead_id)",
                        ),
                    )
                )
                continue
        roles[member.person_id] = member.role
    if errors:
        raise ValidationFailed(errors=errors)
    if lead_id is not None:
        roles[lead_id] = MemberRole.lead
    return roles, lead_id


async def _ensure_people(session: AsyncSession, data: TeamIn) -> None:
    """Every person the body names exists (422 naming each field that does not)."""
    named: list[tuple[str, uuid.UUID]] = [
        (f"members.{i}.person_id", m.person_id) for i, m in enumerate(data.members)
    ]
    if data.lead_id is not None:
        named.insert(0, ("lead_id", data.lead_id))
    if not named:
        return
    ids = {person_id for _, person_id in named}
    found = set((await session.scalars(select(Person.id).where(Person.id.in_(ids)))).all())
    message = Text("引用的人员不存在", "the referenced person does not exist")
    errors = [FieldError(field, message) for field, person_id in named if person_id not in found]
    if errors:
        raise ValidationFailed(message, errors=errors)


async def _ensure_name_free(session: AsyncSession, name: str) -> None:
    if await session.scalar(select(Team.id).where(Team.name == name)) is not None:
        message = Text("已有同名团队", "a team with this name already exists")
        raise Conflict(message, errors=[FieldError("name", message)])


async def _membership(
    session: AsyncSession, team_id: uuid.UUID, person_id: uuid.UUID
) -> TeamMember | None:
    return await session.scalar(
        select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.person_id == person_id)
    )


async def _membership_or_404(
    session: AsyncSession, team_id: uuid.UUID, person_id: uuid.UUID
) -> TeamMember:
    member = await _membership(session, team_id, person_id)
    if member is None:
        raise NotFound(Text("此人不是该团队成员", "This person is not a member of the team"))
    return member


async def _set_role(
    session: AsyncSession,
    actor: Principal,
    team_id: uuid.UUID,
    person_id: uuid.UUID,
    role: MemberRole,
) -> TeamMember:
    """Give a person a role on a team, joining them if needed (audited)."""
    member = await _membership(session, team_id, person_id)
    if member is None:
        member = TeamMember(team_id=team_id, person_id=person_id, role=role)
        session.add(member)
        await session.flush()
        record(
            session=session,
            actor=actor,
            action="create",
            entity_type="team_member",
            entity_id=member.id,
            after=_member_state(member),
        )
    elif member.role != role:
        before = _member_state(member)
        member.role = role
        await session.flush()
        record(
            session=session,
            actor=actor,
            action="update",
            entity_type="team_member",
            entity_id=member.id,
            before=before,
            after=_member_state(member),
        )
    return member


async def _hand_lead(
    session: AsyncSession, actor: Principal, team: Team, new_lead_id: uuid.UUID | None
) -> None:
    """Move the lead: the old lead stays on as a member, the new one is a member with role lead."""
    old_lead_id = team.lead_id
    team.lead_id = new_lead_id
    if old_lead_id is not None and old_lead_id != new_lead_id:
        if await _membership(session, team.id, old_lead_id) is not None:
            await _set_role(session, actor, team.id, old_lead_id, MemberRole.member)
    if new_lead_id is not None:
        await _set_role(session, actor, team.id, new_lead_id, MemberRole.lead)


def _record_team_update(
    session: AsyncSession, actor: Principal, team: Team, before: dict[str, Any]
) -> None:
    record(
        session=session,
        actor=actor,
        action="update",
        entity_type="team",
        entity_id=team.id,
        before=before,
        after=snapshot(team),
    )


def _state(team: TeamOut) -> dict[str, Any]:
    return team.model_dump(mode="json")


def _member_state(member: TeamMember) -> dict[str, Any]:
    return {
        "id": str(member.id),
        "team_id": str(member.team_id),
        "person_id": str(member.person_id),
        "role": member.role.value,
    }


def _membership_out(member: TeamMember, name: str) -> MembershipOut:
    return MembershipOut(
        team_id=member.team_id,
        person_id=member.person_id,
        name=name,
        role=member.role,
        created_at=member.created_at,
        updated_at=member.updated_at,
    )
