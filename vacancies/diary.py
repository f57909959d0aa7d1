"""Vacancies in a member's diary: the events they run (created, or hosted by their
organisation) as a diary source, and the diary as the member's private calendar feed
(iCalendar): appointments, interviews and events, with no names or contact details
(the address is a secret, not a sign-in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import icalendar
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from academy.models import Membership
from participants.diary import DiaryEntry, diary_entries

from . import feeds
from .calendars import calendar_bytes, event_place, event_uid, event_vevent
from .models import Event

# The feed's window: what a calendar program keeps of the past, and plans ahead.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180


def _runs(membership: Membership) -> Q:
    runs = Q(created_by=membership.user_id)
    if membership.organisation_id:
        runs |= Q(hosts=membership.organisation_id)
    return runs


def event_entry(event: Event) -> DiaryEntry:
    """An event as a diary entry (its title is public: no one's name)."""
    return DiaryEntry(
        uid=event_uid(event),
        kind="event",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        title=event.title,
        private_title=event.title,
        place=event_place(event),
        url=reverse("vacancies:event-detail", args=[event.pk]),
        status="Cancelled" if event.is_cancelled else "",
        is_cancelled=event.is_cancelled,
        version=int(event.updated_at.timestamp()) if event.updated_at else 0,
    )


def events_in_diary(
    membership: Membership, start: dt.datetime, end: dt.datetime
) -> Iterable[DiaryEntry]:
    """The events a member runs that start in [start, end), as their role lets them
    see events."""
    events = (
        Event.objects.for_membership(membership)
        .filter(_runs(membership), starts_at__gte=start, starts_at__lt=end)
        .distinct()
        .order_by("starts_at", "pk")
    )
    return [event_entry(event) for event in events]


def entry_vevent(entry: DiaryEntry, *, url: str = "") -> icalendar.Event:
    """A diary entry as a VEVENT: its private title (no names), a UID and SEQUENCE
    that let a calendar update the copy it has, cancelled ones STATUS:CANCELLED."""
    vevent = icalendar.Event()
    vevent.add("uid", entry.uid)
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("dtstart", entry.starts_at.astimezone(dt.UTC))
    vevent.add("dtend", entry.ends_at.astimezone(dt.UTC))
    vevent.add("sequence", entry.version)
    vevent.add("summary", entry.private_title)
    if entry.place:
        vevent.add("location", entry.place)
    if url:
        vevent.add("url", url)
    vevent.add("status", "CANCELLED" if entry.is_cancelled else "CONFIRMED")
    return vevent


def diary_calendar(
    *,
    membership: Membership,
    url_of: Callable[[str], str],
    now: dt.datetime | None = None,
) -> bytes:
    """The member's diary as an .ics: FEED_DAYS_BACK days back to FEED_DAYS_AHEAD
    ahead. Events keep their description (how many places are taken, never who);
    `url_of` makes a page's path absolute."""
    now = now or timezone.now()
    entries = diary_entries(
        membership,
        now - dt.timedelta(days=FEED_DAYS_BACK),
        now + dt.timedelta(days=FEED_DAYS_AHEAD),
    )
    event_pks = [
        int(entry.uid.split("@")[0].removeprefix("event-"))
        for entry in entries
        if entry.kind == "event"
    ]
    events = {
        event_uid(event): event
        for event in Event.objects.filter(pk__in=event_pks).prefetch_related("signups")
    }

    def vevent(entry: DiaryEntry) -> icalendar.Event:
        url = url_of(entry.url) if entry.url else ""
        event = events.get(entry.uid) if entry.kind == "event" else None
        if event is None:
            return entry_vevent(entry, url=url)
        # The same description as the events' feeds: places taken, never who.
        description = feeds._description(event, with_places=True)
        return event_vevent(event, url=url, description=description)

    return calendar_bytes(
        (vevent(entry) for entry in entries),
        name=f"{membership.academy.name}: my diary",
    )
