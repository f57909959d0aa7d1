"""Events as iCalendar (RFC 5545) with the `icalendar` package: the .ics sent with a
sign-up's confirmation, and the VEVENT the calendar feeds are made of. Times are
written in UTC; a calendar program shows them in its own zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Event

PRODID = "-//Care Academy Portal//Events//EN"
ICS_MIMETYPE = "text/calendar"


def event_uid(event: Event) -> str:
    """The same for every copy of the event, so that a calendar program updates the
    entry it already has (a new time, a cancellation) instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"event-{event.pk}@{host}"


def event_place(event: Event) -> str:
    """Where it is, on one line: venue, address and postcode, or online."""
    parts = [event.venue, event.address, event.postcode]
    place = ", ".join(part for part in parts if part)
    return place or ("Online" if event.online_url else "")


def event_vevent(
    event: Event, *, url: str = "", description: str = ""
) -> icalendar.Event:
    """One event as a VEVENT; cancelled ones say so (STATUS:CANCELLED)."""
    entry = icalendar.Event()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", timezone.now().astimezone(dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
    entry.add("dtend", event.ends_at.astimezone(dt.UTC))
    # Later copies must have a higher SEQUENCE for calendars to take the change.
    entry.add("sequence", int(event.updated_at.timestamp()) if event.updated_at else 0)
    entry.add("summary", event.title)
    if place := event_place(event):
        entry.add("location", place)
    if description:
        entry.add("description", description)
    if url:
        entry.add("url", url)
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return entry


def calendar_bytes(entries: Iterable[icalendar.Event], *, name: str = "") -> bytes:
    """A calendar of `entries`, as an .ics file's content."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for entry in entries:
        calendar.add_component(entry)
    return bytes(calendar.to_ical())
