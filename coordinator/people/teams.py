"""Rules of teams: forming, renaming and deleting them, and who leads them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.audit.writes import delete_row, raise_change
from coordinator.auth.service import Principal
from coordinator.people.members import PERSON, TEAM, hand_lead, member_event, record_team_update
from coordinator.people.models import MemberRole, Person, Team, TeamMember, rank_of
from coordinator.people.schemas import MemberOut, TeamIn, TeamOut, TeamPatch, TeamQuery
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.json_sql import list_json, object_json
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import Conflict, FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values

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


_member = TeamMember.__table__.alias("member")
_person = Person.__table__.alias("person")
TEAMS = Listing(
    Team,
    TeamOut,
    sorts={"name": Team.name, "created_at": Team.created_at, "updated_at": Team.updated_at},
    filters={
        "kind": Team.kind,
        "person_id": lambda person_id: exists().where(
            TeamMember.team_id == Team.id, TeamMember.person_id == person_id
        ),
    },
    search=(Team.name,),
    # Its members as members_of gives them: lead, deputies, members, each by name.
    json={
        "members": list_json(
            object_json(
                MemberOut,
                {
                    "person_id": _member.c.person_id,
                    "name": _person.c.name,
                    "role": _member.c.role,
                }.get,
                {},
            ),
            rows="team_members AS member JOIN people AS person ON person.id = member.person_id"
            " WHERE member.team_id = teams.id",
            order_by=[rank_of(_member.c.role), _person.c.name, _person.c.id],
        )
    },
)


async def list_teams(*, database: Database, query: TeamQuery) -> JsonBody:
    return await TEAMS.page(database, query)


# Writing


async def create_team(*, session: AsyncSession, actor: Principal, data: TeamIn) -> TeamOut:
    """Form a team; its lead becomes a member with role lead."""
    roles, lead_id = _resolve_roles(data)
    await _ensure_people(session, data)
    await _ensure_name_free(session, data.name)
    team = Team(name=data.name, kind=data.kind, lead_id=lead_id)
    session.add(team)
    await session.flush()
    members = [
        TeamMember(team_id=team.id, person_id=person_id, role=role)
        for person_id, role in roles.items()
    ]
    session.add_all(members)
    await session.flush()
    for member in members:
        member_event(session, actor, "team.member_added", member)
    out = await describe(session, team)
    record(
        session=session,
        actor=actor,
        action="create",
        entity_type="team",
        entity_id=team.id,
        after=_state(out),
    )
    raise_change(session, actor, "team", "created", team.id, _state(out))
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
        await hand_lead(session, actor, team, values.pop("lead_id"))
    for name, value in values.items():
        setattr(team, name, value)
    await session.flush()
    record_team_update(session, actor, team, before)
    return await describe(session, team)


async def delete_team(*, session: AsyncSession, actor: Principal, team_id: uuid.UUID) -> None:
    """Delete a team unless something still refers to it; its memberships go with it."""
    team = await get_or_404(session, Team, team_id, TEAM, lock=True)
    before = _state(await describe(session, team))
    await delete_row(session, actor, team, "team", TEAM, before=before)


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
                            "团队只有一名负责人（「lead_id」）",
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


def _state(team: TeamOut) -> dict[str, Any]:
    return team.model_dump(mode="json")
