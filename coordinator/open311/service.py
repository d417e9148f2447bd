"""Reading GeoReport's resources: the services (public, active case categories), a
service's definition (its attributes), a token, the discovery file and the requests
(coordinator.open311.reading)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.models import Case
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.problems import NotFound
from coordinator.platform.settings import Settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LISTS = ("singlevaluelist", "multivaluelist")
NO_SERVICE = Text("没有代码为「{code}」的服务", "There is no service with code {code}")
NO_TOKEN = Text("没有这个凭证", "No request has this token")


def _in(lang: Lang, zh: Any, en: Any) -> str | None:
    chosen = en if lang == "en" and en else zh
    return None if chosen is None else str(chosen)


def attributes(category: CaseCategory, lang: Lang) -> list[dict[str, Any]]:
    """A category's Open311 attributes as the service definition lists them, in order;
    entries without a code are left out, an unknown datatype is a string."""
    found = []
    for index, raw in enumerate(category.attributes or []):
        if not isinstance(raw, dict) or not str(raw.get("code") or "").strip():
            continue
        datatype = raw.get("datatype") if raw.get("datatype") in DATATYPES else "string"
        values = [
            {
                "key": str(v["key"]),
                "name": _in(lang, v.get("name"), v.get("name_en")) or str(v["key"]),
            }
            for v in (raw.get("values") or [])
            if isinstance(v, dict) and v.get("key") is not None
        ]
        order = raw.get("order")
        found.append(
            {
                "variable": bool(raw.get("variable", True)),
                "code": str(raw["code"]).strip(),
                "datatype": datatype,
                "required": bool(raw.get("required", False)),
                "datatype_description": _in(
                    lang, raw.get("datatype_description"), raw.get("datatype_description_en")
                ),
                "order": order if isinstance(order, int) and order > 0 else index + 1,
                "description": _in(lang, raw.get("description"), raw.get("description_en"))
                or str(raw["code"]),
                "values": values if datatype in LISTS else [],
            }
        )
    return sorted(found, key=lambda a: (a["order"], a["code"]))


def service(category: CaseCategory, lang: Lang) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": _in(lang, category.name, category.name_en),
        "description": category.description,
        "metadata": bool(attributes(category, lang)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def _offered() -> Any:
    return select(CaseCategory).where(CaseCategory.public, CaseCategory.active)


async def list_services(*, session: AsyncSession, lang: Lang) -> list[dict[str, Any]]:
    """Every public, active category, by code."""
    rows = await session.scalars(_offered().order_by(CaseCategory.code))
    return [service(category, lang) for category in rows]


async def offered_category(*, session: AsyncSession, code: str) -> CaseCategory:
    """The public, active category of a service_code, or 404 naming it."""
    found = await session.scalar(_offered().where(CaseCategory.code == code))
    if found is None:
        raise NotFound(NO_SERVICE.format(code=code[:60]), extra={"field": "service_code"})
    return found


async def service_definition(*, session: AsyncSession, code: str, lang: Lang) -> dict[str, Any]:
    category = await offered_category(session=session, code=code)
    return {"service_code": category.code, "attributes": attributes(category, lang)}


async def request_of_token(*, session: AsyncSession, token: str) -> list[dict[str, str]]:
    """[{service_request_id, token}] for a token handed out with a request, else 404."""
    try:
        value = uuid.UUID(token)
    except ValueError:
        raise NotFound(NO_TOKEN) from None
    number = await session.scalar(
        select(Case.number)
        .join(CaseCategory, CaseCategory.id == Case.category_id)
        .where(Case.open311_token == value, CaseCategory.public)
    )
    if number is None:
        raise NotFound(NO_TOKEN)
    return [{"service_request_id": str(number), "token": str(value)}]


CONTACT = Text(
    "请致电 {phone}，或联系街道管理员", "Call {phone}, or write to the subdistrict's administrators"
)
KEY_SERVICE = Text(
    "API 密钥由街道管理员签发（管理接口 POST /api/v1/open311-keys）",
    "API keys are issued by the subdistrict's administrators (POST /api/v1/open311-keys)",
)


def w3(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def discovery(*, session: AsyncSession, settings: Settings, lang: Lang) -> dict[str, Any]:
    """The discovery file: this one endpoint, its formats, and when its services last
    changed (the changeset clients refresh their cached service lists by)."""
    changed = await session.scalar(select(func.max(CaseCategory.updated_at)))
    changeset = w3(changed or datetime(2026, 1, 1, tzinfo=UTC))
    return {
        "changeset": changeset,
        "contact": CONTACT.format(phone=settings.service_phone).render(lang),
        "key_service": KEY_SERVICE.render(lang),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{settings.base_url}/open311/v2",
                "changeset": changeset,
                "type": "production" if settings.env == "production" else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
