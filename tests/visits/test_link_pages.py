"""The contact's link pages: what GET shows, what POST does, and every bad token."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from coordinator.events.models import OutboxEvent
from coordinator.links.models import CapabilityLink, LinkUse
from coordinator.links.service import csrf_token
from coordinator.platform import keys
from coordinator.platform.db import utcnow
from tests.visits.conftest import at
from tests.visits.helpers import answer, csrf_of, propose


async def count(database, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_page_shows_the_visit_in_chinese_and_get_changes_nothing(api, database, world):
    _visit, path = await propose(api, database, world)
    events_before = await count(database, OutboxEvent)
    for _ in range(2):
        page = await api.client.get(path)
        assert page.status == 200
        html = await page.text()
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "福民科技有限公司" in html and "静安大厦" in html and "12层" in html
    assert "北京时间" in html and "李联络" in html and "13800000002" in html
    assert "了解复工复产情况" in html and "待确认" in html
    assert 'name="viewport"' in html
    assert await count(database, OutboxEvent) == events_before
    assert await count(database, LinkUse) == 0
    english = await (await api.client.get(f"{path}?lang=en")).text()
    assert "Beijing time" in english and "Confirm" in english


async def test_confirm_then_repeat_is_harmless_and_recorded(api, database, world):
    visit, path = await propose(api, database, world)
    response = await answer(api.client, path, "confirm")
    assert response.status == 303
    assert response.headers["Location"] == path
    again = await answer(api.client, path, "confirm")
    assert again.status == 303
    html = await (await api.client.get(path)).text()
    assert "已确认" in html and "invite.ics" in html
    state = await api.ok("GET", f"/api/v1/visits/{visit['id']}")
    assert state["status"] == "confirmed" and state["sequence"] == 1
    confirmed = await count(
        database,
        OutboxEvent,
        OutboxEvent.type == "visit.confirmed",
        OutboxEvent.subject_id == visit["id"],
    )
    assert confirmed == 1
    async with database.session() as session:
        uses = (await session.scalars(select(LinkUse).order_by(LinkUse.id))).all()
    assert [(u.action, u.old_state, u.new_state) for u in uses] == [
        ("confirm", "proposed", "confirmed"),
        ("confirm", "confirmed", "confirmed"),
    ]
    assert uses[0].ip == "127.0.0.1"


async def test_contradictory_answer_after_confirming_gets_a_clear_page(api, database, world):
    visit, path = await propose(api, database, world)
    await answer(api.client, path, "confirm")
    csrf = await csrf_of(api.client, f"{path}")  # the reschedule form stays for a confirmed visit
    declined = await api.client.post(f"{path}/decline", data={"csrf": csrf}, allow_redirects=False)
    assert declined.status == 409
    assert "不能再这样答复" in await declined.text()
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["status"] == "confirmed"


async def test_decline_with_reason_is_shown_escaped(api, database, world):
    visit, path = await propose(api, database, world)
    response = await answer(api.client, path, "decline", reason="<script>alert(1)</script>本周出差")
    assert response.status == 303
    html = await (await api.client.get(path)).text()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["decline_reason"].endswith(
        "本周出差"
    )
    too_long = await api.client.post(
        f"{path}/decline", data={"csrf": "x", "reason": "长" * 600}, allow_redirects=False
    )
    assert too_long.status in (403, 409, 422)


async def test_reschedule_with_windows_and_note(api, database, world):
    visit, path = await propose(api, database, world)
    bad = await answer(
        api.client, path, "reschedule", start1="2020-01-01T10:00", end1="2020-01-01T11:00"
    )
    assert bad.status == 422
    start = (utcnow() + timedelta(days=5)).astimezone().strftime("%Y-%m-%dT10:00")
    end = start[:11] + "11:30"
    ok = await answer(api.client, path, "reschedule", start1=start, end1=end, note="下午更方便")
    assert ok.status == 303
    state = await api.ok("GET", f"/api/v1/visits/{visit['id']}")
    assert state["status"] == "reschedule_requested"
    asked = state["reschedule_windows"][0]["starts_at"]
    assert asked.endswith("Z")  # the API answers UTC, like every time it shows
    local = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert datetime.fromisoformat(asked) == local
    assert state["reschedule_note"] == "下午更方便"
    # The office proposes a new time: a new link; the old one is dead.
    await api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/move",
        json={"starts_at": at(120), "ends_at": at(121)},
    )
    assert (await api.client.get(path)).status == 404


async def test_post_without_csrf_is_refused_and_changes_nothing(api, database, world):
    visit, path = await propose(api, database, world)
    response = await api.client.post(
        f"{path}/confirm", data={"csrf": "0" * 64}, allow_redirects=False
    )
    assert response.status == 403
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["status"] == "proposed"


async def test_unknown_malformed_expired_revoked_tokens_get_one_uniform_page(api, database, world):
    _, expired_path = await propose(api, database, world, start_hours=48)
    _, revoked_path = await propose(api, database, world, start_hours=96)
    async with database.sessionmaker.begin() as session:
        token_hashes = {}
        for name, p in (("expired", expired_path), ("revoked", revoked_path)):
            from coordinator.links.service import hash_token

            token_hashes[name] = hash_token(p.removeprefix("/v/"))
        await session.execute(
            update(CapabilityLink)
            .where(CapabilityLink.token_hash == token_hashes["expired"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.execute(
            update(CapabilityLink)
            .where(CapabilityLink.token_hash == token_hashes["revoked"])
            .values(revoked_at=utcnow())
        )
    bodies = set()
    for path in (
        "/v/" + "A" * 43,
        "/v/not-a-token",
        "/v/" + "x" * 300,
        expired_path,
        revoked_path,
    ):
        for suffix in ("", "/needs", "/invite.ics"):
            response = await api.client.get(path + suffix)
            assert response.status == 404, path + suffix
            assert response.headers["Cache-Control"] == "no-store"
            bodies.add(await response.text())
        posted = await api.client.post(f"{path}/confirm", data={"csrf": "x"}, allow_redirects=False)
        assert posted.status == 404
        bodies.add(await posted.text())
    assert len(bodies) == 1
    assert "此链接无法使用" in bodies.pop()


async def test_invitation_ics_after_confirming(api, database, world):
    visit, path = await propose(api, database, world)
    before = await api.client.get(f"{path}/invite.ics")
    assert before.status == 409
    await answer(api.client, path, "confirm")
    response = await api.client.get(f"{path}/invite.ics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    body = (await response.read()).decode()
    assert "METHOD:REQUEST" in body
    assert f"UID:visit-{visit['id']}@fumin.test" in body
    assert "SEQUENCE:1" in body
    assert "DTSTART;TZID=Asia/Shanghai:" in body and "BEGIN:VTIMEZONE" in body
    assert "\r\n" in body


async def test_answers_end_when_the_visit_starts(api, database, world):
    visit, path = await propose(api, database, world)
    from coordinator.visits.models import Visit

    async with database.sessionmaker.begin() as session:
        await session.execute(
            update(Visit)
            .where(Visit.id == visit["id"])
            .values(
                starts_at=utcnow() - timedelta(minutes=5), ends_at=utcnow() + timedelta(minutes=55)
            )
        )
    html = await (await api.client.get(path)).text()
    assert 'id="confirm"' not in html
    async with database.session() as session:
        link = await session.scalar(
            select(CapabilityLink).where(CapabilityLink.subject_id == visit["id"])
        )
    secret = api.client.app[keys.SETTINGS].secret_key
    response = await api.client.post(
        f"{path}/confirm", data={"csrf": csrf_token(secret, link.id)}, allow_redirects=False
    )
    assert response.status == 409
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["status"] == "proposed"


async def test_posts_are_rate_limited_per_ip(api, database, world, monkeypatch):
    settings = api.client.app[keys.SETTINGS]
    # Settings.visits is built once from the environment; this app's is given instead.
    monkeypatch.setitem(vars(settings), "visits", replace(settings.visits, link_posts_per_minute=3))
    _, path = await propose(api, database, world)
    statuses = [
        (await api.client.post(f"{path}/confirm", data={"csrf": "x"}, allow_redirects=False)).status
        for _ in range(5)
    ]
    assert statuses == [403, 403, 403, 429, 429]
    limited = await api.client.post(f"{path}/confirm", data={"csrf": "x"}, allow_redirects=False)
    assert limited.headers["Retry-After"] == "60"
    assert (await api.client.get(path)).status == 200  # reading is never limited


async def test_a_cancelled_visits_link_says_so_and_nothing_else(api, database, world):
    visit, path = await propose(api, database, world)
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={"reason": "联络员出差"})
    for suffix in ("", "/needs", "/invite.ics"):
        response = await api.client.get(path + suffix)
        assert response.status == 410, suffix
        assert response.headers["Cache-Control"] == "no-store"
        html = await response.text()
        assert "此次走访已取消" in html and "此链接无法使用" not in html
        # Nothing about the visit, nothing to do.
        for secret in ("福民科技有限公司", "静安大厦", "李联络", "了解复工复产情况", "联络员出差"):
            assert secret not in html
        assert "<form" not in html and "<button" not in html
    posted = await api.client.post(f"{path}/confirm", data={"csrf": "x"}, allow_redirects=False)
    assert posted.status == 410 and "此次走访已取消" in await posted.text()
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["status"] == "cancelled"
    english = await (await api.client.get(f"{path}?lang=en")).text()
    assert "This visit was cancelled" in english


async def test_a_link_replaced_before_the_visit_was_cancelled_stays_invalid(api, database, world):
    visit, old_path = await propose(api, database, world)
    await api.ok(
        "POST",
        f"/api/v1/visits/{visit['id']}/move",
        json={"starts_at": at(120), "ends_at": at(121)},
    )
    await api.ok("POST", f"/api/v1/visits/{visit['id']}/cancel", json={})
    response = await api.client.get(old_path)
    assert response.status == 404 and "此链接无法使用" in await response.text()


async def test_a_refused_reschedule_keeps_what_was_typed_beside_the_error(api, database, world):
    visit, path = await propose(api, database, world)
    start = (utcnow() + timedelta(days=5)).astimezone().strftime("%Y-%m-%dT10:00")
    backwards = start[:11] + "09:00"
    refused = await answer(
        api.client, path, "reschedule", start1=start, end1=backwards, note="下午更方便"
    )
    assert refused.status == 422
    html = await refused.text()
    assert f'name="start1" value="{start}"' in html
    assert f'name="end1" value="{backwards}"' in html
    assert ">下午更方便</textarea>" in html
    # The error sits under the field at fault, which says so; the form is open.
    end_input = html.index('id="end1"')
    error = html.index('id="end1-error"')
    assert end_input < error < html.index('id="start2"')
    assert "结束时间须晚于开始时间" in html[error : error + 200]
    assert 'aria-describedby="end1-error"' in html
    assert '<details class="card" open><summary>另约时间' in html
    assert (await api.ok("GET", f"/api/v1/visits/{visit['id']}"))["status"] == "proposed"

    past = await answer(
        api.client, path, "reschedule", start1="2020-01-01T10:00", end1="2020-01-01T11:00"
    )
    past_html = await past.text()
    assert past.status == 422 and 'value="2020-01-01T10:00"' in past_html
    assert "请选择晚于现在的时间" in past_html[past_html.index('id="start1-error"') :][:200]

    too_long = await answer(api.client, path, "decline", reason="长" * 600)
    long_html = await too_long.text()
    assert too_long.status == 422 and "长" * 600 + "</textarea>" in long_html
    assert 'id="reason-error"' in long_html and "文字过长" in long_html


async def test_times_are_named_by_the_configured_zone(api, database, world, monkeypatch):
    """北京时间 is Asia/Shanghai's name; another zone is shown, and named, as itself."""
    from coordinator.features import rule_book
    from coordinator.notifications.rules import plan

    settings = api.client.app[keys.SETTINGS]
    monkeypatch.setattr(settings, "timezone", "Europe/Berlin")
    monkeypatch.setenv("FUMIN_TIMEZONE", "Europe/Berlin")
    visit, path = await propose(api, database, world)
    starts = datetime.fromisoformat(visit["starts_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    html = await (await api.client.get(path)).text()
    assert "北京时间" not in html and "（Europe/Berlin）" in html
    assert f"{starts:%H:%M}–" in html
    english = await (await api.client.get(f"{path}?lang=en")).text()
    assert "Beijing time" not in english and "(Europe/Berlin)" in english
    async with database.session() as session:
        proposed = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.type == "visit.proposed")
        )
        assert proposed is not None
        [mail] = await plan(session, proposed, rule_book(), settings)
    assert "北京时间" not in mail.context["when"] and "Europe/Berlin" in mail.context["when"]
