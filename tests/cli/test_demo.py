"""The demo subdistrict: the promised counts, valid identifiers, loaded only once, and its
cases in every state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from coordinator.audit.models import AuditEntry
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.categories.service import resolve_route
from coordinator.cases.models import Case, CaseSource, CaseStatus, CaseTask, TaskStatus
from coordinator.departments.models import Department, DepartmentKind
from coordinator.departments.service import lead_of
from coordinator.events.models import OutboxEvent
from coordinator.ops.demo import COUNTS, build_demo
from coordinator.ops.demo_load import load_demo
from coordinator.people.models import MemberRole, Person, Team, TeamKind, TeamMember
from coordinator.platform.db import utcnow
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
from coordinator.visits.models import NeedCategory


async def test_demo_loads_the_promised_counts_into_an_empty_database(database, settings) -> None:
    counts = await load_demo(database, settings)
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


async def test_demo_is_not_loaded_twice(database, settings) -> None:
    assert await load_demo(database, settings) is not None
    assert await load_demo(database, settings) is None
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Company)) == 200


async def test_demo_is_not_loaded_into_a_database_with_a_registry(database, settings) -> None:
    async with database.sessionmaker.begin() as session:
        session.add(Area(name="自建居民区", kind="residential"))
    assert await load_demo(database, settings) is None
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Company)) == 0


def test_demo_is_the_same_every_time() -> None:
    assert build_demo() == build_demo()
    assert build_demo(seed=1).companies != build_demo().companies


async def test_demo_departments_have_a_lead_and_categories_route_to_them(
    database, settings
) -> None:
    assert await load_demo(database, settings) is not None
    async with database.session() as session:
        departments = (await session.scalars(select(Department).order_by(Department.name))).all()
        assert len(departments) == 11
        assert {d.kind for d in departments} == set(DepartmentKind)
        for department in departments:
            assert await lead_of(session, department) is not None, department.name
        by_name = {d.name: d for d in departments}
        assert by_name["南京西路企业服务中心"].team_id is not None
        codes = set((await session.scalars(select(CaseCategory.code))).all())
        assert {c.value for c in NeedCategory} <= codes
        assert {"group_rental", "day_rental", "bikes_blocking", "garbage_room"} <= codes
        category = {c.code: c.id for c in (await session.scalars(select(CaseCategory))).all()}
        tower = await session.scalar(select(Building).where(Building.name == "恒晟广场"))
        assert tower is not None
        names = {d.id: d.name for d in departments}

        async def routed(code: str, **place: Any) -> tuple[str, str, set[str]]:
            found = await resolve_route(session, category[code], **place)
            assert found is not None, code
            helpers = {names[h] for h in found.helper_department_ids}
            return found.place, names[found.lead_department_id], helpers

        assert await routed("group_rental", building_id=tower.id) == (
            "area",
            "南京西路房办",
            {"南京西路城管中队", "南京西路市容所", "梧桐里居委会"},
        )
        assert await routed("bikes_blocking", building_id=tower.id) == (
            "building",
            "南京西路城管中队",
            {"南京西路市容所", "恒晟广场物业服务中心"},
        )
        assert (await routed("group_rental"))[:2] == ("category", "南京西路房办")
        assert await resolve_route(session, category["other"]) is None


async def test_demo_cases_pass_through_every_state_by_the_engines_rules(database, settings) -> None:
    counts = await load_demo(database, settings)
    assert counts is not None and counts["cases"] == 12
    async with database.session() as session:
        cases = (await session.scalars(select(Case).order_by(Case.number))).all()
        assert len(cases) == 12
        assert {c.status for c in cases} == set(CaseStatus)
        closed_by = sorted(c.closed_by or "" for c in cases if c.status is CaseStatus.closed)
        assert closed_by == ["confirmed", "unanswered"]
        merged = next(c for c in cases if c.status is CaseStatus.merged)
        master = next(c for c in cases if c.id == merged.merged_into_id)
        assert master.category_id == merged.category_id and master.status is CaseStatus.accepted
        hotline = [c for c in cases if c.hotline_number]
        assert len(hotline) == 1 and hotline[0].source is CaseSource.hotline
        tasks = (await session.scalars(select(CaseTask))).all()
        statuses = {t.status for t in tasks}
        assert {TaskStatus.pending, TaskStatus.accepted, TaskStatus.done} <= statuses
        assert TaskStatus.returned in statuses and TaskStatus.dropped in statuses
        now = utcnow()
        # Some work is late from the start, so the clock and the overdue list have something.
        assert any(t.status is TaskStatus.accepted and t.due_at < now for t in tasks)
        assert all(c.created_at <= c.updated_at <= now for c in cases)
        # Every step was the engine's: each case has its creation event and audit entry.
        events = (
            await session.scalars(
                select(OutboxEvent.type).where(OutboxEvent.subject_type == "case")
            )
        ).all()
        assert events.count("case.created") == 12
        assert {"case.resolved", "case.closed", "case.reopened", "case.merged"} <= set(events)
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "case")
        )
        assert audited is not None and audited >= 12
