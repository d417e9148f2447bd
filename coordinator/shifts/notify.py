"""Who hears of shift and signup events. Rules re-read state, so a late or repeated
event tells nobody anything untrue (a reminder for a cancelled place is dropped)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coordinator.events.models import OutboxEvent
from coordinator.links.service import issue_link
from coordinator.notifications.models import Channel
from coordinator.notifications.rules import Planned, Rules
from coordinator.people.models import Person, Team, TeamMember
from coordinator.platform.settings import Settings
from coordinator.shifts.models import HOLDING, Post, Shift, ShiftStatus, Signup, SignupStatus
from coordinator.shifts.rules import CALLOUT_LIMIT

rules = Rules()

_WEEKDAYS_ZH = "一二三四五六日"


def _language(person: Person) -> str:
    return "en" if str(getattr(person, "preferred_language", "zh") or "zh") == "en" else "zh"


def _context(
    settings: Settings, shift: Shift, post: Post, person: Person, kind: str, **extra: Any
) -> dict[str, Any]:
    start, end = shift.starts_at.astimezone(settings.zone), shift.ends_at.astimezone(settings.zone)
    return {
        "kind": kind,
        "person_name": person.name,
        "post_name": post.name,
        "place": post.address or "",
        "when_zh": f"{start.month}月{start.day}日（周{_WEEKDAYS_ZH[start.weekday()]}）"
        f"{start:%H:%M}–{end:%H:%M}（{settings.zone_name.zh}）",
        "when_en": f"{start:%a %d %b %Y, %H:%M}–{end:%H:%M} ({settings.zone_name.en})",
        "link": None,
        "other_name": None,
        **extra,
    }


def _mail(
    person: Person | None, context: dict[str, Any], *, deferrable: bool = False
) -> list[Planned]:
    if person is None or not person.email:
        return []
    return [
        Planned(
            channel=Channel.email,
            recipient=person.email,
            template="shift_notice",
            language=_language(person),
            context=context,
            deferrable=deferrable,
        )
    ]


async def _load(session: AsyncSession, signup_id: str) -> tuple[Signup, Shift, Post, Person] | None:
    row = (
        await session.execute(
            select(Signup, Shift, Post, Person)
            .join(Shift, Shift.id == Signup.shift_id)
            .join(Post, Post.id == Shift.post_id)
            .join(Person, Person.id == Signup.person_id)
            .where(Signup.id == uuid.UUID(signup_id))
        )
    ).first()
    return (row[0], row[1], row[2], row[3]) if row else None


async def _lead(session: AsyncSession, post: Post) -> Person | None:
    if post.team_id is None:
        return None
    team = await session.get(Team, post.team_id)
    return await session.get(Person, team.lead_id) if team and team.lead_id else None


def _url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/me/{token}"


@rules.on("signup.created")
async def tell_signed_up(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    loaded = await _load(session, event.data["signup_id"])
    if loaded is None:
        return []
    _signup, shift, post, person = loaded
    kind = "waitlisted" if event.data["status"] == "waitlisted" else "signed_up"
    return _mail(person, _context(settings, shift, post, person, kind))


@rules.on("signup.promoted")
async def tell_promoted(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    """The promoted person is told, with a link to decline the place."""
    loaded = await _load(session, event.data["signup_id"])
    if loaded is None:
        return []
    signup, shift, post, person = loaded
    if signup.status != SignupStatus.signed_up or not person.email:
        return []
    _, token = await issue_link(
        session,
        purpose="signup",
        subject_type="signup",
        subject_id=signup.id,
        actions=["decline"],
        expires_at=shift.starts_at,
        holder_type="person",
        holder_id=person.id,
    )
    return _mail(
        person, _context(settings, shift, post, person, "promoted", link=_url(settings, token))
    )


@rules.on("signup.cancelled")
async def tell_lead_of_late_cancellation(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    if not event.data.get("late"):
        return []
    loaded = await _load(session, event.data["signup_id"])
    if loaded is None:
        return []
    _, shift, post, person = loaded
    lead = await _lead(session, post)
    if lead is None:
        return []
    return _mail(lead, _context(settings, shift, post, lead, "late_cancel", other_name=person.name))


@rules.on("signup.swapped")
async def tell_both_of_swap(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    loaded = await _load(session, event.data["signup_id"])
    giver = await session.get(Person, uuid.UUID(event.data["from_person_id"]))
    if loaded is None or giver is None:
        return []
    _, shift, post, taker = loaded
    return _mail(
        taker, _context(settings, shift, post, taker, "swap_taken", other_name=giver.name)
    ) + _mail(giver, _context(settings, shift, post, giver, "swap_given", other_name=taker.name))


@rules.on("shift.cancelled")
async def tell_cancelled_shift(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Planned]:
    shift = await session.get(Shift, uuid.UUID(event.data["shift_id"]))
    post = await session.get(Post, shift.post_id) if shift else None
    if shift is None or post is None:
        return []
    planned: list[Planned] = []
    for person_id in event.data.get("person_ids", []):
        person = await session.get(Person, uuid.UUID(person_id))
        if person is not None:
            planned += _mail(person, _context(settings, shift, post, person, "shift_cancelled"))
    return planned


@rules.on("shift.reminder_due")
async def remind(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """Only while the place and the shift still stand, and the shift has not moved since."""
    loaded = await _load(session, event.data["signup_id"])
    if loaded is None:
        return []
    signup, shift, post, person = loaded
    if (
        signup.status != SignupStatus.signed_up
        or shift.status != ShiftStatus.scheduled
        or signup.sequence != event.data.get("sequence")
    ):
        return []
    context = _context(settings, shift, post, person, "reminder", reminder=event.data.get("kind"))
    return _mail(person, context, deferrable=True)


@rules.on("shift.understaffed")
async def call_out(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Planned]:
    """The lead is told; qualified volunteers free at that time get a one-tap link."""
    shift = await session.get(Shift, uuid.UUID(event.data["shift_id"]))
    post = await session.get(Post, shift.post_id) if shift else None
    if shift is None or post is None or shift.status != ShiftStatus.scheduled:
        return []
    if shift.filled >= shift.min_people:
        return []
    planned: list[Planned] = []
    lead = await _lead(session, post)
    if lead is not None:
        planned += _mail(
            lead,
            _context(
                settings, shift, post, lead, "understaffed", missing=shift.min_people - shift.filled
            ),
        )
    busy = aliased(Signup)
    stmt = (
        select(Person)
        .where(
            Person.email.is_not(None),
            Person.skills.contains(shift.required_skills),
            ~exists().where(
                and_(
                    busy.person_id == Person.id,
                    busy.status != SignupStatus.cancelled,
                    (busy.shift_id == shift.id)
                    | and_(
                        busy.status.in_(HOLDING),
                        busy.starts_at < shift.ends_at,
                        busy.ends_at > shift.starts_at,
                    ),
                )
            ),
        )
        .order_by(Person.name, Person.id)
        .limit(CALLOUT_LIMIT)
    )
    if post.team_id is not None:
        stmt = stmt.where(
            exists().where(TeamMember.person_id == Person.id, TeamMember.team_id == post.team_id)
        )
    for person in (await session.scalars(stmt)).all():
        if lead is not None and person.id == lead.id:
            continue
        _, token = await issue_link(
            session,
            purpose="callout",
            subject_type="shift",
            subject_id=shift.id,
            actions=["signup"],
            expires_at=shift.starts_at,
            holder_type="person",
            holder_id=person.id,
        )
        planned += _mail(
            person, _context(settings, shift, post, person, "callout", link=_url(settings, token))
        )
    return planned
