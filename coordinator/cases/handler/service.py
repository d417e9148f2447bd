"""What a field handler does through their link, whatever the HTTP: accept a task (接单),
add a progress note with photos, mark it done with a note (and photos), hand it back with
a reason. Every action is the cases engine's own (its rules, audit and events), done as
the link (audited `link:{id}`), in one transaction with the record of the link's use."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.auth.models import Role
from coordinator.auth.service import Principal
from coordinator.cases.events import case_event
from coordinator.cases.handler.links import PURPOSE
from coordinator.cases.handler.queries import my_task
from coordinator.cases.notes.service import add_note
from coordinator.cases.service import category_of, lock_case
from coordinator.cases.tasks.service import accept_task, complete_task, hand_back_task
from coordinator.links.models import CapabilityLink
from coordinator.links.service import csrf_ok, record_use, resolve
from coordinator.people.models import Person
from coordinator.photos.service import store_photo
from coordinator.photos.store import PhotoStore
from coordinator.platform.db import Database
from coordinator.platform.i18n import Text
from coordinator.platform.problems import Problem
from coordinator.platform.settings import Settings

MAX_TEXT = 2000
_CSRF = Text("页面已过期，请刷新后重试", "The page has expired: reload it and try again")
_NOT_YOURS = Text("该任务不存在或不属于您的部门", "No such task for your department")
_NEEDS_TEXT = {
    "note": Text("请填写办理进展", "Write the progress note"),
    "done": Text("请填写办理情况", "Say what was done"),
    "hand_back": Text("请填写退回原因", "Say why the task is handed back"),
}


class _Revoked(Exception):
    """The link stopped working while its action ran."""


@dataclass(frozen=True)
class Asked:
    """An action asked through the page, as the form gave it."""

    token: str
    action: str
    csrf: str | None
    task_id: uuid.UUID | None
    text: str | None = None
    photos: Sequence[bytes] = field(default_factory=tuple)
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The link is no good, or a refusal to show (its words and status), or what was done."""

    invalid: bool = False
    error: Text | None = None
    status: int = 200
    done: str | None = None


async def holder(session: AsyncSession, token: str) -> tuple[CapabilityLink, Person] | None:
    """The live handler link of a token and its person, or None."""
    link = await resolve(session, token, purpose=PURPOSE)
    if link is None:
        return None
    person = await session.get(Person, link.subject_id)
    return (link, person) if person is not None else None


def refusal(problem: Problem) -> Text:
    """A problem in the page's words: its detail, then what it says of each field."""
    messages = [problem.detail]
    messages += [e.message for e in problem.errors if e.message != problem.detail]
    return Text("；".join(m.zh for m in messages), "; ".join(m.en for m in messages))


async def _do(
    session: AsyncSession,
    actor: Principal,
    person: Person,
    case_id: uuid.UUID,
    task_id: uuid.UUID,
    asked: Asked,
    photo_ids: list[uuid.UUID],
) -> str:
    """The engine's action; answers the task's state after it."""
    text = asked.text or ""
    if asked.action == "accept":
        task = await accept_task(
            session=session, actor=actor, case_id=case_id, task_id=task_id, assignee_id=person.id
        )
    elif asked.action == "done":
        task = await complete_task(
            session=session,
            actor=actor,
            case_id=case_id,
            task_id=task_id,
            note=text,
            photo_ids=photo_ids,
        )
    elif asked.action == "hand_back":
        task = await hand_back_task(
            session=session, actor=actor, case_id=case_id, task_id=task_id, reason=text
        )
    else:
        note = await add_note(
            session=session,
            actor=actor,
            case_id=case_id,
            body=text,
            task_id=task_id,
            photo_ids=photo_ids,
            author=person.name,
        )
        case = await lock_case(session, case_id)
        noted = await my_task(session, person.id, task_id)
        assert noted is not None  # checked before, under the same case lock
        task = noted
        category = await category_of(session, case)
        case_event(
            session,
            "task.noted",
            case,
            category=category.code,
            actor=actor.name,
            task=task,
            note_id=str(note.id),
            body=text,
            photo_ids=[str(p) for p in photo_ids],
        )
    return task.status.value


async def act(database: Database, store: PhotoStore, settings: Settings, asked: Asked) -> Outcome:
    """Do what the page asked, as the link's holder, if the task is theirs."""
    async with database.session() as session:
        found = await holder(session, asked.token)
    if found is None:
        return Outcome(invalid=True)
    link, person = found
    if not csrf_ok(settings.secret_key, link.id, asked.csrf):
        return Outcome(error=_CSRF, status=403)
    if asked.action in _NEEDS_TEXT and not asked.text:
        return Outcome(error=_NEEDS_TEXT[asked.action], status=422)
    actor = Principal(token_id=None, name=f"link:{link.id}", role=Role.viewer)
    try:
        async with database.sessionmaker.begin() as session:
            task = await my_task(session, person.id, asked.task_id) if asked.task_id else None
            if task is None:
                return Outcome(error=_NOT_YOURS, status=404)
            await lock_case(session, task.case_id)
            before = task.status.value
            photo_ids = [
                (await store_photo(session, store, settings, data, f"link:{link.id}")).id
                for data in asked.photos
            ]
            state = await _do(session, actor, person, task.case_id, task.id, asked, photo_ids)
            live = await resolve(session, asked.token, purpose=PURPOSE)
            if live is None:  # revoked meanwhile: nothing of it stays
                raise _Revoked
            record_use(
                session,
                live,
                action=asked.action,
                old_state=before,
                new_state=state,
                ip=asked.ip,
                user_agent=asked.user_agent,
            )
    except _Revoked:
        return Outcome(invalid=True)
    except Problem as problem:
        return Outcome(error=refusal(problem), status=problem.status)
    return Outcome(done=asked.action)
