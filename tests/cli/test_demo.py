"""The demo subdistrict: the promised counts, valid identifiers, loaded only once."""

from __future__ import annotations

from sqlalchemy import func, select

from coordinator.ops.demo import COUNTS, build_demo, load_demo
from coordinator.people.models import MemberRole, Person, Team, TeamKind, TeamMember
from coordinator.registry.codes import credit_code_problem, valid_mobile
from coordinator.registry.models import (
    Area,
    BranchKind,
    Building,
    Company,
    Contact,
    PartyBranch,
    party_branch_buildings,
)


async def test_demo_loads_the_promised_counts_into_an_empty_database(database) -> None:
    counts = await load_demo(database)
    assert counts is not None
    async with database.session() as session:

        async def count(model) -> int:  # type: ignore[no-untyped-def]
            return await session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]

        assert {
            "areas": await count(Area),
            "buildings": await count(Building),
            "party_branches": await count(PartyBranch),
            "companies": await count(Company),
            "people": await count(Person),
            "teams": await count(Team),
        } == COUNTS
        assert await count(Contact) == counts["contacts"] >= COUNTS["companies"]
        assert await count(TeamMember) == counts["team_members"]

        codes = (await session.scalars(select(Company.credit_code))).all()
        assert [c for c in codes if credit_code_problem(c)] == []
        assert {c[2:8] for c in codes} == {"310106"}
        mobiles = (await session.scalars(select(Contact.mobile))).all()
        assert all(valid_mobile(m) == m for m in mobiles)

        kinds = (await session.scalars(select(PartyBranch.kind))).all()
        assert sorted(kinds) == [BranchKind.building_joint] * 4 + [BranchKind.residential_general]
        covered = (await session.scalars(select(party_branch_buildings.c.building_id))).all()
        assert len(set(covered)) == COUNTS["buildings"]

        teams = (await session.execute(select(Team.kind, Team.lead_id))).all()
        assert sorted(kind for kind, _ in teams) == sorted(
            [TeamKind.liaison, TeamKind.liaison, TeamKind.volunteer, TeamKind.joint_operation]
        )
        leads = set(
            (
                await session.execute(
                    select(TeamMember.team_id, TeamMember.person_id).where(
                        TeamMember.role == MemberRole.lead
                    )
                )
            ).all()
        )
        team_leads = set((await session.execute(select(Team.id, Team.lead_id))).all())
        assert leads == team_leads


async def test_demo_is_not_loaded_twice(database) -> None:
    assert await load_demo(database) is not None
    assert await load_demo(database) is None
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Company)) == 200


async def test_demo_is_not_loaded_into_a_database_with_a_registry(database) -> None:
    async with database.sessionmaker.begin() as session:
        session.add(Area(name="自建居民区", kind="residential"))
    assert await load_demo(database) is None
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Company)) == 0


def test_demo_is_the_same_every_time() -> None:
    assert build_demo() == build_demo()
    assert build_demo(seed=1).companies != build_demo().companies
