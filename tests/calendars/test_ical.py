"""The feed builder: golden files, round trips through two parsers, folding, escaping."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from coordinator.calendars.ical import (
    FeedItem,
    Invitation,
    escape_text,
    fold,
    render_feed,
    render_invitation,
)

GOLDEN = Path(__file__).parent / "golden"
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 5, 11, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
CHANGED = datetime(2026, 5, 1, 8, 30, 15, tzinfo=UTC)
NASTY = '恒隆, 广场; 12\\楼\n"二区"\r\n\x00\x07\x1b终'


def item(n: int = 0, **overrides: object) -> FeedItem:
    values: dict[str, object] = {
        "uid": f"visit-{n:04d}@fumin.test",
        "sequence": 0,
        "starts_at": T0 + timedelta(days=n),
        "ends_at": T0 + timedelta(days=n, hours=1),
        "status": "confirmed",
        "summary": f"走访 上海静安科技有限公司{n:03d}",
        "location": "恒隆广场 12 楼",
        "description": "目的：复工走访\n楼宇：恒隆广场，12 楼\nhttps://fumin.test/v/1",
        "url": f"https://fumin.test/api/v1/visits/{n}",
        "last_modified": CHANGED,
    }
    values.update(overrides)
    return FeedItem(**values)  # type: ignore[arg-type]


def feeds() -> dict[str, bytes]:
    return {
        "empty": render_feed("联络一组", [], zone=SHANGHAI),
        "three_states": render_feed(
            "联络一组 (走访)",
            [
                item(0, status="tentative"),
                item(1, status="confirmed", sequence=2),
                item(2, status="cancelled", sequence=3),
            ],
            zone=SHANGHAI,
        ),
        "nasty_text": render_feed(
            NASTY, [item(0, summary=NASTY, location=NASTY, description=NASTY * 3)], zone=SHANGHAI
        ),
    }


@pytest.mark.parametrize("name", ["empty", "three_states", "nasty_text"])
def test_output_matches_golden_file(name):
    body = feeds()[name]
    path = GOLDEN / f"{name}.ics"
    if os.environ.get("FUMIN_UPDATE_GOLDEN"):
        path.write_bytes(body)
    assert body == path.read_bytes()


@pytest.mark.parametrize("name", ["empty", "three_states", "nasty_text"])
def test_every_physical_line_is_crlf_and_at_most_75_octets(name):
    body = feeds()[name]
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character split across a fold


def test_folding_never_splits_a_character_or_an_escape():
    for width in range(60, 90):
        text = "a" * width + escape_text("走\\,;\n访" * 20)
        line = ("DESCRIPTION:" + text).encode()
        physical = fold(line).split(b"\r\n")
        assert all(len(p) <= 75 for p in physical)
        assert b"".join(p[1:] if i else p for i, p in enumerate(physical)) == line
        for p in physical[:-1]:
            p.decode()
            stripped = p.rstrip(b"\\")
            assert (len(p) - len(stripped)) % 2 == 0, "an escape was split"


def test_empty_feed_is_a_valid_calendar_with_timezone_and_hints():
    body = feeds()["empty"]
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"] == "联络一组"
    assert calendar["NAME"] == "联络一组"
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert calendar.subcomponents[0]["TZID"] == "Asia/Shanghai"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert b"METHOD" not in body
    assert vobject.readOne(body.decode()).name == "VCALENDAR"


def test_round_trip_through_icalendar_keeps_every_field():
    items = [
        item(0, status="tentative"),
        item(1, sequence=2),
        item(2, status="cancelled", sequence=3),
    ]
    calendar = icalendar.Calendar.from_ical(render_feed("组", items, zone=SHANGHAI))
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [i.uid for i in items]
    assert [int(e["SEQUENCE"]) for e in events] == [0, 2, 3]
    assert [str(e["STATUS"]) for e in events] == ["TENTATIVE", "CONFIRMED", "CANCELLED"]
    assert [str(e["SUMMARY"]) for e in events] == [
        "[待确认] 走访 上海静安科技有限公司000",
        "走访 上海静安科技有限公司001",
        "[已取消] 走访 上海静安科技有限公司002",
    ]
    for event, original in zip(events, items, strict=True):
        start = event.decoded("DTSTART")
        assert start == original.starts_at
        assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event.decoded("DTEND") == original.ends_at
        assert event.decoded("DTSTAMP") == CHANGED
        assert event.decoded("LAST-MODIFIED") == CHANGED
        assert str(event["DESCRIPTION"]) == original.description
        assert str(event["LOCATION"]) == original.location
        assert str(event["URL"]) == original.url


def test_round_trip_through_vobject():
    items = [item(0, status="tentative"), item(1, summary=NASTY, description=NASTY)]
    calendar = vobject.readOne(render_feed(NASTY, items, zone=SHANGHAI).decode())
    events = calendar.vevent_list
    assert [e.uid.value for e in events] == [i.uid for i in items]
    assert events[0].summary.value.startswith("[待确认] ")
    expected = '恒隆, 广场; 12\\楼\n"二区"\n终'
    assert events[1].summary.value == expected
    assert events[1].description.value == expected
    assert events[1].dtstart.value == items[1].starts_at
    assert calendar.x_wr_calname.value == '恒隆, 广场; 12\\楼 "二区" 终'
    assert calendar.contents["name"][0].value == calendar.x_wr_calname.value


def test_chinese_commas_semicolons_backslashes_and_newlines_survive_in_names():
    body = feeds()["nasty_text"]
    calendar = icalendar.Calendar.from_ical(body)
    expected = '恒隆, 广场; 12\\楼\n"二区"\n终'
    # icalendar keeps NAME and X-WR-CALNAME (unknown to it) as written: escaped TEXT on one
    # line (vobject unescapes them, see the round trip above).
    for prop in ("NAME", "X-WR-CALNAME"):
        assert calendar[prop].to_ical().decode() == '恒隆\\, 广场\\; 12\\\\楼 "二区" 终'
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == expected
    assert str(event["LOCATION"]) == expected
    assert str(event["DESCRIPTION"]) == expected * 3
    assert b"\x00" not in body and b"\x07" not in body and b"\x1b" not in body


def test_same_items_give_the_same_bytes_whatever_their_order():
    items = [item(n) for n in range(5)]
    assert render_feed("组", items, zone=SHANGHAI) == render_feed(
        "组", list(reversed(items)), zone=SHANGHAI
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        render_feed("组", [item(0, starts_at=datetime(2026, 5, 1, 9))], zone=SHANGHAI)


def invitation(**overrides: object) -> Invitation:
    values: dict[str, object] = {
        "visit_id": "7",
        "sequence": 2,
        "starts_at": T0,
        "ends_at": T0 + timedelta(hours=1),
        "updated_at": CHANGED,
        "summary": "走访：福民科技",
        "location": "恒隆广场 12 楼",
        "description": "了解复工情况\n联络员：李联络",
        "organizer_name": "李联络",
        "organizer_email": "li@fumin.test",
        "attendee_name": "王经理",
        "attendee_email": None,
    }
    values.update(overrides)
    return Invitation(**values)  # type: ignore[arg-type]


def test_an_invitation_is_built_and_cleaned_like_a_feed():
    """The contact's invitation comes from the same builder: the feed's UID, the stored
    SEQUENCE, times in the zone, and text cleaned as in feeds (DEL, C1 and line separators
    too, which the invitation once kept)."""
    dirty = "走访\x7f：福民\u2028科技\x85" + NASTY
    body = render_invitation(
        invitation(summary=dirty, location=dirty, description=dirty, attendee_name='王"经理"'),
        zone=SHANGHAI,
        host="fumin.test",
    )
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    text = body.decode()
    for control in ("\x7f", "\u2028", "\x85", "\x00", "\x07", "\x1b"):
        assert control not in text
    assert "METHOD:REQUEST" in text and "BEGIN:VTIMEZONE" in text
    [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["UID"]) == "visit-7@fumin.test" and int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == T0.astimezone(SHANGHAI)
    assert str(event["SUMMARY"]) == "".join(
        c for c in dirty.replace("\r\n", "\n") if c not in "\x7f\u2028\x85\x00\x07\x1b"
    )
    assert str(event["ATTENDEE"]) == "mailto:contact@fumin.test"  # no address: the host's
    assert event["ATTENDEE"].params["CN"] == "王'经理'"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(event["ORGANIZER"]) == "mailto:li@fumin.test"
    vobject.readOne(text)
