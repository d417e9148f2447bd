"""The visits list, the audit log and the event feed, rendered by PostgreSQL
(platform.listing, platform.keyed), are the bytes their pages were before (paginate and
visit_out; the audit log's and the feed's own readers, kept here as they were): awkward
text, nulls, floats in jsonb, reschedule windows, zone days, every filter, sort and cursor."""

from __future__ import annotations

import base64
import json
import math
import random
import struct
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel
from sqlalchemy import Select, func, insert, null, select, text

from coordinator.audit import service as audit
from coordinator.audit.models import AuditEntry
from coordinator.audit.schemas import AuditOut, AuditQuery
from coordinator.events import service as events
from coordinator.events.catalogue import PRIVATE_FIELDS
from coordinator.events.models import OutboxEvent
from coordinator.events.schemas import EventOut, EventPage, EventQuery
from coordinator.people.models import Person, Team, TeamKind
from coordinator.platform.db import Database
from coordinator.platform.json_sql import jsonb_json
from coordinator.platform.problems import ValidationFailed
from coordinator.registry.models import Building, Company, Contact
from coordinator.visits.models import Visit, VisitStatus
from coordinator.visits.reports import service as reports
from coordinator.visits.schemas import VisitQuery, visit_out
from coordinator.web.api import json_response
from tests.paginated import paginate, search

