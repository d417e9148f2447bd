"""POST requests: a GeoReport service request filed as a case, through the cases' one
filing function, by the Open311 key that posted it (source open311). What a case has no
column for (the client's account and device, its media URL, the attribute answers) is
kept beside it (open311_requests); the answers are also written under the description,
for the departments to read."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from coordinator.audit.service import record, snapshot
from coordinator.cases.categories.models import CaseCategory
from coordinator.cases.filing.service import file_case
from coordinator.cases.models import CaseSource
from coordinator.cases.schemas import CaseIn
from coordinator.open311.keys.service import filer, key_of
from coordinator.open311.models import Open311Request
from coordinator.open311.params import moment, single
from coordinator.open311.service import LISTS, attributes, offered_category
from coordinator.platform.i18n import Lang, Text
from coordinator.platform.problems import FieldError, Forbidden, Problem, ValidationFailed
from coordinator.platform.settings import Settings
from coordinator.web.validation import field_errors

NOTICE = Text(
    "{h}个工作小时内受理，{d}个工作日内办结",
    "Accepted within {h} working hours, resolved within {d} working days",
)
BAD_KEY = Text("请求须带有效的「api_key」", "A valid api_key is required")
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
# Where a case's field is called otherwise in GeoReport.
OPEN311_NAMES = {
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "building_id": "address_id",
    "area_id": "address_id",
    "reporter_name": "first_name",
    "reporter_phone": "phone",
    "reporter_email": "email",
    "title": "description",
    "category": "service_code",
}
LIMITS = {
    "service_code": 50,
    "address_string": 300,
    "address_id": 36,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 50,
    "last_name": 50,
    "phone": 25,
    "description": 4000,
    "media_url": 2000,
    "lat": 30,
    "long": 30,
}


def _invalid(field: str, zh: str, en: str) -> ValidationFailed:
    message = Text(zh, en)
    return ValidationFailed(message, errors=[FieldError(field, message)])


def renamed(problem: Problem) -> Problem:
    """A problem of the case's fields told in GeoReport's names."""
    if not problem.errors:
        return problem
    problem.errors = [
        FieldError(OPEN311_NAMES.get(e.field, e.field), e.message) for e in problem.errors
    ]
    return problem


def notice(category: CaseCategory) -> Text:
    hours = Decimal(category.response_hours).normalize()
    return NOTICE.format(h=f"{hours:f}", d=category.resolution_days)


@dataclass(frozen=True)
class Form:
    fields: dict[str, str]
    answers: list[dict[str, str]]


def read_form(form: Mapping[str, Sequence[str]]) -> Form:
    """The form's fields (the last value of each, blanks as not given) and its
    attribute[code] answers (attribute[code][] repeated for a multivaluelist)."""
    fields: dict[str, str] = {}
    answers: list[dict[str, str]] = []
    for name in form:
        if match := ATTRIBUTE.match(name):
            for answer in form[name]:
                if "\x00" in answer:
                    raise _invalid(name, "不能包含空字符", "must not contain a NUL character")
                if answer.strip():
                    answers.append({"code": match.group(1), "value": answer.strip()})
        elif (value := single(form, name)) is not None:
            if name in LIMITS and len(value) > LIMITS[name]:
                raise _invalid(
                    name, f"长度不能超过 {LIMITS[name]}", f"at most {LIMITS[name]} characters"
                )
            fields[name] = value
    return Form(fields, answers)


def checked_answers(
    category: CaseCategory, answers: list[dict[str, str]], zone: Any
) -> list[dict[str, str]]:
    """The answers to the service's attributes, checked against its definition; answers
    to attributes it does not have are left out."""
    defined = {a["code"]: a for a in attributes(category, "zh") if a["variable"]}
    kept = [a for a in answers if a["code"] in defined]
    for code, attribute in defined.items():
        given = [a["value"] for a in kept if a["code"] == code]
        field = f"attribute[{code}]"
        if attribute["required"] and not given:
            raise _invalid(field, "必填字段", "Field required")
        if len(given) > 1 and attribute["datatype"] != "multivaluelist":
            raise _invalid(field, "只能有一个值", "takes one value")
        keys = {v["key"] for v in attribute["values"]}
        for value in given:
            if attribute["datatype"] in LISTS and value not in keys:
                raise _invalid(
                    field,
                    "应为以下之一：" + "、".join(f"「{k}」" for k in sorted(keys)),
                    "must be one of " + ", ".join(sorted(keys)),
                )
            if attribute["datatype"] == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                raise _invalid(field, "应为数字", "must be a number")
            if attribute["datatype"] == "datetime":
                moment(value, field, zone)
    return kept


def _described(category: CaseCategory, text: str | None, answers: list[dict[str, str]]) -> str:
    """The description, with the attribute answers under it when they fit."""
    base = text or category.name
    if not answers:
        return base
    defined = {a["code"]: a for a in attributes(category, "zh")}
    lines = []
    for answer in answers:
        attribute = defined[answer["code"]]
        names = {v["key"]: v["name"] for v in attribute["values"]}
        lines.append(f"{attribute['description']}：{names.get(answer['value'], answer['value'])}")
    full = base + "\n\n" + "\n".join(lines)
    return full if len(full) <= 4000 else base


def reporter(fields: Mapping[str, str]) -> str | None:
    """The reporter's name: family name first when written in Chinese."""
    first, last = fields.get("first_name"), fields.get("last_name")
    if first and last:
        chinese = any("\u4e00" <= c <= "\u9fff" for c in first + last)
        return f"{last}{first}" if chinese else f"{first} {last}"
    return first or last


