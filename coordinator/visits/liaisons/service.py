"""Designated liaisons (一对一联络员): one per company, assigned one by one or for every
company of a building or party branch; each change is an event both liaisons hear of."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record
from coordinator.auth.service import Principal
from coordinator.events.service import record_event
from coordinator.people.models import Person, Team, TeamKind, TeamMember
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field
from coordinator.platform.resources import ensure_exists, get_or_404
from coordinator.registry.models import Building, Company, PartyBranch
from coordinator.visits.liaisons.schemas import BulkLiaisonIn

COMPANY = Text("企业", "company")
PERSON = Text("人员", "person")


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
        raise invalid_field(
            "building_id",
            Text(
                "须且只能填写「building_id」或「party_branch_id」之一",
                "give exactly one of building_id and party_branch_id",
            ),
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