AWKWARD = ['引号"和\\反斜杠', "换行\n制表\t", "控制\x01字符", "emoji 🏢 𠀀", "</script>&'", "plain"]
# Floats as a building's coordinates or anything else may hold them, and how jsonb keeps them.
FLOATS = [31.230416, 121.473701, 30.0, 0.00001, -0.000015, 1.5e-7, 1e15 + 0.5, 2.5e16, 0.1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROWS = 14


def stamp(n: int) -> datetime:
    return datetime(2024, 3, 1 + n % 3, 15 + n % 3, n % 60, n % 7, (n % 3) * 120_000, UTC)


def starts(n: int) -> datetime:
    """Midnight of 3 March in Shanghai, a microsecond before, eight hours after; a week on."""
    midnight = datetime(2024, 3, 2, 16, tzinfo=UTC) + timedelta(days=n // 3 * 7)
    return midnight + [timedelta(microseconds=-1), timedelta(0), timedelta(hours=8)][n % 3]


def windows(n: int) -> Any:
    if n % 4 == 0:
        return None if n % 8 else null()  # jsonb's null, or SQL's
    if n % 4 == 1:
        return []
    local = datetime(2024, 3, 2, 9, 30, tzinfo=SHANGHAI) + timedelta(minutes=n)
    other = datetime(2024, 3, 2, 9, 0, 0, 5, tzinfo=ZoneInfo("America/New_York"))
    return [
        {"starts_at": local.isoformat(), "ends_at": (local + timedelta(hours=1)).isoformat()},
        {"starts_at": other.isoformat(), "ends_at": (other + timedelta(hours=1)).isoformat()},
    ]


async def seed_visits(database: Database) -> dict[str, uuid.UUID]:
    ids = {name: uuid.uuid4() for name in ("building", "team", "liaison", "other")}
    companies = [uuid.uuid4() for _ in range(3)]
    contacts = [uuid.uuid4() for _ in range(3)]
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(Building),
            [{"id": ids["building"], "name": "大厦", "address": "路", "kind": "office"}],
        )
        await session.execute(
            insert(Person),
            [{"id": ids["liaison"], "name": "甲"}, {"id": ids["other"], "name": "乙"}],
        )
        await session.execute(
            insert(Team), [{"id": ids["team"], "name": "联络组", "kind": TeamKind.liaison}]
        )
        await session.execute(
            insert(Company),
            [
                {
                    "id": c,
                    "name": f"企业{n}",
                    "credit_code": f"91310106{n:09d}X",
                    "status": "operating",
                    "building_id": ids["building"] if n < 2 else None,
                    "street_address": None if n < 2 else "街面",
                }
                for n, c in enumerate(companies)
            ],
        )
        await session.execute(
            insert(Contact),
            [
                {"id": k, "company_id": c, "name": "联系人", "mobile": f"1380000000{n}"}
                for n, (k, c) in enumerate(zip(contacts, companies, strict=True))
            ],
        )
        await session.execute(
            insert(Visit),
            [
                {
                    "company_id": companies[n % 3],
                    "contact_id": contacts[n % 3],
                    "liaison_id": ids["liaison"] if n % 2 else ids["other"],
                    "team_id": ids["team"] if n % 3 else None,
                    "starts_at": starts(n),
                    "ends_at": starts(n) + timedelta(minutes=45),
                    "place": f"{AWKWARD[n % 6]}{n:02d}",
                    "purpose": AWKWARD[(n + 1) % 6],
                    "status": list(VisitStatus)[n % 7],
                    "sequence": n % 4,
                    "decline_reason": AWKWARD[n % 6] if n % 5 == 0 else None,
                    "reschedule_windows": windows(n),
                    "proposed_at": stamp(n),
                    "answered_at": stamp(n + 1) if n % 2 else None,
                    "created_at": stamp(n % 4),  # ties: the id decides
                    "updated_at": stamp(n),
                }
                for n in range(ROWS)
            ],
        )
    ids["company"] = companies[1]
    return ids


async def pages_agree(
    query: Any,
    old: Callable[[Any], Awaitable[str]],
    new: Callable[[Any], Awaitable[bytes]],
    cursor_field: str = "cursor",
) -> tuple[int, int]:
    """Every page, cursor after cursor, is the same bytes both ways; the number of pages
    and of items."""
    pages = items = 0
    while True:
        expected = await old(query)
        assert json_response(await new(query)).text == expected
        page = json.loads(expected)
        pages, items = pages + 1, items + len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None or cursor == getattr(query, cursor_field):
            return pages, items
        query = query.model_copy(update={cursor_field: cursor})


def old_visits(query: VisitQuery, zone: ZoneInfo) -> Select[Any]:
    """The visits list's statement before platform.listing, as it was."""
    stmt = select(Visit)
    if query.day:
        start, end = reports.day_range(query.day, zone)
        stmt = stmt.where(Visit.starts_at >= start, Visit.starts_at < end)
    for column, value in (
        (Visit.team_id, query.team_id),
        (Visit.liaison_id, query.liaison_id),
        (Visit.company_id, query.company_id),
        (Visit.status, query.status),
    ):
        if value:
            stmt = stmt.where(column == value)
    if query.building_id:
        stmt = stmt.where(
            Visit.company_id.in_(select(Company.id).where(Company.building_id == query.building_id))
        )
    if (match := search([Visit.purpose, Visit.place], query.q)) is not None:
        stmt = stmt.where(match)
    return stmt


@pytest.mark.parametrize("sort", [None, "created_at", "-updated_at"])
async def test_visits(database: Database, sort: str | None) -> None:
    ids = await seed_visits(database)
    zone = SHANGHAI

    async def old(query: VisitQuery) -> str:
        async with database.session() as session:
            page = await paginate(
                session,
                old_visits(query, zone),
                query=query,
                id_column=Visit.id,
                sortable={
                    "starts_at": Visit.starts_at,
                    "created_at": Visit.created_at,
                    "updated_at": Visit.updated_at,
                },
                default_sort="starts_at",
                serialize=visit_out,
            )
        return json_response(page).text

    async def new(query: VisitQuery) -> bytes:
        return await reports.list_visits(database=database, query=query, zone=zone)

    cases = [
        VisitQuery(limit=4, sort=sort),
        # 3 March in Shanghai: from 2 March 16:00 UTC to 3 March 16:00 UTC.
        VisitQuery(limit=1, sort=sort, day=date(2024, 3, 3)),
        VisitQuery(limit=1, sort=sort, day=date(2024, 3, 2)),
        VisitQuery(limit=2, sort=sort, team_id=ids["team"], liaison_id=ids["liaison"]),
        VisitQuery(limit=3, sort=sort, building_id=ids["building"]),
        VisitQuery(limit=2, sort=sort, company_id=ids["company"], status=VisitStatus.confirmed),
        VisitQuery(limit=2, sort=sort, q='"'),
        VisitQuery(sort=sort, q="%", day=date(2024, 3, 9)),
    ]
    seen = [await pages_agree(query, old, new) for query in cases]
    assert seen[:3] == [(4, ROWS), (2, 2), (1, 1)]


def old_audit_entry_cursor(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode())


async def old_audit_page(database: Database, query: AuditQuery) -> str:
    """The audit log's reader before platform.keyed, as it was."""
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.entity_type, query.entity_type),
        (AuditEntry.entity_id, query.entity_id),
        (AuditEntry.action, query.action),
        (AuditEntry.actor_token_id, query.actor_token_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    async with database.session() as session:
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        if query.cursor:
            stmt = stmt.where(AuditEntry.id < old_audit_entry_cursor(query.cursor))
        rows = list(
            await session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(query.limit + 1))
        )
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = base64.urlsafe_b64encode(str(rows[-1].id).encode()).decode()
    page = {
        "items": [AuditOut.model_validate(r).model_dump(mode="json") for r in rows],
        "next_cursor": next_cursor,
        "total": total or 0,
    }
    return json_response(page).text


