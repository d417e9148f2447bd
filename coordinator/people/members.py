"""Rules of team membership: roles, and the lead role moving with the team's lead."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.audit.writes import raise_change
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.people.models import MemberRole, Person, Team, TeamMember
from coordinator.people.schemas import MemberIn, MemberQuery, MembershipOut
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, FieldError, NotFound, missing_reference
from coordinator.platform.resources import changed_fields, get_or_404

TEAM = Text("团队", "team")
PERSON = Text("人员", "person")


MEMBERS = Listing(
    TeamMember,
    MembershipOut,
    source=TeamMember.__table__.join(Person.__table__, Person.id == TeamMember.person_id),
    columns={"name": Person.name},
    sorts={"name": Person.name, "role": TeamMember.role_rank, "created_at": TeamMember.created_at},
    filters={"team_id": TeamMember.team_id, "role": TeamMember.role},
    search=(Person.name,),
)


async def list_members(*, database: Database, team_id: uuid.UUID, query: MemberQuery) -> JsonBody:
    """Sorted by name (default), role (lead, deputy, member) or created_at."""
    async with database.session() as session:
        await get_or_404(session, Team, team_id, TEAM)
    return await MEMBERS.page(database, query, team_id=team_id)


async def get_member(
    *, session: AsyncSession, team_id: uuid.UUID, person_id: uuid.UUID
) -> MembershipOut:
    await get_or_404(session, Team, team_id, TEAM)
    member = await _membership_or_404(session, team_id, person_id)
    return _membership_out(member, member.person_name)


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
        await hand_lead(session, actor, team, person.id)
        record_team_update(session, actor, team, before)
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
            await hand_lead(session, actor, team, person_id)
        else:
            if team.lead_id == person_id:
                team.lead_id = None
            await _set_role(session, actor, team_id, person_id, role)
        await session.flush()
        if snapshot(team) != before:
            record_team_update(session, actor, team, before)
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
        record_team_update(session, actor, team, before)
    state = _member_state(member)
    member_event(session, actor, "team.member_removed", member)
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


# Helpers (teams uses hand_lead and record_team_update)


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
        member_event(session, actor, "team.member_added", member)
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


async def hand_lead(
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


def member_event(session: AsyncSession, actor: Principal, kind: str, member: TeamMember) -> None:
    """team.member_added / team.member_removed: the person hears of it."""
    record_event(
        session,
        kind,
        data={
            "team_id": str(member.team_id),
            "person_id": str(member.person_id),
            "role": member.role.value,
        },
        subject_type="team",
        subject_id=member.team_id,
        actor=actor.name,
    )


def record_team_update(
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
    after = snapshot(team)
    changed = changed_fields(before, after)
    raise_change(session, actor, "team", "updated", team.id, {**after, "changed": changed})


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
