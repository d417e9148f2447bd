"""/cal/{token}.ics end to end: tokens, content following visits and shifts, HTTP caching."""

from __future__ import annotations

import gzip
import uuid
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from coordinator.calendars.feed.views import FEEDS
from coordinator.links.models import CapabilityLink
from coordinator.visits.contact import service as contact
from coordinator.visits.models import Visit
from tests.visits.conftest import at, make_world, proposal


@pytest.fixture
async def world(database):  # type: ignore[no-untyped-def]
    return await make_world(database)


async def team_feed(api, world) -> dict:  # type: ignore[no-untyped-def]
    return await api.ok(
        "POST",
        f"/api/v1/teams/{world.team_id}/feeds",
        201,
        json={"person_id": world.lead_id, "label": "王组长的手机"},
    )


def path(issued: dict) -> str:
    return issued["urls"]["https"].removeprefix("http://fumin.test")


async def fetch(api, url: str, **headers: str):  # type: ignore[no-untyped-def]
    headers.setdefault("Accept-Encoding", "identity")
    response = await api.client.get(url, headers=headers, auto_decompress=False)
    return response, await response.read()


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    vobject.readOne(body.decode())  # an independent parser reads it too
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and max(len(line) for line in lines) <= 75
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def confirm(database, visit_id: str) -> None:  # type: ignore[no-untyped-def]
    async with database.sessionmaker.begin() as session:
        link = await session.scalar(
            select(CapabilityLink).where(CapabilityLink.subject_id == uuid.UUID(visit_id))
        )
        await contact.answer(session=session, link=link, action="confirm")


async def test_issuing_returns_https_webcal_and_google_links_once(api, world):
    issued = await team_feed(api, world)
    urls = issued["urls"]
    assert urls["https"].startswith("http://fumin.test/cal/") and urls["https"].endswith(".ics")
    assert urls["webcal"] == "webcal://" + urls["https"].split("://", 1)[1]
    assert urls["google"].startswith("https://calendar.google.com/calendar/render?cid=webcal%3A")
    listed = await api.ok("GET", f"/api/v1/teams/{world.team_id}/feeds")
    assert listed["total"] == 1 and "urls" not in listed["items"][0]
    assert listed["items"][0]["label"] == "王组长的手机"
    token = path(issued).split("/")[-1].removesuffix(".ics")
    assert token not in str(listed)


async def test_only_members_get_a_team_feed(api, world):
    stranger = await api.ok("POST", "/api/v1/people", 201, json={"name": "路人"})
    response = await api.post(
        f"/api/v1/teams/{world.team_id}/feeds", json={"person_id": stranger["id"]}
    )
    assert response.status == 422