def snapshot(n: int) -> dict[str, Any]:
    return {
        "name": AWKWARD[n % 6],
        "latitude": FLOATS[n % len(FLOATS)],
        "longitude": -FLOATS[(n + 3) % len(FLOATS)],
        "headcount": n * 1000,
        "tags": ["a, b", 'c: "d"', n],
        "nested": {"floor": None, "open": n % 2 == 0, "at": stamp(n).isoformat()},
    }


async def test_audit_log(database: Database) -> None:
    token, entity = uuid.uuid4(), uuid.uuid4()
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(AuditEntry),
            [
                {
                    "at": stamp(n),
                    "actor_token_id": token if n % 2 else None,
                    "actor_name": AWKWARD[n % 6],
                    "action": ["create", "update", "delete"][n % 3],
                    "entity_type": ["building", "company"][n % 2],
                    "entity_id": entity if n % 3 == 0 else uuid.uuid4(),
                    "before": None if n % 3 == 0 else snapshot(n),
                    "after": None if n % 3 == 2 else snapshot(n + 1),
                }
                for n in range(ROWS)
            ],
        )

    async def old(query: AuditQuery) -> str:
        return await old_audit_page(database, query)

    async def new(query: AuditQuery) -> bytes:
        return await audit.list_entries(database=database, query=query)

    cases = [
        AuditQuery(limit=4),
        AuditQuery(limit=200),
        AuditQuery(limit=2, entity_type="building", action="update"),
        AuditQuery(limit=1, entity_id=entity),
        AuditQuery(limit=3, actor_token_id=token),
        AuditQuery(entity_type="nothing"),
    ]
    seen = [await pages_agree(query, old, new) for query in cases]
    assert seen[:2] == [(-(-ROWS // 4), ROWS), (1, ROWS)]
    # Past the end, and a cursor only one of the readers would take.
    last = AuditQuery(limit=2, cursor=base64.urlsafe_b64encode(b"1").decode())
    assert json_response(await new(last)).text == await old(last)
    with pytest.raises(ValidationFailed) as refused:
        await new(AuditQuery(cursor="bm90IGEgbnVtYmVy"))
    assert refused.value.errors[0].field == "cursor"


async def old_feed_page(database: Database, query: EventQuery) -> str:
    """The feed's reader before platform.keyed, as it was."""
    after = events.decode_position(query.after) if query.after else None
    types = [t.strip() for t in query.types.split(",")] if query.types else None
    async with database.session() as session:
        horizon = await session.scalar(
            text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        )
        stmt = select(OutboxEvent).where(OutboxEvent.txid < horizon)
        if after is not None:
            txid, seq = after
            stmt = stmt.where(
                (OutboxEvent.txid > txid) | ((OutboxEvent.txid == txid) & (OutboxEvent.seq > seq))
            )
        if types:
            stmt = stmt.where(OutboxEvent.type.in_(types))
        stmt = stmt.order_by(OutboxEvent.txid, OutboxEvent.seq).limit(query.limit)
        rows = list((await session.scalars(stmt)).all())
    items = [
        EventOut(
            id=e.id,
            type=e.type,
            occurred_at=e.occurred_at,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            data={k: v for k, v in e.data.items() if k not in PRIVATE_FIELDS},
            cursor=events.encode_position(e.txid, e.seq),
        )
        for e in rows
    ]
    next_cursor = items[-1].cursor if items else query.after
    return json_response(EventPage(items=items, next_cursor=next_cursor)).text


async def test_event_feed(committed_database: Database) -> None:
    database = committed_database
    kinds = ["area.created", "visit.proposed", "building.updated"]
    for batch in range(4):  # several transactions, several events each
        async with database.sessionmaker.begin() as session:
            for n in range(batch * 5, batch * 5 + 5):
                data = snapshot(n) | ({"link": "https://fumin.test/v/secret"} if n % 2 else {})
                events.record_event(
                    session,
                    kinds[n % 3],
                    data=data | {"id": str(uuid.UUID(int=n))},
                    subject_type=None if n % 4 == 0 else "area",
                    subject_id=None if n % 4 == 0 else uuid.UUID(int=n),
                    actor=AWKWARD[n % 6],
                )

    async def old(query: EventQuery) -> str:
        return await old_feed_page(database, query)

    async def new(query: EventQuery) -> bytes:
        return await events.feed(database, query)

    cases = [
        EventQuery(limit=3),
        EventQuery(),
        EventQuery(limit=2, types="visit.proposed, building.updated"),
        EventQuery(limit=4, types="area.created"),
        EventQuery(types="signup.created"),
        EventQuery(after=events.encode_position(1, 1)),
        EventQuery(after=events.encode_position(2**62, 1) + "=="),
    ]
    seen = [await pages_agree(query, old, new, cursor_field="after") for query in cases]
    # 20 events, three a page, then the page saying nothing came after
    assert seen[:2] == [(7 + 1, 20), (1 + 1, 20)]
    page = json.loads(await new(EventQuery(limit=1)))
    assert "link" not in json.dumps(page) and page["items"][0]["data"]["latitude"] == FLOATS[0]
    with pytest.raises(ValidationFailed) as refused:
        await new(EventQuery(after="%%%"))
    assert refused.value.errors[0].field == "after"


class Anything(BaseModel):
    value: Any


def awkward_floats() -> list[float]:
    """Floats at every turn of how they are written, and random ones of every size."""
    rng = random.Random(7)
    found = [0.0, -0.0, 30.0, 1e-4, 1e-5, 1.5e-5, 1e-6, 3e-7, 1e15, 1e15 + 0.5, 1e16, 1.5e300]
    while len(found) < 1500:
        value = struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            found += [value, round(rng.uniform(-180, 180), rng.randint(0, 8))]
    return found


async def test_jsonb_renders_as_json_dumps_and_pydantic_write_what_is_read(
    database: Database,
) -> None:
    floats = awkward_floats()
    values: list[Any] = [
        {"x": x, "l": [x, {"s": 's, : "q" 1.5\\\b\f\x01\x7f\u2028'}]} for x in floats
    ]
    values += [*floats[:40], [floats[40], "a, b: c"], "1.5", None, {}, [], {"": {"": 2**70}}]
    sql = (
        f"SELECT j::text, {jsonb_json('j')}, {jsonb_json('j', compact=True)}"
        " FROM jsonb_array_elements(CAST(:values AS jsonb)) WITH ORDINALITY AS v(j, o) ORDER BY o"
    )
    async with database.session() as session:
        rows = (await session.execute(text(sql), {"values": json.dumps(values)})).all()
    assert len(rows) == len(values)
    for raw, dumped, compact in rows:
        read = json.loads(raw)  # what asyncpg hands Python
        assert dumped == json.dumps(read, ensure_ascii=False), raw
        assert compact == Anything.model_validate({"value": read}).model_dump_json()[9:-1], raw
