"""The deliveries, webhooks, tokens and campaign items lists, rendered by PostgreSQL
(platform.listing), are the bytes the same pages of pydantic models give (paginate):
awkward text, nulls, arrays, dates, every filter, every sort and every cursor."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, insert, select

from coordinator.auth import service as tokens
from coordinator.auth.models import ApiToken, Role
from coordinator.auth.schemas import TokenOut, TokenQuery
from coordinator.campaigns import items
from coordinator.campaigns.models import Campaign, CampaignPlanItem
from coordinator.campaigns.schemas import ItemOut, ItemQuery
from coordinator.events.models import OutboxEvent
from coordinator.notifications import service as notifications
from coordinator.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    WebhookSubscription,
)
from coordinator.notifications.schemas import (
    DeliveryOut,
    DeliveryQuery,
    WebhookOut,
    WebhookQuery,
)
from coordinator.people.models import Person
from coordinator.platform.db import Database
from coordinator.platform.listing import Listing
from coordinator.registry.models import Building, Company
from coordinator.web.api import json_response
from coordinator.web.listing import ListQuery
from tests.paginated import paginate

AWKWARD = ['引号"和\\反斜杠', "换行\n制表\t", "控制\x01字符", "emoji 🏢 𠀀", "</script>&'", "plain"]
ROWS = 14


def stamp(n: int) -> datetime:
    return datetime(2024, 1 + n % 12, 1 + n % 28, 8, n % 60, n % 7, (n % 3) * 120_000, UTC)


async def seed(database: Database) -> dict[str, uuid.UUID]:
    ids = {"webhook": uuid.uuid4(), "event": uuid.uuid4(), "campaign": uuid.uuid4()}
    ids["building"], ids["liaison"] = uuid.uuid4(), uuid.uuid4()
    companies = [uuid.uuid4() for _ in range(ROWS)]
    async with database.sessionmaker.begin() as session:
        await session.execute(insert(OutboxEvent), [{"id": ids["event"], "type": "visit.proposed"}])
        await session.execute(
            insert(WebhookSubscription),
            [
                {
                    "id": ids["webhook"] if n == 0 else uuid.uuid4(),
                    "url": f"https://example.org/{AWKWARD[n % 6]}{n:02d}",
                    "event_types": [["*"], [], ["visit.proposed", 'a"b']][n % 3],
                    "secret": f"whsec_{n}",
                    "active": n % 2 == 0,
                    "description": None if n % 2 else AWKWARD[n % 6],
                    "created_at": stamp(n),
                    "updated_at": stamp(n),
                }
                for n in range(ROWS)
            ],
        )
        await session.execute(
            insert(Delivery),
            [
                {
                    "event_id": ids["event"],
                    "channel": list(Channel)[n % 3],
                    "recipient": f"{AWKWARD[n % 6]}{n:02d}",
                    "subscription_id": ids["webhook"] if n % 2 else None,
                    "status": list(DeliveryStatus)[n % 4],
                    "attempts": n,
                    "not_before": None if n % 3 else stamp(n + 1),
                    "sent_at": stamp(n + 2) if n % 2 else None,
                    "last_error": AWKWARD[n % 6] if n % 4 == 2 else None,
                    "response_status": 500 + n if n % 5 == 0 else None,
                    "created_at": stamp(n % 5),  # ties: the id decides
                    "updated_at": stamp(n),
                }
                for n in range(ROWS)
            ],
        )
        await session.execute(
            insert(ApiToken),
            [
                {
                    "name": f"{AWKWARD[n % 6]}{n:02d}",
                    "role": list(Role)[n % 3],
                    "token_hash": n.to_bytes(32, "big"),
                    "revoked_at": stamp(n + 3) if n % 3 == 1 else None,
                    "created_at": stamp(n),
                    "updated_at": stamp(n),
                }
                for n in range(ROWS)
            ],
        )
        await session.execute(
            insert(Building),
            [{"id": ids["building"], "name": "大厦", "address": "路", "kind": "office"}],
        )
        await session.execute(insert(Person), [{"id": ids["liaison"], "name": "联络员"}])
        await session.execute(
            insert(Company),
            [
                {
                    "id": c,
                    "name": f"企业{n}",
                    "credit_code": f"91310106{n:09d}X",
                    "status": "operating",
                    "building_id": ids["building"],
                }
                for n, c in enumerate(companies)
            ],
        )
        await session.execute(
            insert(Campaign),
            [
                {
                    "id": ids["campaign"],
                    "name": "走访",
                    "purpose": "走访",
                    "starts_on": date(2024, 3, 1),
                    "ends_on": date(2024, 3, 31),
                    "weekdays": [1, 2, 3, 4, 5],
                    "windows": [{"start": "09:00", "end": "12:00"}],
                    "visit_minutes": 45,
                }
            ],
        )
        await session.execute(
            insert(CampaignPlanItem),
            [
                {
                    "campaign_id": ids["campaign"],
                    "company_id": c,
                    "liaison_id": ids["liaison"],
                    "building_id": ids["building"] if n % 2 else None,
                    "day": date(2024, 3, 1 + n % 3),
                    "starts_at": stamp(n % 4),
                    "ends_at": stamp(n % 4) + timedelta(minutes=45),
                    "pinned": n % 3 == 0,
                    "preferred_hit": n % 2 == 0,
                }
                for n, c in enumerate(companies)
            ],
        )
    return ids


async def pages_agree(
    database: Database,
    query: ListQuery,
    listing: Listing,
    stmt: Select[Any],
    new: Callable[[ListQuery], Awaitable[bytes]],
) -> None:
    """Every page, cursor after cursor, is the same bytes both ways."""
    pages = 0
    while True:
        async with database.session() as session:
            old = await paginate(
                session,
                stmt,
                query=query,
                id_column=listing.model.id,
                sortable=dict(listing.sorts),
                default_sort=listing.default_sort,
                serialize=listing.out.model_validate,
            )
        expected = json_response(old).text
        assert json_response(await new(query)).text == expected
        pages += 1
        if (cursor := json.loads(expected or "")["next_cursor"]) is None:
            break
        query = query.model_copy(update={"cursor": cursor})
    assert pages == max(1, -(-old["total"] // query.limit))


@pytest.mark.parametrize("sort", [None, "created_at", "-updated_at"])
async def test_deliveries(database: Database, sort: str | None) -> None:
    ids = await seed(database)
    base = select(Delivery)
    of_webhook = base.where(Delivery.subscription_id == ids["webhook"])
    failed = base.where(Delivery.status == DeliveryStatus.failed)
    cases: list[tuple[DeliveryQuery, Select[Any], uuid.UUID | None]] = [
        (DeliveryQuery(limit=4, sort=sort), base, None),
        (DeliveryQuery(limit=3, sort=sort), of_webhook, ids["webhook"]),
        (DeliveryQuery(limit=2, sort=sort, status=DeliveryStatus.failed), failed, None),
        (
            DeliveryQuery(limit=2, sort=sort, channel=Channel.sms, event_id=ids["event"], q="0"),
            base.where(
                Delivery.channel == Channel.sms,
                Delivery.event_id == ids["event"],
                Delivery.recipient.ilike("%0%"),
            ),
            None,
        ),
        (DeliveryQuery(sort=sort, q="%"), base.where(Delivery.id.is_(None)), None),
    ]
    for query, stmt, webhook in cases:

        async def new(q: ListQuery, webhook: uuid.UUID | None = webhook) -> bytes:
            assert isinstance(q, DeliveryQuery)
            return await notifications.list_deliveries(
                database=database, query=q, subscription_id=webhook
            )

        await pages_agree(database, query, notifications.DELIVERIES, stmt, new)
    assert DeliveryOut is notifications.DELIVERIES.out


@pytest.mark.parametrize("sort", [None, "url", "-created_at"])
async def test_webhooks(database: Database, sort: str | None) -> None:
    await seed(database)
    base = select(WebhookSubscription)
    cases: list[tuple[WebhookQuery, Select[Any]]] = [
        (WebhookQuery(limit=4, sort=sort), base),
        (WebhookQuery(limit=2, sort=sort, active=False), base.where(~WebhookSubscription.active)),
        (
            WebhookQuery(limit=2, sort=sort, q='"'),
            base.where(
                WebhookSubscription.url.ilike('%"%') | WebhookSubscription.description.ilike('%"%')
            ),
        ),
    ]
    for query, stmt in cases:

        async def new(q: ListQuery) -> bytes:
            assert isinstance(q, WebhookQuery)
            return await notifications.list_webhooks(database=database, query=q)

        await pages_agree(database, query, notifications.WEBHOOKS, stmt, new)
    assert WebhookOut is notifications.WEBHOOKS.out


@pytest.mark.parametrize("sort", [None, "name", "-created_at"])
async def test_tokens(database: Database, sort: str | None) -> None:
    await seed(database)
    base = select(ApiToken)
    cases: list[tuple[TokenQuery, Select[Any]]] = [
        (TokenQuery(limit=4, sort=sort), base),
        (
            TokenQuery(limit=2, sort=sort, revoked=True),
            base.where(ApiToken.revoked_at.is_not(None)),
        ),
        (
            TokenQuery(limit=2, sort=sort, revoked=False, role=Role.viewer),
            base.where(ApiToken.revoked_at.is_(None), ApiToken.role == Role.viewer),
        ),
        (TokenQuery(sort=sort, q="\\"), base.where(ApiToken.name.ilike("%\\\\%"))),
    ]
    for query, stmt in cases:

        async def new(q: ListQuery) -> bytes:
            assert isinstance(q, TokenQuery)
            return await tokens.list_tokens(database=database, query=q)

        await pages_agree(database, query, tokens.TOKENS, stmt, new)
    assert TokenOut is tokens.TOKENS.out


@pytest.mark.parametrize("sort", [None, "-starts_at"])
async def test_campaign_items(database: Database, sort: str | None) -> None:
    ids = await seed(database)
    base = select(CampaignPlanItem).where(CampaignPlanItem.campaign_id == ids["campaign"])
    cases: list[tuple[ItemQuery, Select[Any]]] = [
        (ItemQuery(limit=4, sort=sort), base),
        (
            ItemQuery(limit=2, sort=sort, day=date(2024, 3, 2), pinned=False),
            base.where(CampaignPlanItem.day == date(2024, 3, 2), ~CampaignPlanItem.pinned),
        ),
        (
            ItemQuery(limit=2, sort=sort, liaison_id=ids["liaison"], building_id=ids["building"]),
            base.where(CampaignPlanItem.building_id == ids["building"]),
        ),
    ]
    for query, stmt in cases:

        async def new(q: ListQuery) -> bytes:
            assert isinstance(q, ItemQuery)
            return await items.list_items(database=database, campaign_id=ids["campaign"], query=q)

        await pages_agree(database, query, items.ITEMS, stmt, new)
    assert ItemOut is items.ITEMS.out


async def test_webhooks_and_tokens_list_each_item_as_reading_it_does(api) -> None:  # type: ignore[no-untyped-def]
    hook = await api.ok(
        "POST",
        "/api/v1/webhooks",
        201,
        json={"url": 'https://ops.example/"钩"', "event_types": ["*"], "description": "值班\n"},
    )
    token = await api.ok("POST", "/api/v1/tokens", 201, json={"name": '值"班', "role": "viewer"})
    await api.ok("POST", f"/api/v1/tokens/{token['id']}/revoke")
    for path, made in (("/api/v1/webhooks", hook), ("/api/v1/tokens?revoked=true", token)):
        page = await api.ok("GET", path)
        assert page["total"] == 1, path
        again = await api.ok("GET", f"{path.split('?')[0]}/{made['id']}")
        assert page["items"] == [again], path