async def test_team_feed_follows_a_visit_and_a_shift_on_every_next_fetch(api, world, database):
    url = path(await team_feed(api, world))
    seen: list[str] = []

    async def step() -> dict[str, icalendar.Event]:
        response, body = await fetch(api, url)
        assert response.status == 200
        assert response.headers["ETag"] not in seen, "the ETag must change with the content"
        seen.append(response.headers["ETag"])
        again, _ = await fetch(api, url, **{"If-None-Match": response.headers["ETag"]})
        assert again.status == 304
        return events(body)

    assert await step() == {}  # a valid empty feed

    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    uid = f"visit-{visit['id']}@fumin.test"
    event = (await step())[uid]
    assert str(event["STATUS"]) == "TENTATIVE" and str(event["SUMMARY"]).startswith("[待确认]")
    assert int(event["SEQUENCE"]) == 0

    await confirm(database, visit["id"])
    event = (await step())[uid]
    assert str(event["STATUS"]) == "CONFIRMED" and not str(event["SUMMARY"]).startswith("[")
    confirmed_sequence = int(event["SEQUENCE"])

    moved = {"starts_at": at(72), "ends_at": at(73)}
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/move", json=moved)
    event = (await step())[uid]
    assert int(event["SEQUENCE"]) > confirmed_sequence
    assert event.decoded("DTSTART") == datetime.fromisoformat(moved["starts_at"])
    moved_sequence = int(event["SEQUENCE"])

    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={"reason": "企业搬迁"})
    event = (await step())[uid]
    assert str(event["STATUS"]) == "CANCELLED" and str(event["SUMMARY"]).startswith("[已取消]")
    assert int(event["SEQUENCE"]) > moved_sequence

    post = await api.ok(
        "POST",
        "/api/v1/posts",
        201,
        json={"name": "华山路 100 弄 门岗", "address": "华山路 100 弄", "team_id": world.team_id},
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    shift = await api.ok(
        "POST",
        "/api/v1/shifts",
        201,
        json={
            "post_id": post["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "min_people": 1,
            "max_people": 2,
        },
    )
    shift_uid = f"shift-{shift['id']}@fumin.test"
    event = (await step())[shift_uid]
    assert "报名：0/2" in str(event["DESCRIPTION"])

    signup = await api.ok(
        "POST", f"/api/v1/shifts/{shift['id']}/signups", 201, json={"person_id": world.lead_id}
    )
    event = (await step())[shift_uid]
    assert "报名：1/2" in str(event["DESCRIPTION"]) and "王组长" in str(event["DESCRIPTION"])

    await api.ok("POST", f"/api/v1/signups/{signup['id']}/cancel")
    event = (await step())[shift_uid]
    assert "报名：0/2" in str(event["DESCRIPTION"]) and "王组长" not in str(event["DESCRIPTION"])


async def test_feed_shows_no_contact_phone_or_email(api, world):
    url = path(await team_feed(api, world))
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    _, body = await fetch(api, url)
    text = body.decode()
    assert "13912345678" not in text and "13800000002" not in text
    assert world.contact_email not in text and world.liaison_email not in text
    (event,) = events(body).values()
    description = str(event["DESCRIPTION"])
    assert "目的：了解复工复产情况" in description and "12层" in description
    assert "/api/v1/visits/" in description


async def test_http_headers_gzip_head_and_if_modified_since(api, world):
    url = path(await team_feed(api, world))
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    response, body = await fetch(api, url)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Content-Disposition" not in response.headers
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    last_modified = response.headers["Last-Modified"]

    zipped, zbody = await fetch(api, url, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zbody) == body
    assert zipped.headers["ETag"] != etag  # another representation, another strong ETag
    assert (await fetch(api, url, **{"If-None-Match": zipped.headers["ETag"]}))[0].status == 304

    head = await api.client.head(url, headers={"Accept-Encoding": "identity"})
    assert head.status == 200 and await head.read() == b""
    assert head.headers["ETag"] == etag

    not_modified, _ = await fetch(api, url, **{"If-Modified-Since": last_modified})
    assert not_modified.status == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (await fetch(api, url, **{"If-Modified-Since": older}))[0].status == 200
    assert (await fetch(api, url, **{"If-Modified-Since": "not a date"}))[0].status == 200
    assert (await fetch(api, url, **{"If-None-Match": '"other"'}))[0].status == 200


async def test_a_poll_that_finds_nothing_new_renders_nothing(api, world, monkeypatch):
    url = path(await team_feed(api, world))
    calls = []
    service = api.client.app[FEEDS]
    real = service.build

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "build", counting)
    first, body = await fetch(api, url)
    for _ in range(3):
        again, same = await fetch(api, url)
        assert same == body and again.headers["ETag"] == first.headers["ETag"]
    assert len(calls) <= 1
    await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    changed, _ = await fetch(api, url)
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert len(calls) <= 2


async def test_rotated_revoked_and_ex_member_tokens_answer_404(api, world):
    issued = await team_feed(api, world)
    old = path(issued)
    assert (await fetch(api, old))[0].status == 200
    base = f"/api/v1/teams/{world.team_id}/feeds/{issued['id']}"
    rotated = await api.ok("POST", base + "/rotate")
    new = path(rotated)
    assert new != old
    response, body = await fetch(api, old)
    assert response.status == 404 and b"team" not in body.lower()
    assert (await fetch(api, new))[0].status == 200

    await api.ok("DELETE", f"/api/v1/teams/{world.team_id}/members/{world.lead_id}", 204)
    assert (await fetch(api, new))[0].status == 404

    await api.ok("DELETE", base, 204)
    assert (await fetch(api, new))[0].status == 404
    assert (await fetch(api, "/cal/garbage.ics"))[0].status == 404
    assert (await fetch(api, "/cal/" + "A" * 43 + ".ics"))[0].status == 404


async def test_personal_feed_holds_the_persons_visits(api, world):
    issued = await api.ok(
        "POST", f"/api/v1/people/{world.liaison_id}/feeds", 201, json={"label": "iPhone"}
    )
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    response, body = await fetch(api, path(issued))
    assert response.status == 200
    calendar = icalendar.Calendar.from_ical(body)
    assert "李联络" in str(calendar["X-WR-CALNAME"])
    assert f"visit-{visit['id']}@fumin.test" in events(body)
    await api.ok("DELETE", f"/api/v1/people/{world.liaison_id}/feeds/{issued['id']}", 204)
    assert (await fetch(api, path(issued)))[0].status == 404


async def test_a_visit_reassigned_away_from_the_team_leaves_its_feed(api, world, database):
    """A team feed shows its liaisons' visits: the team a visit was filed under when it
    was proposed does not keep it there once its liaison is someone outside the team."""
    url = path(await team_feed(api, world))
    staying = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    moving = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world, start_hours=72))
    first, body = await fetch(api, url)
    assert set(events(body)) == {
        f"visit-{staying['id']}@fumin.test",
        f"visit-{moving['id']}@fumin.test",
    }

    outsider = await api.ok("POST", "/api/v1/people", 201, json={"name": "赵外援"})
    async with database.sessionmaker.begin() as session:
        visit = await session.get(Visit, uuid.UUID(moving["id"]))
        assert visit is not None and visit.team_id == uuid.UUID(world.team_id)
        visit.liaison_id = uuid.UUID(outsider["id"])  # still filed under the team
    after, body = await fetch(api, url, **{"If-None-Match": first.headers["ETag"]})
    assert after.status == 200, "the old ETag must not match once a visit has left"
    assert set(events(body)) == {f"visit-{staying['id']}@fumin.test"}

    # The outsider's own feed has it now.
    issued = await api.ok("POST", f"/api/v1/people/{outsider['id']}/feeds", 201, json={})
    _, body = await fetch(api, path(issued))
    assert set(events(body)) == {f"visit-{moving['id']}@fumin.test"}


