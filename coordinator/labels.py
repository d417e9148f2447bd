"""What people read for the codes the API speaks: every enum value, every action on a
visit or a need, and a floor, in Chinese and English. Messages, pages and mail take their
wording from here, so a state is called the same everywhere."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence

from coordinator.auth.models import Role
from coordinator.campaigns.models import CampaignStatus
from coordinator.cases.clock.models import StepKind
from coordinator.cases.models import (
    CaseOutcome,
    CaseSource,
    CaseStatus,
    TaskRole,
    TaskStatus,
    Urgency,
)
from coordinator.departments.models import DepartmentKind
from coordinator.housing.labels import LABELS as HOUSING
from coordinator.notifications.models import Channel, DeliveryStatus
from coordinator.people.models import MemberRole, TeamKind
from coordinator.platform.i18n import Lang, Text
from coordinator.registry.models import (
    AreaKind,
    BranchKind,
    BuildingKind,
    CompanyStatus,
    Language,
)
from coordinator.shifts.models import HoursStatus, ShiftStatus, SignupStatus
from coordinator.visits.models import Department, NeedCategory, NeedStatus, VisitStatus

T = Text

LABELS: dict[type[enum.StrEnum], dict[str, Text]] = {
    Role: {
        "viewer": T("查看员", "viewer"),
        "coordinator": T("协调员", "coordinator"),
        "admin": T("管理员", "admin"),
    },
    VisitStatus: {
        "proposed": T("待确认", "awaiting an answer"),
        "confirmed": T("已确认", "confirmed"),
        "declined": T("已婉拒", "declined"),
        "reschedule_requested": T("已申请改期", "another time requested"),
        "cancelled": T("已取消", "cancelled"),
        "completed": T("已完成", "completed"),
        "no_show": T("未到访", "did not take place"),
    },
    NeedStatus: {
        "open": T("已受理", "received"),
        "assigned": T("办理中", "in progress"),
        "resolved": T("已办结", "resolved"),
        "closed": T("已闭环", "closed"),
    },
    NeedCategory: {
        "epidemic_supplies": T("防疫物资", "epidemic supplies"),
        "policy": T("政策咨询", "policy"),
        "hiring": T("招工用工", "hiring"),
        "rent": T("房租", "rent"),
        "legal_help": T("法律援助", "legal help"),
        "property_management": T("物业管理", "property management"),
        "other": T("其他", "other"),
    },
    Urgency: {
        "low": T("不急", "low"),
        "normal": T("一般", "normal"),
        "high": T("较急", "high"),
        "urgent": T("紧急", "urgent"),
    },
    Department: {
        "urban_management": T("城管", "urban management"),
        "city_appearance": T("市容", "city appearance"),
        "housing_office": T("房办", "housing office"),
        "residential_area": T("居民区", "residential area"),
    },
    CaseStatus: {
        "new": T("新建", "new"),
        "accepted": T("已受理", "accepted"),
        "in_progress": T("办理中", "in progress"),
        "resolved": T("已办结", "resolved"),
        "closed": T("已闭环", "closed"),
        "reopened": T("重新办理", "reopened"),
        "rejected": T("不予受理", "rejected"),
        "merged": T("已合并", "merged"),
    },
    CaseSource: {
        "visit": T("走访", "visit"),
        "survey": T("排摸", "survey"),
        "post_report": T("点位上报", "post report"),
        "hotline": T("12345热线", "12345 hotline"),
        "coordinator": T("协调员登记", "coordinator"),
        "open311": T("公众上报", "public report"),
    },
    CaseOutcome: {
        "rectified": T("已整改", "rectified"),
        "unfounded": T("查无此事", "nothing found"),
    },
    TaskRole: {
        "lead": T("牵头", "lead"),
        "co": T("协办", "co-handling"),
    },
    TaskStatus: {
        "pending": T("待接单", "waiting to be accepted"),
        "accepted": T("办理中", "in progress"),
        "done": T("已完成", "done"),
        "returned": T("已退回", "handed back"),
        "dropped": T("已撤销", "dropped"),
    },
    StepKind: {
        "remind": T("到期提醒", "reminder"),
        "escalate": T("逾期督办", "escalation"),
    },
    DepartmentKind: {
        "urban_management": T("城管", "urban management"),
        "city_appearance": T("市容", "city appearance"),
        "housing_office": T("房办", "housing office"),
        "residential_committee": T("居委会", "residential committee"),
        "police": T("派出所", "police"),
        "market_supervision": T("市场监管", "market supervision"),
        "property_manager": T("物业", "property manager"),
        "other": T("其他", "other"),
    },
    ShiftStatus: {
        "scheduled": T("已排班", "scheduled"),
        "cancelled": T("已取消", "cancelled"),
    },
    SignupStatus: {
        "signed_up": T("已报名", "signed up"),
        "waitlisted": T("候补中", "on the waitlist"),
        "checked_in": T("已签到", "checked in"),
        "completed": T("已完成", "completed"),
        "no_show": T("未到岗", "did not come"),
        "cancelled": T("已取消", "cancelled"),
    },
    HoursStatus: {
        "pending": T("待确认", "pending"),
        "approved": T("已确认", "approved"),
        "rejected": T("已退回", "rejected"),
    },
    CampaignStatus: {
        "draft": T("草稿", "draft"),
        "planning": T("规划中", "being planned"),
        "planned": T("已规划", "planned"),
        "cancelled": T("已停止规划", "cancelled"),
        "failed": T("规划失败", "failed"),
    },
    Channel: {
        "email": T("电子邮件", "email"),
        "webhook": T("回调推送", "webhook"),
        "sms": T("短信", "text message"),
    },
    DeliveryStatus: {
        "pending": T("待发送", "pending"),
        "sent": T("已发送", "sent"),
        "failed": T("发送失败", "failed"),
        "skipped": T("已跳过", "skipped"),
    },
    TeamKind: {
        "liaison": T("联络团组", "liaison team"),
        "volunteer": T("志愿者服务队", "volunteer team"),
        "joint_operation": T("联勤联动组", "joint operation team"),
    },
    MemberRole: {
        "lead": T("负责人", "lead"),
        "deputy": T("副负责人", "deputy"),
        "member": T("成员", "member"),
    },
    AreaKind: {
        "residential": T("居民区", "residential area"),
        "block": T("街坊", "block"),
    },
    BuildingKind: {
        "office": T("办公楼", "office building"),
        "residential": T("住宅楼", "residential building"),
        "mixed": T("商住楼", "mixed-use building"),
    },
    BranchKind: {
        "building_joint": T("楼宇联合党支部", "joint building branch"),
        "company": T("企业党支部", "company branch"),
        "residential_general": T("居民区党总支", "residential general branch"),
    },
    CompanyStatus: {
        "operating": T("正常经营", "operating"),
        "resuming": T("复工中", "resuming"),
        "suspended": T("停业", "suspended"),
        "closed": T("已关闭", "closed"),
    },
    Language: {
        "zh": T("中文", "Chinese"),
        "en": T("英文", "English"),
    },
}
LABELS.update(HOUSING)

# What can be done to a visit, a need, a case or a task, as the refusal names it ("… 不能改期").
ACTIONS: dict[str, Text] = {
    "confirm": T("确认", "confirm"),
    "decline": T("婉拒", "decline"),
    "reschedule": T("申请改期", "ask for another time"),
    "move": T("改期", "move"),
    "cancel": T("取消", "cancel"),
    "complete": T("标记为已完成", "mark completed"),
    "no_show": T("标记为未到访", "mark as not taken place"),
    "assign": T("分派", "assign"),
    "resolve": T("办结", "resolve"),
    "close": T("闭环", "close"),
    "reopen": T("重新受理", "reopen"),
    # Cases and their tasks ("1+4").
    "accept": T("受理", "accept"),
    "reject": T("不予受理", "reject"),
    "start": T("开始办理", "start work on"),
    "merge": T("合并", "merge"),
    "satisfied": T("确认满意", "confirm as satisfactory"),
    "unsatisfied": T("反馈不满意", "report as unsatisfactory"),
    "close_unanswered": T("逾期未回访而闭环", "close unanswered"),
    "add_task": T("增派部门", "add a department to"),
    "accept_task": T("接单", "accept"),
    "done": T("办结", "finish"),
    "hand_back": T("退回", "hand back"),
    "resend": T("重新派单", "send again"),
    "drop": T("撤销", "drop"),
    "note": T("添加进展", "add a note to"),
}


# States a refusal names that are not a column's value.
STATES: dict[str, Text] = {
    "not_offered": T("未发布换班", "not offered for a swap"),
}


def label(value: enum.StrEnum) -> Text:
    """The wording of an enum value; its code when the table has none (a test keeps it full)."""
    return LABELS.get(type(value), {}).get(value.value) or Text(value.value, value.value)


def state(kind: type[enum.StrEnum], code: str) -> Text:
    """A state by its code: a value of `kind`, or one of STATES."""
    try:
        return label(kind(code))
    except ValueError:
        return STATES.get(code) or Text(code, code)


def action(name: str) -> Text:
    return ACTIONS.get(name) or Text(name, name)


def render(
    value: enum.StrEnum | str | None, lang: Lang, kind: type[enum.StrEnum] | None = None
) -> str:
    """A value shown in `lang`: an enum member, or a code of `kind`; "" for None."""
    if value is None:
        return ""
    if isinstance(value, enum.StrEnum):
        return label(value).render(lang)
    if kind is not None:
        try:
            return label(kind(value)).render(lang)
        except ValueError:
            return value
    return value


def either(choices: Sequence[Text]) -> Text:
    """ "甲、乙或丙" / "a, b or c"."""
    zh = [c.zh for c in choices]
    en = [c.en for c in choices]
    if len(choices) < 2:
        return Text("".join(zh), "".join(en))
    return Text("、".join(zh[:-1]) + "或" + zh[-1], ", ".join(en[:-1]) + " or " + en[-1])


_PLAIN_FLOOR = re.compile(r"-?\d{1,3}")


def floor(value: str | None, lang: Lang) -> str:
    """A company's floor shown once: "12" is "12层" (zh) or "12F" (en); "18F", "18层"
    and "B1" are shown as written."""
    if not value:
        return ""
    text = value.strip()
    if _PLAIN_FLOOR.fullmatch(text):
        if text.startswith("-"):
            return f"地下{text[1:]}层" if lang == "zh" else f"B{text[1:]}"
        return f"{text}层" if lang == "zh" else f"{text}F"
    return text