def case_in(category: CaseCategory, form: Form, answers: list[dict[str, str]]) -> CaseIn:
    fields = form.fields
    lat, long = fields.get("lat"), fields.get("long")
    if (lat is None) != (long is None):
        missing = "long" if long is None else "lat"
        raise _invalid(missing, "经纬度须同时填写", "lat and long are sent together")
    if lat is None and not fields.get("address_string") and not fields.get("address_id"):
        raise _invalid(
            "address_string",
            "请给出地点：「lat」与「long」、「address_string」或「address_id」",
            "give a location: lat and long, address_string or address_id",
        )
    values: dict[str, Any] = {
        "title": (fields.get("description") or category.name).splitlines()[0][:60].strip()
        or category.name,
        "description": _described(category, fields.get("description"), answers),
        "category": category.code,
        "address": fields.get("address_string"),
        "reporter_name": reporter(fields),
        "reporter_phone": fields.get("phone"),
        "reporter_email": fields.get("email"),
    }
    try:
        if lat is not None and long is not None:
            values["latitude"], values["longitude"] = float(lat), float(long)
        if "address_id" in fields:
            values["building_id"] = uuid.UUID(fields["address_id"])
    except ValueError as exc:
        field = "address_id" if "UUID" in str(exc) or "hexadecimal" in str(exc) else "lat"
        raise _invalid(field, "取值无效", "is not valid") from None
    try:
        return CaseIn.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise renamed(ValidationFailed(errors=field_errors(exc))) from None


async def post_request(
    *,
    session: AsyncSession,
    settings: Settings,
    form: Mapping[str, Sequence[str]],
    api_key: str | None,
    lang: Lang = "zh",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """File the request a form posts; [{service_request_id, service_notice, account_id}]."""
    key = await key_of(session=session, key=api_key or "")
    if key is None:
        raise Forbidden(BAD_KEY)
    given = read_form(form)
    code = given.fields.get("service_code")
    if code is None:
        raise _invalid("service_code", "必填字段", "Field required")
    category = await offered_category(session=session, code=code)
    answers = checked_answers(category, given.answers, settings.zone)
    data = case_in(category, given, answers)
    try:
        case = await file_case(
            session=session,
            actor=filer(key),
            settings=settings,
            data=data,
            source=CaseSource.open311,
            now=now,
        )
    except ValidationFailed as problem:
        raise renamed(problem) from None
    case.open311_token = uuid.uuid4()
    extra = Open311Request(
        case_id=case.id,
        key_id=key.id,
        account_id=given.fields.get("account_id"),
        device_id=given.fields.get("device_id"),
        media_url=given.fields.get("media_url"),
        attributes=answers,
    )
    session.add(extra)
    await session.flush()
    record(
        session=session,
        actor=filer(key),
        action="create",
        entity_type="open311_request",
        entity_id=case.id,
        after=snapshot(extra) | {"token": str(case.open311_token)},
    )
    return [
        {
            "service_request_id": str(case.number),
            "service_notice": notice(category).render(lang),
            "account_id": given.fields.get("account_id"),
        }
    ]
