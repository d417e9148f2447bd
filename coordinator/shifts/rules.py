"""The shift rules' numbers and typed refusals."""

from __future__ import annotations

from datetime import timedelta

from coordinator.labels import state
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Conflict, StateConflict
from coordinator.shifts.models import SignupStatus

CANCEL_CUTOFF = timedelta(hours=12)  # later cancellations alert the lead
NO_SHOW_GRACE = timedelta(minutes=15)
CHECK_IN_EARLY = timedelta(hours=1)
UNDERSTAFFED_WINDOW = timedelta(hours=48)
WEEKS_AHEAD = 8
# Reminder kinds, largest lead time first.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("1h", timedelta(hours=1)),
)
ME_LINK_DAYS = 180
CALLOUT_LIMIT = 50  # volunteers called out per understaffed shift

SHIFT = Text("班次", "shift")
POST = Text("岗位", "post")
SERIES = Text("排班系列", "shift series")
SIGNUP = Text("报名", "signup")
PERSON = Text("人员", "person")
TEAM = Text("团队", "team")
HOURS = Text("服务时长记录", "hours entry")


class ShiftClosed(Conflict):
    slug = "shift-closed"
    title = Text("班次不可报名", "The shift is not open")


class NotQualified(Conflict):
    slug = "not-qualified"
    title = Text("不具备所需资质", "Required qualifications missing")


class AlreadySignedUp(Conflict):
    slug = "already-signed-up"
    title = Text("已报名该班次", "Already signed up for this shift")


class WrongSignupState(StateConflict):
    slug = "signup-state"
    title = Text("报名状态不允许此操作", "The signup's state does not allow this")


def closed() -> ShiftClosed:
    return ShiftClosed(Text("班次已取消或已结束", "The shift is cancelled or over"))


def not_qualified(missing: list[str]) -> NotQualified:
    names = "、".join(missing)
    return NotQualified(
        Text("缺少资质：{m}", "missing qualifications: {m}").format(m=names),
        extra={"missing": missing},
    )


# The states a signup may move to from each state.
SIGNUP_NEXT: dict[str, tuple[str, ...]] = {
    "signed_up": ("cancelled", "checked_in", "no_show"),
    "waitlisted": ("cancelled", "signed_up"),
    "checked_in": ("completed",),
    "completed": (),
    "no_show": (),
    "cancelled": (),
}


def wrong_state(status: str, detail: Text | None = None) -> WrongSignupState:
    return WrongSignupState(
        detail
        or Text("当前报名状态为{s}", "the signup is {s}").format(s=state(SignupStatus, status)),
        current=status,
        allowed=SIGNUP_NEXT.get(status, ()),
    )
