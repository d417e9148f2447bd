"""What a GET requests asks for, read from its query as the specification words it:
lists may be comma-delimited or repeated, an empty parameter is one not given, the
window of requested times defaults to the last 90 days and spans 90 days at most."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from coordinator.platform.i18n import Text
from coordinator.platform.problems import FieldError, ValidationFailed
from coordinator.web.validation import NUL

WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 1000
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RequestsQuery:
    """One GET requests: either ids (which override every other argument) or filters."""

    ids: tuple[int, ...] | None = None
    codes: tuple[str, ...] | None = None
    statuses: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = MAX_RESULTS
    extensions: bool = False

    @property
    def by_status(self) -> str | None:
        """ "open" or "closed" when only one is asked for; None for both or neither."""
        return next(iter(self.statuses)) if len(self.statuses) == 1 else None


def _invalid(field: str, message: Text) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])


def values(query: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """Every value given for `name`, repeated or comma-delimited, blanks left out."""
    found = [part.strip() for raw in query.get(name, ()) for part in raw.split(",")]
    if any("\x00" in value for value in found):
        raise _invalid(name, NUL)
    return [value for value in found if value]


def single(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    given = [raw.strip() for raw in query.get(name, ()) if raw.strip()]
    if any("\x00" in value for value in given):
        raise _invalid(name, NUL)
    return given[-1] if given else None


def moment(raw: str, field: str, zone: tzinfo) -> datetime:
    """A W3C date-time (`2010-01-01T00:00:00Z`); a date alone is its midnight, and a time
    without an offset is read in the subdistrict's zone."""
    try:
        if len(raw) == 10:
            parsed = datetime.combine(date.fromisoformat(raw), time())
        else:
            parsed = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise _invalid(
            field,
            Text(
                "应为 W3C 日期时间，如 2010-01-01T00:00:00Z",
                "must be a W3C date-time such as 2010-01-01T00:00:00Z",
            ),
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _number(raw: str, field: str, low: int, high: int) -> int:
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _invalid(
            field,
            Text(
                "应为 {low} 到 {high} 之间的整数", "must be a whole number from {low} to {high}"
            ).format(low=low, high=high),
        )
    return int(raw)


def window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The requested times searched: the last 90 days, or 90 days from a start or up to
    an end; both given, at most 90 days apart."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        assert end is not None
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise _invalid("end_date", Text("不能早于开始时间", "must not be before start_date"))
    if end - start > WINDOW:
        raise _invalid(
            "end_date",
            Text("与开始时间相隔不能超过 90 天", "must be at most 90 days after start_date"),
        )
    return start, end


def requests_query(
    query: Mapping[str, Sequence[str]], *, now: datetime, zone: tzinfo
) -> RequestsQuery:
    """The query of GET requests, checked (ValidationFailed naming each bad parameter)."""
    page = _number(single(query, "page") or "1", "page", 1, 100_000)
    page_size = _number(single(query, "page_size") or str(MAX_RESULTS), "page_size", 1, MAX_RESULTS)
    extensions = (single(query, "extensions") or "").lower() in ("true", "1")
    ids = values(query, "service_request_id")
    if ids:
        if len(ids) > MAX_IDS:
            raise _invalid(
                "service_request_id",
                Text("最多 {n} 个编号", "at most {n} ids").format(n=MAX_IDS),
            )
        if not all(i.isdigit() and len(i) <= 18 for i in ids):
            raise _invalid(
                "service_request_id",
                Text("应为以逗号分隔的案件编号", "must be case numbers separated by commas"),
            )
        numbers = tuple(dict.fromkeys(int(i) for i in ids))
        return RequestsQuery(ids=numbers, page=page, page_size=page_size, extensions=extensions)
    statuses = values(query, "status")
    if unknown := [s for s in statuses if s.lower() not in STATUSES]:
        raise _invalid(
            "status",
            Text("应为「open」或「closed」，而非「{v}」", "must be open or closed, not {v}").format(
                v=unknown[0][:40]
            ),
        )
    raw_start, raw_end = single(query, "start_date"), single(query, "end_date")
    start, end = window(
        moment(raw_start, "start_date", zone) if raw_start else None,
        moment(raw_end, "end_date", zone) if raw_end else None,
        now,
    )
    codes = values(query, "service_code")
    return RequestsQuery(
        codes=tuple(dict.fromkeys(codes)) or None,
        statuses=frozenset(s.lower() for s in statuses),
        start=start,
        end=end,
        page=page,
        page_size=page_size,
        extensions=extensions,
    )
