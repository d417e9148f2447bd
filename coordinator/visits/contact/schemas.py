"""What the contact types into the visit page's forms: read, checked, and, when refused,
handed back with the field at fault, so the page shows it again with the error beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coordinator.platform.db import utcnow
from coordinator.platform.i18n import Lang, Text

MAX_TEXT = 500
MAX_WINDOWS = 3
FIELDS = (
    "reason",
    "note",
    *(f"{end}{i}" for i in range(1, MAX_WINDOWS + 1) for end in ("start", "end")),
)

ERRORS = {
    "csrf": Text("页面已过期，请刷新后重试。", "The page is out of date; reload and try again."),
    "text": Text(
        f"文字过长（最多 {MAX_TEXT} 字）。",
        f"The text is too long ({MAX_TEXT} characters at most).",
    ),
    "incomplete": Text("请同时填写开始和结束时间。", "Give both the start and the end."),
    "backwards": Text("结束时间须晚于开始时间。", "The end must come after the start."),
    "past": Text("请选择晚于现在的时间。", "Choose a time in the future."),
    "empty": Text(
        "请至少填写一个时间段，或在备注中说明。", "Give at least one time window, or write a note."
    ),
    "state": Text(
        "此走访当前状态不能再这样答复。", "The visit can no longer be answered this way."
    ),
}


def message(kind: str, lang: Lang) -> str:
    return ERRORS[kind].render(lang)


@dataclass
class Refused(Exception):
    """A form the page shows again: what was typed, and an error per field."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def typed_values(form: Any) -> dict[str, str]:
    """What was typed into the fields the page shows (cut to what the inputs accept)."""
    return {name: str(form.get(name, ""))[: MAX_TEXT * 2] for name in FIELDS}


def read_text(form: Any, lang: Lang) -> tuple[str | None, str | None]:
    """The reason and the note, or Refused when one is too long."""
    typed = typed_values(form)
    reason = typed["reason"].strip() or None
    note = typed["note"].strip() or None
    errors = {
        name: message("text", lang)
        for name, value in (("reason", reason), ("note", note))
        if len(value or "") > MAX_TEXT
    }
    if errors:
        raise Refused(typed, errors)
    return reason, note


def read_windows(form: Any, zone: Any, lang: Lang, *, note: str | None) -> list[dict[str, str]]:
    """Up to three proposed windows from datetime-local inputs (in the subdistrict's zone),
    each complete, forwards and in the future; at least one, or a note. Refused names the
    first input at fault."""
    typed = typed_values(form)
    windows = []
    now = utcnow()
    for i in range(1, MAX_WINDOWS + 1):
        start, end = typed[f"start{i}"].strip(), typed[f"end{i}"].strip()
        if not start and not end:
            continue
        starts, ends = _moment(start, zone), _moment(end, zone)
        if starts is None or ends is None:
            missing = f"start{i}" if starts is None else f"end{i}"
            raise Refused(typed, {missing: message("incomplete", lang)})
        if starts <= now:
            raise Refused(typed, {f"start{i}": message("past", lang)})
        if ends <= starts:
            raise Refused(typed, {f"end{i}": message("backwards", lang)})
        windows.append({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
    if not windows and not note:
        raise Refused(typed, {"start1": message("empty", lang)})
    return windows


def _moment(text: str, zone: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text[:16]).replace(tzinfo=zone) if text else None
    except ValueError:
        return None
