"""The academy's calendar feeds (iCalendar, RFC 5545): its public events for anyone,
and whose private feed a secret token opens (a calendar program cannot sign in; the
private feed is the member's diary, vacancies/diary.py).

Cancelled events stay in the feeds, marked STATUS:CANCELLED, so that a calendar which
has them takes them off; events that ended more than FEED_PAST_DAYS ago are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from academy.models import Academy, Membership, membership_active_q
from academy.permissions import OPPORTUNITIES

from .calendars import calendar_bytes, event_vevent
from .models import CalendarFeed, Event, EventQuerySet, SignUp

FEED_PAST_DAYS = 90


def _recent(events: EventQuerySet) -> EventQuerySet:
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    return events.filter(ends_at__gte=since).order_by("starts_at", "pk")


def public_feed_events(*, academy: Academy) -> EventQuerySet:
    """The academy's public events, cancelled ones included (to be taken off)."""
    return _recent(Event.objects.for_academy(academy).filter(is_public=True))


def feed_membership(*, token: str) -> Membership | None:
    """Whose private feed `token` opens: a member whose account and membership are
    still active, in a role that runs events, or nobody."""
    feed = (
        CalendarFeed.objects.filter(
            membership_active_q("membership__"),
            token=token,
            membership__role__in=OPPORTUNITIES,
        )
        .select_related("membership__user", "membership__academy")
        .first()
    )
    return feed.membership if feed is not None else None


def calendar_feed_of(*, membership: Membership) -> CalendarFeed | None:
    """The member's private feed, if they have made one."""
    return CalendarFeed.objects.filter(membership=membership).first()


def _description(event: Event, *, with_places: bool) -> str:
    lines = [event.get_kind_display()]
    if event.is_cancelled and event.cancel_reason:
        lines.append(f"Cancelled: {event.cancel_reason}")
    if event.description:
        lines.append(event.description)
    if with_places:
        statuses = [signup.status for signup in event.signups.all()]
        booked = sum(status in SignUp.HOLDING for status in statuses)
        waiting = statuses.count(SignUp.Status.WAITING)
        places = f" of {event.capacity}" if event.capacity is not None else ""
        lines.append(f"{booked}{places} places taken, {waiting} waiting.")
    return "\n\n".join(lines)


def public_calendar(*, academy: Academy, url_of: Callable[[Event], str]) -> bytes:
    """The .ics of the academy's public events; `url_of` gives each one's page."""
    events = public_feed_events(academy=academy)
    return calendar_bytes(
        (
            event_vevent(
                e, url=url_of(e), description=_description(e, with_places=False)
            )
            for e in events
        ),
        name=f"{academy.name}: events",
    )
