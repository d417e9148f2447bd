"""Duplicates: a case merged into another (its master) stops being worked on — its tasks
still live are dropped — and from then on its reporter hears of the master's progress.
The cases merged into a case that is itself merged move on to the new master, so a
master's reporters are always its own and those of the cases merged into it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator import labels
from coordinator.audit.service import snapshot
from coordinator.auth.service import Principal
from coordinator.cases.events import case_event
from coordinator.cases.models import OPEN_STATES, Case
from coordinator.cases.service import audit, category_of, drop_live_tasks, lock_case
from coordinator.cases.states import CASE_TRANSITIONS, CaseStateConflict, ensure_case
from coordinator.people.models import Person
from coordinator.platform.i18n import Text
from coordinator.platform.problems import invalid_field
from coordinator.registry.models import Contact


@dataclass(frozen=True)
class Reporter:
    """Who reported a case, and how to reach them."""

    case_id: uuid.UUID
    name: str
    email: str | None
    language: str  # "zh" unless the person or contact prefers English
    person_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    phone: str | None = None
    quiet_hours: str | None = None


async def merge_case(
    *, session: AsyncSession, actor: Principal, case_id: uuid.UUID, master_id: uuid.UUID
) -> Case:
    """Merge an open case into an open master (both locked, in id order)."""
    if case_id == master_id:
        raise invalid_field(
            "master_id", Text("案件不能合并到自身", "a case cannot be merged into itself")
        )
    first, second = sorted((case_id, master_id))
    locked = {first: await lock_case(session, first), second: await lock_case(session, second)}
    case, master = locked[case_id], locked[master_id]
    before = snapshot(case)
    target = ensure_case(case, "merge")
    if master.status.value not in OPEN_STATES:
        moves = CASE_TRANSITIONS[master.status]
        raise CaseStateConflict(
            Text(
                "主案件当前状态为{s}，不能将其他案件合并进来",
                "The master case is {s}; nothing can be merged into it",
            ).format(s=labels.label(master.status)),
            current=master.status.value,
            allowed={v.value for k, v in moves.items() if k != "start"},
            extra={"case_id": str(master.id)},
        )
    category = await category_of(session, case)
    await drop_live_tasks(session, actor, case, category.code)
    case.status = target
    case.merged_into_id = master.id
    await session.flush()
    audit(session, actor, "merge", case, before)
    followers = (
        await session.scalars(select(Case).where(Case.merged_into_id == case.id).with_for_update())
    ).all()
    for follower in followers:
        follower_before = snapshot(follower)
        follower.merged_into_id = master.id
        await session.flush()
        audit(session, actor, "merge", follower, follower_before)
    master_category = await category_of(session, master)
    case_event(
        session,
        "case.merged",
        case,
        category=category.code,
        actor=actor.name,
        master_id=str(master.id),
        master_number=master.number,
        master_title=master.title,
        master_category=master_category.code,
        merged_case_ids=[str(case.id), *(str(f.id) for f in followers)],
    )
    return case


async def reporters_of(session: AsyncSession, case: Case) -> list[Reporter]:
    """The case's reporter and those of the cases merged into it, each address once (the
    case's own first)."""
    rows = (
        await session.execute(
            select(Case, Person, Contact)
            .outerjoin(Person, Person.id == Case.reporter_person_id)
            .outerjoin(Contact, Contact.id == Case.reporter_contact_id)
            .where(or_(Case.id == case.id, Case.merged_into_id == case.id))
            .order_by(Case.id != case.id, Case.created_at, Case.id)
        )
    ).all()
    found: list[Reporter] = []
    seen: set[str] = set()
    for row, person, contact in rows:
        reporter = _reporter(row, person, contact)
        if reporter is None:
            continue
        key = reporter.email or reporter.phone or str(reporter.case_id)
        if key not in seen:
            seen.add(key)
            found.append(reporter)
    return found


def _reporter(case: Case, person: Person | None, contact: Contact | None) -> Reporter | None:
    if person is not None:
        reachable = "email" in (person.channels or ["email"])
        return Reporter(
            case_id=case.id,
            name=person.name,
            email=(person.email or case.reporter_email) if reachable else None,
            language="en" if person.preferred_language == "en" else "zh",
            person_id=person.id,
            phone=person.phone,
            quiet_hours=person.quiet_hours,
        )
    if contact is not None:
        reachable = "email" in (contact.channels or ["email"])
        language = contact.preferred_language.value if contact.preferred_language else "zh"
        return Reporter(
            case_id=case.id,
            name=contact.name,
            email=(contact.email or case.reporter_email) if reachable else None,
            language="en" if language == "en" else "zh",
            contact_id=contact.id,
            phone=contact.mobile,
            quiet_hours=contact.quiet_hours,
        )
    if case.reporter_name or case.reporter_email or case.reporter_phone:
        return Reporter(
            case_id=case.id,
            name=case.reporter_name or "",
            email=case.reporter_email,
            language="zh",
            phone=case.reporter_phone,
        )
    return None
