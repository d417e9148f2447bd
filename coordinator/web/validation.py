"""Request parsing with pydantic, its errors turned into bilingual field errors."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from coordinator.platform.i18n import Text
from coordinator.platform.problems import BadRequest, FieldError, ValidationFailed

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """Base for request bodies: unknown fields refused, types strict (JSON strings for times)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Query(BaseModel):
    """Base for query parameters: unknown parameters refused, strings converted."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# Chinese wording per pydantic error type; English comes from pydantic itself.
_ZH: dict[str, str] = {
    "missing": "必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度不能超过 {max_length}",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "datetime_type": "应为带时区的 ISO 8601 时间",
    "datetime_parsing": "应为带时区的 ISO 8601 时间",
    "datetime_from_date_parsing": "应为带时区的 ISO 8601 时间",
    "timezone_aware": "时间必须带时区偏移（如 +08:00 或 Z）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "time_type": "应为时间（HH:MM）",
    "time_parsing": "应为时间（HH:MM）",
    "finite_number": "应为有限数字",
    "none_required": "应为空",
    "value_error": "取值无效",
    "set_type": "应为数组",
    "union_tag_invalid": "类型标识无效",
    "json_type": "应为 JSON",
    "url_parsing": "应为网址",
    "url_type": "应为网址",
    "url_scheme": "网址协议应为 {expected_schemes}",
}


def _field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    return ".".join(parts) or "body"


def field_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    """Bilingual field errors for a pydantic validation error."""
    errors: list[FieldError] = []
    for detail in exc.errors(include_url=False):
        errors.append(FieldError(prefix + _field(detail["loc"]), _message(detail)))
    return errors


def _choices_zh(expected: str) -> str:
    """pydantic's list of allowed values, in Chinese punctuation."""
    parts = [p.strip().strip("'") for p in expected.replace(" or ", ", ").split(", ") if p]
    quoted = [f"「{p}」" for p in parts]
    return "、".join(quoted[:-1]) + "或" + quoted[-1] if len(quoted) > 1 else "".join(quoted)


def _message(detail: ErrorDetails) -> Text:
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    kind = detail["type"]
    english = detail["msg"]
    if "zh" in ctx:  # our own validators carry both wordings
        return Text(str(ctx["zh"]), english)
    template = _ZH.get(kind)
    if template is None:  # a check of pydantic's we have no wording for
        return Text("取值无效", english)
    if "expected" in ctx:  # "'a', 'b' or 'c'" -> "「a」、「b」或「c」"
        ctx["expected"] = _choices_zh(str(ctx["expected"]))
    try:
        return Text(template.format(**ctx), english)
    except (KeyError, IndexError):
        return Text(template, english)


NUL = Text("不能包含空字符（U+0000）", "must not contain a NUL character (U+0000)")


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """The fields (dotted paths) of parsed JSON whose keys or strings hold a NUL."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found += [name] if "\x00" in str(key) else _nul_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nul_fields(item, f"{path}.{index}" if path else str(index))
    return found


def _refuse_nul(raw: bytes) -> None:
    """PostgreSQL text cannot hold U+0000: a body that carries one is 422 naming the field."""
    if b"\\u0000" not in raw:  # JSON can only spell NUL as an escape
        return
    try:
        fields = _nul_fields(json.loads(raw))
    except ValueError:
        return  # not JSON: the parser below says so
    if fields:
        raise ValidationFailed(errors=[FieldError(field, NUL) for field in fields])


# What pydantic says of a body that is JSON but not an object ([], "x", 42, null).
_NOT_AN_OBJECT = {"model_type", "model_attributes_type", "dict_type"}


def parse_body(model: type[M], raw: bytes) -> M:
    """Validate a JSON body; malformed JSON is 400, invalid content 422."""
    if not raw.strip():
        raise BadRequest(
            Text("请求体为空，应为 JSON 对象", "The body is empty; send a JSON object")
        )
    _refuse_nul(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        kinds = {d["type"] for d in exc.errors()}
        if "json_invalid" in kinds:
            raise BadRequest(Text("请求体不是有效的 JSON", "The body is not valid JSON")) from None
        if len(exc.errors()) == 1 and exc.errors()[0]["type"] in _NOT_AN_OBJECT:
            raise BadRequest(
                Text("请求体应为 JSON 对象", "The body must be a JSON object")
            ) from None
        raise ValidationFailed(errors=field_errors(exc)) from None


def parse_query(model: type[M], values: dict[str, str]) -> M:
    nul = [name for name, value in values.items() if "\x00" in value or "\x00" in name]
    if nul:
        raise ValidationFailed(errors=[FieldError(name.replace("\x00", ""), NUL) for name in nul])
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(errors=field_errors(exc)) from None
