"""Who hears of a case event and in what words: a department's people, a task's assignee,
the reporters, the coordinators; each in their own language (Chinese unless they prefer
English), through the `case_update` mail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.merging.service import Reporter
from coordinator.cases.models import CaseStatus, TaskRole
from coordinator.departments.models import Department, DepartmentMember
from coordinator.labels import render
from coordinator.notifications.models import Channel
from coordinator.notifications.rules import Planned
from coordinator.people.models import Person, TeamMember
from coordinator.platform.settings import Settings

TEMPLATE = "case_update"
Pair = tuple[str, str]


def when(iso: str, lang: str, settings: Settings) -> str:
    moment = datetime.fromisoformat(iso).astimezone(settings.zone)
    name = settings.zone_name.render("en" if lang == "en" else "zh")
    return (
        f"{moment:%Y-%m-%d %H:%M} ({name})"
        if lang == "en"
        else f"{moment:%Y-%m-%d %H:%M}（{name}）"
    )


def _pick(value: Any, language: str) -> Any:
    if isinstance(value, tuple) and len(value) == 2:
        return value[1] if language == "en" else value[0]
    if isinstance(value, list):
        return [_pick(v, language) for v in value]
    return value


def mail(
    recipient: str,
    name: str,
    language: str,
    headline: Pair,
    lines: list[Pair],
    *,
    quiet_hours: str | None = None,
    deferrable: bool = False,
) -> Planned:
    language = "en" if language == "en" else "zh"
    return Planned(
        channel=Channel.email,
        recipient=recipient,
        template=TEMPLATE,
        language=language,
        context={
            "name": name,
            "headline": _pick(headline, language),
            "lines": _pick(lines, language),
        },
        quiet_hours=quiet_hours,
        deferrable=deferrable,
    )


def to_person(
    person: Person | None, headline: Pair, lines: list[Pair], *, deferrable: bool = False
) -> Planned | None:
    if person is None or not person.email or "email" not in (person.channels or ["email"]):
        return None
    return mail(
        person.email,
        person.name,
        person.preferred_language or "zh",
        headline,
        lines,
        quiet_hours=person.quiet_hours,
        deferrable=deferrable,
    )


def to_reporter(reporter: Reporter, headline: Pair, lines: list[Pair]) -> Planned | None:
    if not reporter.email:
        return None
    return mail(
        reporter.email,
        reporter.name or ("居民朋友", "there")[reporter.language == "en"],
        reporter.language,
        headline,
        lines,
        quiet_hours=reporter.quiet_hours,
    )


def to_coordinators(settings: Settings, headline: Pair, lines: list[Pair]) -> list[Planned]:
    return [
        mail(address, "协调员", "zh", headline, lines)
        for address in settings.visits.coordinator_emails
    ]


def unique(planned: list[Planned | None]) -> list[Planned]:
    seen: set[str] = set()
    found = []
    for item in planned:
        if item is not None and item.recipient not in seen:
            seen.add(item.recipient)
            found.append(item)
    return found


async def department_people(
    session: AsyncSession, department_id: uuid.UUID
) -> tuple[Department | None, list[Person], Person | None]:
    """The department, its members (and its team's, if it is a Fumin team), its lead."""
    department = await session.get(Department, department_id)
    if department is None:
        return None, [], None
    members = select(DepartmentMember.person_id).where(
        DepartmentMember.department_id == department_id
    )
    team = (
        select(TeamMember.person_id).where(TeamMember.team_id == department.team_id)
        if department.team_id
        else None
    )
    condition = (
        Person.id.in_(members) if team is None else or_(Person.id.in_(members), Person.id.in_(team))
    )
    people = list(
        (await session.scalars(select(Person).where(condition).order_by(Person.name))).all()
    )
    lead_id = await session.scalar(
        select(DepartmentMember.person_id).where(
            DepartmentMember.department_id == department_id, DepartmentMember.is_lead.is_(True)
        )
    )
    lead = next((p for p in people if p.id == lead_id), None)
    return department, people, lead


def to_department(
    department: Department | None, headline: Pair, lines: list[Pair]
) -> Planned | None:
    """The department's own address, if it has one."""
    if department is None or not department.email:
        return None
    return mail(department.email, department.name, "zh", headline, lines)


async def case_lines(session: AsyncSession, data: dict[str, Any], settings: Settings) -> list[Pair]:
    """What every message of a case says: its number, title, category and state."""
    category = await session.scalar(
        select(CaseCategory).where(CaseCategory.code == data["category"])
    )
    name_zh = category.name if category else data["category"]
    name_en = (category.name_en or category.name) if category else data["category"]
    status = data["status"]
    return [
        (f"案件编号：{data['number']}", f"Case number: {data['number']}"),
        (f"标题：{data['title']}", f"Title: {data['title']}"),
        (f"事项类型：{name_zh}", f"Category: {name_en}"),
        (
            f"当前状态：{render(status, 'zh', CaseStatus)}",
            f"Status: {render(status, 'en', CaseStatus)}",
        ),
    ]


def task_lines(
    data: dict[str, Any], department: Department | None, settings: Settings
) -> list[Pair]:
    name = department.name if department else ""
    role = data.get("role", "")
    return [
        (
            f"部门：{name}（{render(role, 'zh', TaskRole)}）",
            f"Department: {name} ({render(role, 'en', TaskRole)})",
        ),
        (
            f"任务期限：{when(data['due_at'], 'zh', settings)}",
            f"Task due: {when(data['due_at'], 'en', settings)}",
        ),
    ]
