"""The demo's cases: a dozen "1+4" cases in every state a case passes through, filed and
moved by the cases' own rules (filing, tasks, resolution, the reporter's answer, merging),
at times in the past days, so their tasks, clocks, audit entries and events are what the
engine itself writes. Some tasks are past due, so the clock has work from the start."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import Principal, Role
from coordinator.cases.filing.service import file_case
from coordinator.cases.followup import service as followup
from coordinator.cases.merging.service import merge_case
from coordinator.cases.models import CaseSource, CaseTask, TaskRole, Urgency
from coordinator.cases.schemas import CaseIn
from coordinator.cases.service import accept_case, reject_case
from coordinator.cases.tasks import service as tasks
from coordinator.photos.service import store_photo
from coordinator.photos.store import photo_store
from coordinator.platform.db import utcnow
from coordinator.platform.settings import Settings

DEMO = Principal(token_id=None, name="演示协调员", role=Role.coordinator)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# (title, category, where: "area"/"building", how long ago it was filed, urgency,
#  where it has got to, the reporter's name and phone). The steps are in STEPS.
CASES: tuple[tuple[str, str, str, timedelta, str, str, str], ...] = (
    (
        "威海路某小区一套住房隔成六间出租",
        "group_rental",
        "area",
        9 * DAY,
        "high",
        "closed",
        "王阿姨",
    ),
    (
        "同一幢楼又一户疑似隔断群租",
        "group_rental",
        "area",
        2 * DAY,
        "normal",
        "in_progress",
        "李师傅",
    ),
    ("住宅频繁更换住客，疑似日租", "day_rental", "area", 3 * HOUR, "normal", "new", "赵先生"),
    (
        "恒晟广场门口电瓶车堵住人行道",
        "bikes_blocking",
        "building",
        5 * HOUR,
        "normal",
        "accepted",
        "陈女士",
    ),
    ("电瓶车又停满出入口", "bikes_blocking", "building", 4 * HOUR, "normal", "merged", "周先生"),
    ("垃圾箱房满溢有异味", "garbage_room", "area", 4 * DAY, "normal", "resolved", "吴阿姨"),
    (
        "沿街店铺外摆占用人行道",
        "street_vending",
        "building",
        8 * DAY,
        "normal",
        "reopened",
        "郑先生",
    ),
    ("夜间施工噪声扰民", "noise", "area", 20 * DAY, "high", "closed_unanswered", "孙女士"),
    (
        "12345：物业长期不处理漏水",
        "property_management",
        "building",
        12 * DAY,
        "normal",
        "overdue",
        "钱先生",
    ),
    ("咨询房租减免政策", "rent", "building", 6 * DAY, "normal", "handed_back", "冯经理"),
    ("楼道里堆放杂物", "other", "area", 1 * DAY, "low", "rejected", "褚先生"),
    (
        "口罩等防疫物资采购困难",
        "epidemic_supplies",
        "building",
        2 * HOUR,
        "urgent",
        "new",
        "卫经理",
    ),
)


def demo_photo() -> bytes:
    """A small photo for the resolutions that need one (a grey square, made here)."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (150, 160, 150)).save(out, "JPEG", quality=70)
    return out.getvalue()


