"""Typed domain errors and their RFC 9457 problem documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from coordinator.platform.i18n import Lang, Text

# Members RFC 9457 defines (and `errors`, ours): a problem's extension members never take
# these names, so `status` is always the HTTP status and `detail` always the explanation.
RESERVED = frozenset({"type", "title", "status", "detail", "instance", "errors"})


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Text

    def render(self, lang: Lang) -> dict[str, str]:
        return {"field": self.field, "message": self.message.render(lang)}


class Problem(Exception):
    """Base for every error that answers with a problem document."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[Text] = Text("请求有误", "Bad request")

    def __init__(
        self,
        detail: Text | None = None,
        *,
        errors: Sequence[FieldError] = (),
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail.en if detail else self.title.en)
        clash = RESERVED.intersection(extra or ())
        if clash:
            raise ValueError(f"extension members may not be named {sorted(clash)}")
        self.detail = detail or self.title
        self.errors = list(errors)
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self, lang: Lang) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://fumin.example/problems/{self.slug}",
            "title": self.title.render(lang),
            "status": self.status,
            "detail": self.detail.render(lang),
        }
        if self.errors:
            body["errors"] = [e.render(lang) for e in self.errors]
        body.update(self.extra)
        return body


class BadRequest(Problem):
    status = 400
    slug = "bad-request"
    title = Text("请求格式有误", "Malformed request")


class Unauthorized(Problem):
    status = 401
    slug = "unauthorized"
    title = Text("需要有效的访问令牌", "A valid access token is required")


class Forbidden(Problem):
    status = 403
    slug = "forbidden"
    title = Text("没有权限", "Not allowed")


class NotFound(Problem):
    status = 404
    slug = "not-found"
    title = Text("未找到", "Not found")


class MethodNotAllowed(Problem):
    status = 405
    slug = "method-not-allowed"
    title = Text("不支持该请求方法", "Method not allowed")


class Conflict(Problem):
    status = 409
    slug = "conflict"
    title = Text("与当前状态冲突", "Conflict with the current state")


class StateConflict(Conflict):
    """The resource's state does not allow the request: names the state in `current` and the
    states it may move to in `allowed` (RFC 9457 extension members)."""

    slug = "invalid-transition"
    title = Text("当前状态不允许此操作", "Not allowed in the current state")

    def __init__(
        self,
        detail: Text | None = None,
        *,
        current: str,
        allowed: Iterable[str] = (),
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        members = {"current": current, "allowed": sorted(allowed), **(extra or {})}
        super().__init__(detail, extra=members, headers=headers)


class StillReferenced(Conflict):
    slug = "still-referenced"
    title = Text("仍被其他记录引用", "Still referenced")


class ValidationFailed(Problem):
    status = 422
    slug = "validation-failed"
    title = Text("输入未通过校验", "Invalid input")


class PayloadTooLarge(Problem):
    status = 413
    slug = "payload-too-large"
    title = Text("请求体过大", "Request body too large")


class UnsupportedMediaType(Problem):
    status = 415
    slug = "unsupported-media-type"
    title = Text("请使用 JSON 请求体", "Send a JSON body")


class TooManyRequests(Problem):
    status = 429
    slug = "too-many-requests"
    title = Text("请求过于频繁", "Too many requests")


class ServiceUnavailable(Problem):
    status = 503
    slug = "service-unavailable"
    title = Text("服务暂时不可用，请稍后重试", "Service temporarily unavailable; try again shortly")

    def __init__(self, detail: Text | None = None, *, retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class ServerError(Problem):
    status = 500
    slug = "server-error"
    title = Text("服务器内部错误", "Internal server error")


def not_found(resource: Text) -> NotFound:
    """The resource named in the path does not exist."""
    return NotFound(
        Text("{zh}不存在", "{en} does not exist").format(zh=resource.zh, en=resource.en)
    )


def missing_reference(field: str, resource: Text) -> ValidationFailed:
    """A row named by a field of the body does not exist."""
    message = Text("引用的{zh}不存在", "the referenced {en} does not exist").format(
        zh=resource.zh, en=resource.en
    )
    return ValidationFailed(message, errors=[FieldError(field, message)])


def invalid_field(field: str, message: Text) -> ValidationFailed:
    """One field of the body is refused, and the request with it."""
    return ValidationFailed(message, errors=[FieldError(field, message)])
