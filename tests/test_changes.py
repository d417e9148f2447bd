"""Change notifications: what a process hears, and caches that hold only while nothing
they were made of has changed (calendar feeds, the contact's visit page)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
from sqlalchemy import insert, select, text

from coordinator.app import route_tables
from coordinator.auth.models import Role
from coordinator.calendars.feed.service import lookup_tables
from coordinator.calendars.feed.views import FEEDS
from coordinator.features import feed_sources
from coordinator.people.models import Person, Team, TeamKind, TeamMember
from coordinator.platform.changes import CHANGES, UNWATCHED, ChangeWatch, Memo
from coordinator.platform.db import Base, Database, utcnow
from coordinator.registry.companies import service as registry
from coordinator.shifts.models import Post, Shift
from coordinator.shifts.signups import service as signups
from coordinator.visits.contact import pages as visit_pages
from tests.calendars.test_feeds import fetch, path, team_feed
from tests.visits.conftest import make_world
from tests.visits.helpers import propose
from tests.workers.conftest import eventually


def dsn(database: Database) -> str:
    url = database.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def elsewhere(database: Database, sql: str) -> None:
    """A write by another process: its own connection, no SQLAlchemy session here."""
    connection = await asyncpg.connect(dsn(database))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def settled(watch: ChangeWatch, database: Database) -> None:
    """Wait until every change committed so far has been heard: a statement-level trigger
    fires even for an UPDATE of no rows, and notifications arrive in commit order."""
    before = watch.counts.get("areas", 0)
    await elsewhere(database, "UPDATE areas SET name = name WHERE false")
    await eventually(lambda: _true(watch.counts.get("areas", 0) > before), timeout=10, what="heard")


async def test_every_table_has_a_trigger_or_is_bookkeeping(committed_database):
    async with committed_database.session() as session:
        watched = set(
            await session.scalars(
                text(
                    "SELECT DISTINCT c.relname FROM pg_trigger t"
                    " JOIN pg_class c ON c.oid = t.tgrelid"
                    " JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'fumin_changed'"
                )
            )
        )
    tables = set(Base.metadata.tables)
    assert watched | UNWATCHED == tables, "a new table needs a trigger or a place in UNWATCHED"
    assert not watched & UNWATCHED
    kept = [op.kept for table in route_tables() for op in table.operations if op.kept]
    assert kept, "no API answer is kept"
    for memo_tables in (lookup_tables(feed_sources()), visit_pages.PAGE_TABLES, *kept):
        assert set(memo_tables) <= watched


async def test_a_commit_anywhere_is_heard_and_a_lost_connection_turns_caches_off(
    committed_database,
):
    watch = ChangeWatch()
    stop = asyncio.Event()
    task = asyncio.create_task(watch.listen(dsn(committed_database), stop))
    try:
        await eventually(lambda: _true(watch.live), timeout=10, what="listening")
        areas, teams = watch.stamp(["areas"]), watch.stamp(["teams"])
        await elsewhere(committed_database, "UPDATE areas SET name = name WHERE false")
        await eventually(lambda: _true(watch.stamp(["areas"]) != areas), timeout=10)
        assert watch.stamp(["teams"]) == teams  # another table's caches keep
        # A write that rolls back is never heard (the committed one after it shows the
        # notifications came through in the meantime).
        await elsewhere(
            committed_database, "BEGIN; UPDATE teams SET name = name WHERE false; ROLLBACK"
        )
        areas = watch.stamp(["areas"])
        await elsewhere(committed_database, "UPDATE areas SET name = name WHERE false")
        await eventually(lambda: _true(watch.stamp(["areas"]) != areas), timeout=10)
        assert watch.stamp(["teams"]) == teams

        before = watch.stamp(["areas"])
        await elsewhere(
            committed_database,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'fumin-changes'",
        )
        await eventually(lambda: _true(not watch.live), timeout=10, what="noticed the loss")
        assert watch.stamp(["areas"]) is None  # not listening: nothing can be kept
        await eventually(lambda: _true(watch.live), timeout=10, what="listening again")
        assert watch.stamp(["areas"]) not in (None, before)  # what was kept is stale
    finally:
        stop.set()
        await task


async def _true(value: bool) -> bool:
    return value


async def test_a_session_that_wrote_moves_every_stamp_at_its_commit(committed_database):
    watch = ChangeWatch()
    watch.listening(True)  # no listener: only this process's own commits can move it
    before = watch.stamp(["people"])
    async with committed_database.sessionmaker.begin() as session:
        await session.scalar(select(Person.id).limit(1))
    assert watch.stamp(["people"]) == before  # reading is not writing
    try:
        async with committed_database.sessionmaker.begin() as session:
            session.add(Person(name="回滚", phone="13800000009", skills=[]))
            await session.flush()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert watch.stamp(["people"]) == before  # rolled back: nothing was written
    async with committed_database.sessionmaker.begin() as session:
        session.add(Person(name="新志愿者", phone="13800000009", skills=[]))
    assert watch.stamp(["people"]) != before  # at once, with no notification yet


def test_memo_keeps_while_unchanged_and_in_time():
    watch = ChangeWatch()
    now = [1000.0]
    memo: Memo[str] = Memo(watch, ["visits"], size=2, clock=lambda: now[0])
    memo.put("off", "x", memo.stamp(), 60)
    assert memo.get("off") is None  # not listening: nothing is kept
    watch.listening(True)
    memo.put("a", "A", memo.stamp(), 60)
    memo.put("short", "S", memo.stamp(), 0.05)
    assert memo.get("a") == "A" and memo.get("short") == "S"
    now[0] += 0.06
    assert memo.get("short") is None  # its time is up
    memo.put("b", "B", memo.stamp(), 60)
    memo.put("c", "C", memo.stamp(), 60)
    assert memo.get("a") is None and memo.get("c") == "C"  # least recently used out
    watch.heard("teams")
    assert memo.get("c") == "C"  # a table it was not made of
    watch.heard("visits")
    assert memo.get("b") is None and memo.get("c") is None


async def test_a_feed_poll_costs_no_query_until_something_changes(
    committed_api, committed_database, monkeypatch
):
    api = committed_api
    watch = api.client.app[CHANGES]
    await eventually(lambda: _true(watch.live), timeout=10, what="listening")
    world = await make_world(committed_database)
    url = path(await team_feed(api, world))
    await settled(watch, committed_database)  # as above: the setup's notifications first
    lookups = []
    service = api.client.app[FEEDS]
    real = service.look_up

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        lookups.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "look_up", counting)
    first, body = await fetch(api, url)
    assert first.status == 200 and len(lookups) == 1
    for _ in range(3):
        again, _ = await fetch(api, url, **{"If-None-Match": first.headers["ETag"]})
        assert again.status == 304
        _, same_body = await fetch(api, url)
        assert same_body == body
    assert len(lookups) == 1  # seven fetches, one lookup

    # Another process renames the team: heard, and the next fetch shows it.
    await elsewhere(
        committed_database, f"UPDATE teams SET name = '静安联络二组' WHERE id = '{world.team_id}'"
    )

    async def renamed() -> bool:
        response, body = await fetch(api, url, **{"If-None-Match": first.headers["ETag"]})
        return response.status == 200 and "静安联络二组".encode() in body

    await eventually(renamed, timeout=10, what="the new name in the feed")
    assert len(lookups) >= 2

    # Not listening: nothing is kept, every fetch looks again.
    watch.listening(False)
    try:
        count = len(lookups)
        for _ in range(2):
            await fetch(api, url)
        assert len(lookups) == count + 2
    finally:
        watch.listening(True)


async def test_the_visit_page_is_kept_until_its_visit_changes(committed_api, committed_database):
    api = committed_api
    watch = api.client.app[CHANGES]
    await eventually(lambda: _true(watch.live), timeout=10, what="listening")
    world = await make_world(committed_database)
    visit, link = await propose(api, committed_database, world)
    shown = api.client.app[visit_pages.SHOWN]
    first = await (await api.client.get(link)).text()
    assert "了解复工复产情况" in first and len(shown) == 1
    assert await (await api.client.get(link)).text() == first
    english = await (await api.client.get(link, headers={"Accept-Language": "en"})).text()
    assert "Beijing time" in english and len(shown) == 2  # one per language

    # Changed through the API in this process: shown at once.
    await api.ok(
        "PATCH", f"/api/v1/companies/{world.company_id}", 200, json={"name": "福民新材料有限公司"}
    )
    assert "福民新材料有限公司" in await (await api.client.get(link)).text()

    # Changed by another process: shown once its notification is heard.
    await elsewhere(
        committed_database, f"UPDATE visits SET purpose = '了解融资需求' WHERE id = '{visit['id']}'"
    )

    async def moved() -> bool:
        return "了解融资需求" in await (await api.client.get(link)).text()

    await eventually(moved, timeout=10, what="the page to show the new purpose")
    # Revoked elsewhere: the one page for every bad link, at once after it is heard.
    await elsewhere(
        committed_database,
        f"UPDATE capability_links SET revoked_at = now() WHERE subject_id = '{visit['id']}'",
    )

    async def gone() -> bool:
        return (await api.client.get(link)).status == 404

    await eventually(gone, timeout=10, what="the revoked link to answer 404")


async def test_kept_list_answers_still_check_the_token_and_follow_every_change(
    committed_api, committed_database, monkeypatch
):
    api = committed_api
    watch = api.client.app[CHANGES]
    await eventually(lambda: _true(watch.live), timeout=10, what="listening")
    world = await make_world(committed_database)
    # The world's own commits are heard a moment later: wait for them, or they would make
    # the first kept answer stale.
    await settled(watch, committed_database)
    calls = []
    real = registry.list_companies

    async def counting(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return await real(**kwargs)

    monkeypatch.setattr(registry, "list_companies", counting)
    url = f"/api/v1/companies?building_id={world.building_id}"
    first = await api.ok("GET", url, 200, role=Role.viewer)
    for _ in range(2):
        assert await api.ok("GET", url, 200, role=Role.viewer) == first
    assert len(calls) == 1
    # The token is checked every time, kept answer or not.
    refused = await api.client.get(url, headers={"Authorization": "Bearer nope"})
    assert refused.status == 401
    # Cache-Control: no-cache asks for a fresh answer.
    fresh = await api.client.get(
        url, headers=api.headers(Role.viewer, **{"Cache-Control": "no-cache"})
    )
    assert fresh.status == 200 and len(calls) == 2

    # A change through the API here shows at once...
    await api.ok(
        "PATCH", f"/api/v1/companies/{world.company_id}", 200, json={"name": "福民新材料有限公司"}
    )
    names = [c["name"] for c in (await api.ok("GET", url, 200))["items"]]
    assert names == ["福民新材料有限公司"]
    # ...and one by another process once it is heard.
    await elsewhere(
        committed_database,
        f"UPDATE companies SET name = '福民数据有限公司' WHERE id = '{world.company_id}'",
    )

    async def renamed() -> bool:
        page = await api.ok("GET", url, 200)
        return [c["name"] for c in page["items"]] == ["福民数据有限公司"]

    await eventually(renamed, timeout=10, what="the new name in the list")


async def test_sign_ups_claimed_through_the_connection_move_every_stamp_at_commit(
    committed_database,
):
    """The claim is a Core statement on the session's connection, which no flush sees:
    the sign-up says so itself, so this process's kept answers do not wait for the
    notification."""
    database = committed_database
    watch = ChangeWatch()
    watch.listening(True)  # no listener: only this process's own commits can move it
    people = [uuid.uuid4() for _ in range(2)]
    post, shift, team = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    starts = utcnow() + timedelta(days=2)
    async with database.sessionmaker.begin() as session:
        await session.execute(
            insert(Person), [{"id": p, "name": f"志愿者{p.hex[:4]}"} for p in people]
        )
        await session.execute(
            insert(Team), [{"id": team, "name": "服务队", "kind": TeamKind.volunteer}]
        )
        await session.execute(
            insert(TeamMember), [{"team_id": team, "person_id": people[0], "role": "member"}]
        )
        await session.execute(
            insert(Post), [{"id": post, "name": "门岗", "address": "华山路", "checklist": []}]
        )
        await session.execute(
            insert(Shift),
            [
                {
                    "id": shift,
                    "post_id": post,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "min_people": 1,
                    "max_people": 3,
                    "filled": 0,
                    "required_skills": [],
                }
            ],
        )
    before = watch.stamp(["shifts"])
    done, skipped = await signups.sign_up_team(
        database=database, shift_id=shift, team_id=team, actor="测试"
    )
    assert len(done) == 1 and skipped == []
    after_team = watch.stamp(["shifts"])
    assert after_team != before  # at once, with no notification
    signup = await database.transaction(
        lambda session: signups.take_place(session, shift, people[1], actor="测试")
    )
    assert signup.status.value == "signed_up"
    assert watch.stamp(["shifts"]) != after_team
