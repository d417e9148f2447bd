"""What the reporter's follow-up page (/r/{token}) shows and does, whatever the HTTP: the
case and its resolution, and one answer — satisfied (the case closes) or not, with a
reason (it is worked on again) — given through the cases engine as the link, in one
transaction with the record of the link's use. A link answers once; after the reply
window it says the case closed by itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import Role
from coordinator.auth.service import Principal
from coordinator.cases.followup.links import PURPOSE
from coordinator.cases.followup.service import confirm_by_reporter
from coordinator.cases.models import Case, CaseStatus
from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.links.service import csrf_ok, record_use, resolve
from coordinator.platform.db import Database, utcnow
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Problem
from coordinator.platform.settings import Settings

MAX_REASON = 1000
_CSRF = Text("页面已过期，请刷新后重试", "The page has expired: reload it and try again")
_REASON = Text("请说明不满意的原因", "Say why the result is not satisfactory")
_ANSWERED = Text("您已答复过，无需再次答复", "You have answered already")
_WINDOW = Text("回访期已过，不能再答复", "The time to answer has passed")


@dataclass(frozen=True)
class ReplyView:
    """The page: the link, its case, and the answer given through it (if any)."""

    link: CapabilityLink
    case: Case
    answer: LinkUse | None
    window_passed: bool

    @property
    def open(self) -> bool:
        """Whether the page asks for an answer."""
        return (
            self.answer is None
            and self.case.status == CaseStatus.resolved
            and not self.window_passed
        )


async def reply_view(
    session: AsyncSession, token: str, *, lock: bool = False, now: datetime | None = None
) -> ReplyView | None:
    link = await resolve(session, token, purpose=PURPOSE, lock=lock)
    if link is None:
        return None
    case = await session.get(Case, link.subject_id, populate_existing=True)
    if case is None:
        return None
    answer = await session.scalar(
        select(LinkUse).where(LinkUse.link_id == link.id).order_by(LinkUse.id).limit(1)
    )
    due = case.reply_due_at
    passed = due is not None and due <= (now or utcnow())
    return ReplyView(link, case, answer, passed)


@dataclass(frozen=True)
class Outcome:
    invalid: bool = False
    error: Text | None = None
    status: int = 200
    done: str | None = None


def _words(problem: Problem) -> Text:
    messages = [problem.detail] + [e.message for e in problem.errors if e.message != problem.detail]
    return Text("；".join(m.zh for m in messages), "; ".join(m.en for m in messages))


async def answer(
    database: Database,
    settings: Settings,
    *,
    token: str,
    csrf: str | None,
    satisfied: bool,
    reason: str | None,
    ip: str | None,
    user_agent: str | None,
) -> Outcome:
    """The reporter's one answer through the link."""
    if not satisfied and not reason:
        return Outcome(error=_REASON, status=422)
    try:
        async with database.sessionmaker.begin() as session:
            view = await reply_view(session, token, lock=True)  # one answer at a time
            if view is None:
                return Outcome(invalid=True)
            if not csrf_ok(settings.secret_key, view.link.id, csrf):
                return Outcome(error=_CSRF, status=403)
            if view.answer is not None:
                return Outcome(error=_ANSWERED, status=409)
            if view.window_passed and view.case.status == CaseStatus.resolved:
                return Outcome(error=_WINDOW, status=409)
            before = view.case.status.value
            actor = Principal(token_id=None, name=f"link:{view.link.id}", role=Role.viewer)
            case = await confirm_by_reporter(
                session,
                view.case.id,
                satisfied,
                None if satisfied else reason,
                settings=settings,
                actor=actor,
            )
            action = "satisfied" if satisfied else "unsatisfied"
            record_use(
                session,
                view.link,
                action=action,
                old_state=before,
                new_state=case.status.value,
                ip=ip,
                user_agent=user_agent,
            )
    except Problem as problem:
        return Outcome(error=_words(problem), status=problem.status)
    return Outcome(done=action)