async def _tasks(session: AsyncSession, case_id: uuid.UUID) -> list[CaseTask]:
    rows = await session.scalars(
        select(CaseTask)
        .where(CaseTask.case_id == case_id)
        .order_by(CaseTask.role, CaseTask.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows)


class Story:
    """One case moved along by the engine's rules, each step a while after the one before
    (never later than now)."""

    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        case_id: uuid.UUID,
        *,
        filed: datetime,
        now: datetime,
        photo_id: uuid.UUID,
    ) -> None:
        self.session, self.settings, self.case_id = session, settings, case_id
        self.at, self.now, self.photo_id = filed, now, photo_id

    def later(self, by: timedelta) -> datetime:
        self.at = min(self.at + by, self.now)
        return self.at

    async def accept(self) -> None:
        await accept_case(
            session=self.session, actor=DEMO, case_id=self.case_id, now=self.later(HOUR)
        )

    async def work(self, *, done: int | None = None) -> None:
        """Each task accepted, and the first `done` of them (all by default) done."""
        for n, task in enumerate(await _tasks(self.session, self.case_id)):
            await tasks.accept_task(
                session=self.session,
                actor=DEMO,
                case_id=self.case_id,
                task_id=task.id,
                now=self.later(2 * HOUR),
            )
            if done is None or n < done:
                await tasks.complete_task(
                    session=self.session,
                    actor=DEMO,
                    case_id=self.case_id,
                    task_id=task.id,
                    note="已到现场处置",
                    now=self.later(DAY),
                )

    async def resolve(self) -> None:
        await self.accept()
        await self.work()
        await followup.resolve_case(
            session=self.session,
            actor=DEMO,
            case_id=self.case_id,
            resolution="已联合整治并复查，问题已消除",
            photo_ids=[self.photo_id],
            now=self.later(4 * HOUR),
            settings=self.settings,
        )

    async def answer(self, satisfied: bool) -> None:
        await followup.confirm_by_reporter(
            self.session,
            self.case_id,
            satisfied,
            None if satisfied else "外摆又出现了",
            settings=self.settings,
            now=self.later(DAY),
        )

    async def hand_back(self) -> None:
        await self.accept()
        for task in await _tasks(self.session, self.case_id):
            if task.role == TaskRole.co:
                await tasks.hand_back_task(
                    session=self.session,
                    actor=DEMO,
                    case_id=self.case_id,
                    task_id=task.id,
                    reason="不属本部门职责，建议由企业服务中心答复",
                )

    async def play(self, state: str, master: uuid.UUID) -> None:
        """Take the case to `state` (one of CASES' states)."""
        if state == "new":
            return
        if state == "rejected":
            await reject_case(
                session=self.session,
                actor=DEMO,
                case_id=self.case_id,
                reason="属物业服务合同纠纷，已告知向物业公司反映",
                now=self.later(2 * HOUR),
            )
        elif state == "merged":
            await merge_case(
                session=self.session, actor=DEMO, case_id=self.case_id, master_id=master
            )
        elif state == "handed_back":
            await self.hand_back()
        elif state in ("resolved", "closed", "reopened", "closed_unanswered"):
            await self.resolve()
            if state in ("closed", "reopened"):
                await self.answer(state == "closed")
            elif state == "closed_unanswered":
                await followup.close_unanswered(self.session, self.case_id, self.now)
        else:
            await self.accept()
            if state != "accepted":  # in progress: one task done; overdue: none
                await self.work(done=1 if state == "in_progress" else 0)


async def insert_cases(
    session: AsyncSession,
    settings: Settings,
    *,
    areas: list[dict[str, Any]],
    buildings: list[dict[str, Any]],
    now: datetime | None = None,
) -> int:
    """File and move the demo's cases; how many were filed."""
    now = now or utcnow()
    photo = await store_photo(session, photo_store(settings), settings, demo_photo(), DEMO.name)
    filed: dict[str, uuid.UUID] = {}
    for n, (title, category, where, ago, urgency, state, name) in enumerate(CASES):
        place: dict[str, Any] = (
            {"building_id": buildings[n % len(buildings)]["id"]}
            if where == "building"
            else {"area_id": areas[n % len(areas)]["id"], "address": f"威海路{100 + n}弄{n + 1}号"}
        )
        if category == "bikes_blocking":
            place = {"building_id": buildings[0]["id"]}
        hotline = (
            {"hotline_number": f"2026{n:04d}0001", "hotline_due_at": now - ago + 7 * DAY}
            if title.startswith("12345")
            else {}
        )
        data = CaseIn.model_validate(
            {
                "title": title,
                "description": f"{title}。居民多次反映，请尽快处理。",
                "category": category,
                "urgency": Urgency(urgency),
                "reporter_name": name,
                "reporter_phone": f"139{n:04d}{5678 + n:04d}",
            }
            | place
            | hotline
        )
        source = CaseSource.hotline if hotline else CaseSource.coordinator
        case = await file_case(
            session=session, actor=DEMO, settings=settings, data=data, source=source, now=now - ago
        )
        filed.setdefault(category, case.id)
        story = Story(session, settings, case.id, filed=now - ago, now=now, photo_id=photo.id)
        await story.play(state, master=filed[category])
    return len(CASES)
