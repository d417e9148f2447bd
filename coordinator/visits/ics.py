"""The invitation a contact downloads after confirming: pure, data in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


def clean(text: str) -> str:
    return text.translate(_CONTROL)


@dataclass(frozen=True)
class Invitation:
    visit_id: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    updated_at: datetime
    summary: str
    location: str
    description: str
    organizer_name: str
    organizer_email: str | None
    attendee_name: str
    attendee_email: str | None
    cancelled: bool = False


def invitation(data: Invitation, *, zone: ZoneInfo, host: str) -> bytes:
    """METHOD:REQUEST with a stable UID and the stored SEQUENCE, times in the zone."""
    calendar = Calendar()
    calendar.add("prodid", "-//Fumin//visits//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(Timezone.from_tzinfo(zone, first_date=data.starts_at.date()))
    event = Event()
    event.add("uid", f"visit-{data.visit_id}@{host}")
    event.add("sequence", data.sequence)
    event.add("dtstamp", data.updated_at.astimezone(ZoneInfo("UTC")))
    event.add("last-modified", data.updated_at.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", data.starts_at.astimezone(zone))
    event.add("dtend", data.ends_at.astimezone(zone))
    event.add("summary", clean(data.summary))
    event.add("location", clean(data.location))
    event.add("description", clean(data.description))
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{data.organizer_email or 'noreply@' + host}")
    organizer.params["cn"] = vText(clean(data.organizer_name))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{data.attendee_email or 'contact@' + host}")
    attendee.params["cn"] = vText(clean(data.attendee_name))
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
