"""Rules of people: who they are, their skills and party membership."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, exists
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.writes import apply_update, audit_created, delete_row
from coordinator.auth.service import Principal
from coordinator.people.models import Person, TeamMember
from coordinator.people.schemas import PersonIn, PersonOut, PersonPatch, PersonQuery
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.listing import JsonBody, Listing
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.platform.resources import ensure_exists, get_or_404, patch_values
from coordinator.registry.models import Company, PartyBranch

PERSON = Text("人员", "person")
PARTY_BRANCH = Text("党支部", "party branch")
COMPANY = Text("企业", "company")


async def _check_party_branch(
    session: AsyncSession, *, party_member: bool, party_branch_id: uuid.UUID | None
) -> None:
    """Only a party member belongs to a branch, and the branch must exist."""
    if party_branch_id is None:
        return
    if not party_member:
        message = Text("只有党员才能填写所在党支部", "only a party member can have a party branch")
        raise ValidationFailed(message, errors=[FieldError("party_branch_id", message)])
    await ensure_exists(session, PartyBranch, party_branch_id, "party_branch_id", PARTY_BRANCH)


async def create_person(*, session: AsyncSession, actor: Principal, data: PersonIn) -> Person:
    """Register someone who works in Fumin: liaison, volunteer or coordinator."""
    await _check_party_branch(
        session, party_member=data.party_member, party_branch_id=data.party_branch_id
    )
    await ensure_exists(session, Company, data.company_id, "company_id", COMPANY)
    person = Person(**data.model_dump())
    session.add(person)
    await audit_created(session, actor, person, "person")
    return person


async def get_person(*, session: AsyncSession, person_id: uuid.UUID) -> Person:
    return await get_or_404(session, Person, person_id, PERSON)


async def update_person(
    *, session: AsyncSession, actor: Principal, person_id: uuid.UUID, patch: PersonPatch
) -> Person:
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    values = patch_values(
        patch,
        required={"name", "skills", "party_member", "preferred_language", "channels"},
    )
    await _check_party_branch(
        session,
        party_member=values.get("party_member", person.party_member),
        party_branch_id=values.get("party_branch_id", person.party_branch_id),
    )
    if values.get("company_id") is not None:
        await ensure_exists(session, Company, values["company_id"], "company_id", COMPANY)
    await apply_update(session, actor, person, values, "person")
    return person


async def delete_person(*, session: AsyncSession, actor: Principal, person_id: uuid.UUID) -> None:
    """Delete a person no team, team lead or branch secretary still names (else 409)."""
    person = await get_or_404(session, Person, person_id, PERSON, lock=True)
    await delete_row(session, actor, person, "person", PERSON)


PEOPLE = Listing(
    Person,
    PersonOut,
    sorts={"name": Person.name, "created_at": Person.created_at, "updated_at": Person.updated_at},
    filters={
        "party_branch_id": Person.party_branch_id,
        "company_id": Person.company_id,
        "party_member": Person.party_member,
        "skill": lambda skill: skill == any_(Person.skills),
        "team_id": lambda team_id: exists().where(
            TeamMember.person_id == Person.id, TeamMember.team_id == team_id
        ),
    },
    search=(Person.name,),
)


async def list_people(*, database: Database, query: PersonQuery) -> JsonBody:
    return await PEOPLE.page(database, query)
