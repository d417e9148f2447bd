"""Who hears of a visit event and in what words: the recipients the rules of
coordinator.visits.notify plan for, each in their own language."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.notifications.models import Channel
from coordinator.notifications.rules import Planned
from coordinator.people.models import Person, Team
from coordinator.platform.settings import Settings
from coordinator.registry.models import Company, Contact


def when(iso: str, lang: str, current: Settings) -> str:
    moment = datetime.fromisoformat(iso).astimezone(current.zone)
    name = current.zone_name.render("en" if lang == "en" else "zh")
    return (
        f"{moment:%Y-%m-%d %H:%M} ({name})"
        if lang == "en"
        else f"{moment:%Y-%m-%d %H:%M}（{name}）"
    )


def to_person(person: Person | None, **context: Any) -> Planned | None:
    if person is None or not person.email or "email" not in (person.channels or ["email"]):
        return None
    language = person.preferred_language or "zh"
    return Planned(
        channel=Channel.email,
        recipient=person.email,
        template="visit_update",
        language=language,
        context={"name": person.name, **localised(context, language)},
        quiet_hours=person.quiet_hours,
        deferrable=bool(context.get("deferrable")),
    )


def to_contact(contact: Contact | None, template: str, **context: Any) -> Planned | None:
    if contact is None or not contact.email or "email" not in (contact.channels or ["email"]):
        return None
    language = contact.preferred_language.value if contact.preferred_language else "zh"
    return Planned(
        channel=Channel.email,
        recipient=contact.email,
        template=template,
        language=language,
        context={"name": contact.name, **localised(context, language)},
        quiet_hours=contact.quiet_hours,
        deferrable=bool(context.get("deferrable")),
    )


def localised(context: dict[str, Any], language: str) -> dict[str, Any]:
    """Pick the wording for the language from (zh, en) pairs; drop the control flag."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if key == "deferrable":
            continue
        if isinstance(value, tuple) and len(value) == 2:
            value = value[1] if language == "en" else value[0]
        elif isinstance(value, list):
            value = [
                v[1] if language == "en" else v[0] if isinstance(v, tuple) else v for v in value
            ]
        out[key] = value
    return out


def unique(planned: list[Planned | None]) -> list[Planned]:
    seen: set[str] = set()
    result = []
    for item in planned:
        if item is not None and item.recipient not in seen:
            seen.add(item.recipient)
            result.append(item)
    return result


async def visit_parts(
    session: AsyncSession, data: dict[str, Any]
) -> tuple[Company | None, Contact | None, Person | None, Person | None]:
    company = await session.get(Company, uuid.UUID(data["company_id"]))
    contact = await session.get(Contact, uuid.UUID(data["contact_id"]))
    liaison = await session.get(Person, uuid.UUID(data["liaison_id"]))
    lead = None
    if data.get("team_id"):
        team = await session.get(Team, uuid.UUID(data["team_id"]))
        if team is not None and team.lead_id:
            lead = await session.get(Person, team.lead_id)
    return company, contact, liaison, lead


def visit_lines(
    company: Company | None, data: dict[str, Any], settings: Settings
) -> list[tuple[str, str]]:
    name = company.name if company else ""
    return [
        (f"企业：{name}", f"Company: {name}"),
        (
            f"时间：{when(data['starts_at'], 'zh', settings)}",
            f"Time: {when(data['starts_at'], 'en', settings)}",
        ),
        (f"地点：{data.get('place', '')}", f"Place: {data.get('place', '')}"),
    ]