async def test_a_liaison_leaving_the_team_takes_their_visits_out_of_its_feed(api, world):
    url = path(await team_feed(api, world))
    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    _, body = await fetch(api, url)
    assert f"visit-{visit['id']}@fumin.test" in events(body)
    await api.ok("DELETE", f"/api/v1/teams/{world.team_id}/members/{world.liaison_id}", 204)
    response, body = await fetch(api, url)
    assert response.status == 200 and events(body) == {}


async def shift(api, post: dict, days: float, max_people: int = 1) -> dict:  # type: ignore[no-untyped-def]
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=days)
    return await api.ok(
        "POST",
        "/api/v1/shifts",
        201,
        json={
            "post_id": post["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "min_people": 1,
            "max_people": max_people,
        },
    )


async def test_personal_feed_shows_places_waitlists_and_cancellations(api, world, monkeypatch):
    """Signed up: confirmed; waitlisted: tentative; a cancelled place stays 7 days as
    CANCELLED (SEQUENCE moved on), then leaves."""
    issued = await api.ok("POST", f"/api/v1/people/{world.liaison_id}/feeds", 201, json={})
    url = path(issued)
    post = await api.ok(
        "POST",
        "/api/v1/posts",
        201,
        json={"name": "华山路 100 弄 门岗", "address": "华山路 100 弄", "team_id": world.team_id},
    )
    placed, full, dropped, other = (
        await shift(api, post, 2),
        await shift(api, post, 3),
        await shift(api, post, 4),
        await shift(api, post, 5),
    )
    uid = {s["id"]: f"shift-{s['id']}@fumin.test" for s in (placed, full, dropped, other)}

    async def sign_up(shift_id: str, person_id: str) -> dict:
        url = f"/api/v1/shifts/{shift_id}/signups"
        return await api.ok("POST", url, 201, json={"person_id": person_id})

    assert (await sign_up(placed["id"], world.liaison_id))["status"] == "signed_up"
    await sign_up(full["id"], world.lead_id)
    assert (await sign_up(full["id"], world.liaison_id))["status"] == "waitlisted"
    place = await sign_up(dropped["id"], world.liaison_id)
    await sign_up(other["id"], world.lead_id)  # someone else's shift: not in this feed

    _, body = await fetch(api, url)
    seen = events(body)
    assert set(seen) == {uid[placed["id"]], uid[full["id"]], uid[dropped["id"]]}
    assert str(seen[uid[placed["id"]]]["STATUS"]) == "CONFIRMED"
    assert not str(seen[uid[placed["id"]]]["SUMMARY"]).startswith("[")
    waiting = seen[uid[full["id"]]]
    assert str(waiting["STATUS"]) == "TENTATIVE" and str(waiting["SUMMARY"]).startswith("[待确认]")
    held = seen[uid[dropped["id"]]]
    assert str(held["STATUS"]) == "CONFIRMED"

    await api.ok("POST", f"/api/v1/signups/{place['id']}/cancel")
    _, body = await fetch(api, url)
    cancelled = events(body)[uid[dropped["id"]]]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("[已取消]")
    assert int(cancelled["SEQUENCE"]) > int(held["SEQUENCE"])
    assert cancelled.decoded("LAST-MODIFIED") >= held.decoded("LAST-MODIFIED")  # whole seconds

    service = api.client.app[FEEDS]
    now = service.clock()
    monkeypatch.setattr(service, "clock", lambda: now + timedelta(days=6, hours=23))
    _, body = await fetch(api, url)
    assert str(events(body)[uid[dropped["id"]]]["STATUS"]) == "CANCELLED"

    monkeypatch.setattr(service, "clock", lambda: now + timedelta(days=7, minutes=1))
    _, body = await fetch(api, url)
    assert set(events(body)) == {uid[placed["id"]], uid[full["id"]]}


async def test_a_waitlisted_place_turns_confirmed_when_one_frees_up(api, world):
    issued = await api.ok("POST", f"/api/v1/people/{world.liaison_id}/feeds", 201, json={})
    post = await api.ok(
        "POST", "/api/v1/posts", 201, json={"name": "门岗", "address": "华山路 1 号"}
    )
    full = await shift(api, post, 2)
    first = await api.ok(
        "POST", f"/api/v1/shifts/{full['id']}/signups", 201, json={"person_id": world.lead_id}
    )
    await api.ok(
        "POST", f"/api/v1/shifts/{full['id']}/signups", 201, json={"person_id": world.liaison_id}
    )
    _, body = await fetch(api, path(issued))
    waiting = events(body)[f"shift-{full['id']}@fumin.test"]
    assert str(waiting["STATUS"]) == "TENTATIVE"
    await api.ok("POST", f"/api/v1/signups/{first['id']}/cancel")
    _, body = await fetch(api, path(issued))
    promoted = events(body)[f"shift-{full['id']}@fumin.test"]
    assert str(promoted["STATUS"]) == "CONFIRMED"
    assert int(promoted["SEQUENCE"]) > int(waiting["SEQUENCE"])


async def test_feed_lookups_on_their_own_pool_see_every_commit(committed_api, committed_database):
    """Outside tests the lookup runs on the feed's own asyncpg pool, without a transaction:
    a committed change shows on the next fetch, and a revoked token answers 404 at once."""
    api = committed_api
    world = await make_world(committed_database)
    issued = await team_feed(api, world)
    url = path(issued)
    first, body = await fetch(api, url)
    assert first.status == 200 and events(body) == {}
    assert api.client.app[FEEDS].pool is not None, "the feed pool was not used"
    again, _ = await fetch(api, url, **{"If-None-Match": first.headers["ETag"]})
    assert again.status == 304

    visit = await api.ok("POST", "/api/v1/visits", 201, json=proposal(world))
    changed, body = await fetch(api, url, **{"If-None-Match": first.headers["ETag"]})
    assert changed.status == 200 and f"visit-{visit['id']}@fumin.test" in events(body)

    await api.ok("DELETE", f"/api/v1/teams/{world.team_id}/feeds/{issued['id']}", 204)
    assert (await fetch(api, url))[0].status == 404


def test_the_tables_a_feed_is_heard_through_come_from_its_sources():
    """A change to any table a source reads makes a kept lookup stale: the list is the
    lookup's own, not one kept beside it."""
    from coordinator.calendars.feed.service import lookup_tables
    from coordinator.calendars.models import Source, set_fingerprint
    from coordinator.features import feed_sources
    from coordinator.platform.changes import UNWATCHED
    from coordinator.platform.db import Base

    tables = set(lookup_tables(feed_sources()))
    assert {"feed_tokens", "teams", "team_members", "visits", "companies", "buildings"} <= tables
    assert {"shifts", "posts", "signups", "people"} <= tables
    case_tables = {"cases", "case_tasks", "case_categories", "departments", "areas"}
    assert case_tables <= tables
    round_tables = {"block_rounds", "blocks"}
    assert round_tables <= tables
    assert tables <= set(Base.metadata.tables) - UNWATCHED

    async def nothing(*_: object) -> list:  # type: ignore[type-arg]
        return []

    needs = Source("needs", set_fingerprint("1", "needs n JOIN visits v ON true", "true"), nothing)
    assert set(lookup_tables([*feed_sources(), needs])) == tables | {"needs"}
    assert set(lookup_tables(feed_sources()[:1])) == tables - {
        "shifts",
        "posts",
        "signups",
        *case_tables,
        *round_tables,
    }
